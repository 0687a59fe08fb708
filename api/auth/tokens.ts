import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CallScopeError } from '../../core/errors.ts';

export const SECRET_FILE = 'auth-secret';

/**
 * The HMAC key of session tokens: 32 random bytes made on first use, kept in CALLSCOPE_DATA readable
 * by its owner only (0600). Written with O_EXCL ('wx') so two processes starting at once agree on one.
 */
export function loadSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, SECRET_FILE);
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new CallScopeError('CONFIG_INVALID', `${file} is not a 64-hex-character key: delete it to make a new one (everyone will have to log in again)`);
  return Buffer.from(hex, 'hex');
}

export type TokenClaims = { sid: string; sub: string; exp: number };

/**
 * Session tokens: `<base64url claims>.<base64url HMAC-SHA256>`. The signature lets a forged or edited
 * token be refused before any database read; the session row it names (sid) lets logout, disabling a
 * user or changing a password end it at once.
 */
export class TokenSigner {
  constructor(private readonly key: Buffer) {}

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }

  sign(claims: TokenClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The claims of an untampered, unexpired token; null for anything else. */
  verify(token: string, now = Date.now()): TokenClaims | null {
    if (token.length > 512) return null;
    const dot = token.indexOf('.');
    if (dot < 1) return null;
    const body = token.slice(0, dot);
    const sig = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.mac(body);
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return null;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const c = claims as Partial<TokenClaims>;
    if (typeof c.sid !== 'string' || typeof c.sub !== 'string' || typeof c.exp !== 'number') return null;
    if (c.exp <= now) return null;
    return { sid: c.sid, sub: c.sub, exp: c.exp };
  }
}

export function newSessionId(): string {
  return randomBytes(16).toString('hex');
}
