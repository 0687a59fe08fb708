import path from 'node:path';
import { CallScopeError } from '../../core/errors.ts';
import type { Actor, AuditLog } from '../actor.ts';
import { openAuditLog, type SqliteAuditLog } from '../audit/audit-log.ts';
import type { IdentityProvider } from './identity-provider.ts';
import { DEFAULT_POLICY, type LimiterPolicy, LoginLimiter } from './login-limiter.ts';
import { decoyHash, verifyPassword } from './passwords.ts';
import { loadSecret, newSessionId, TokenSigner } from './tokens.ts';
import { actorOf, openUserStore, type User, type UserStore } from './user-store.ts';

export type AuthOptions = {
  /** How long a login lasts (default 8 hours: one working shift). */
  sessionTtlMs?: number;
  limiter?: Partial<LimiterPolicy>;
  identityProvider?: IdentityProvider;
};

export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60_000;

export type Login = { token: string; expiresAt: number; user: User };

/**
 * Who may use the API: local accounts, their sessions, login rate limiting, and the audit log every
 * security-relevant action is written to. One per data folder; the server and the CLI open the same files.
 */
export class Auth {
  readonly signer: TokenSigner;
  readonly limiter: LoginLimiter;
  readonly sessionTtlMs: number;

  constructor(
    readonly users: UserStore,
    readonly audit: AuditLog & Pick<SqliteAuditLog, 'verify' | 'list'>,
    secret: Buffer,
    private readonly opts: AuthOptions = {},
  ) {
    this.signer = new TokenSigner(secret);
    this.limiter = new LoginLimiter(users.db, { ...DEFAULT_POLICY, ...opts.limiter });
    this.sessionTtlMs = opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  }

  /**
   * Checks a password (locally, or with the identity provider) and opens a session. Every outcome is
   * audited: login.ok, login.failed (wrong name or password, disabled user) and login.locked.
   * A wrong user name and a wrong password answer the same, after the same work.
   */
  async login(username: string, password: string, ip: string): Promise<Login> {
    const wait = this.limiter.lockedFor(username, ip);
    if (wait > 0) {
      this.audit.append({ actor: username, action: 'login.locked', ip, details: { retryAfterSec: Math.ceil(wait / 1000) } });
      throw new CallScopeError('RATE_LIMITED', `too many failed logins: try again in ${Math.ceil(wait / 1000)} s`, { retryAfterSec: Math.ceil(wait / 1000) });
    }
    const creds = this.users.credentials(username);
    let ok: boolean;
    if (this.opts.identityProvider?.verifyPassword) {
      const proven = await this.opts.identityProvider.verifyPassword(username, password);
      ok = proven !== null && creds !== null && proven.toLowerCase() === creds.user.username.toLowerCase();
    } else {
      ok = await verifyPassword(password, creds?.passwordHash ?? (await decoyHash()));
      ok &&= creds !== null;
    }
    if (!ok || !creds || creds.user.disabled) {
      const lock = this.limiter.failed(username, ip);
      const reason = !creds ? 'unknown user' : creds.user.disabled && ok ? 'disabled user' : 'wrong password';
      this.audit.append({ actor: username, action: 'login.failed', ip, details: { reason, ...(lock ? { lockedForSec: Math.ceil(lock / 1000) } : {}) } });
      throw new CallScopeError('UNAUTHORIZED', '用户名或密码错误 (wrong user name or password)');
    }
    this.limiter.succeeded(username);
    const user = creds.user;
    const sid = newSessionId();
    const expiresAt = Date.now() + this.sessionTtlMs;
    this.users.createSession(sid, user.username, expiresAt);
    this.audit.append({ actor: user.username, action: 'login.ok', ip, details: { session: sid.slice(0, 8) } });
    return { token: this.signer.sign({ sid, sub: user.username, exp: expiresAt }), expiresAt, user };
  }

  /**
   * The actor behind a token: the signature and expiry must hold, the session must be live and the
   * user enabled. Role, scope and the unmask right are read from the user row on every request, so a
   * change applies at once.
   */
  authenticate(token: string): { actor: Actor; sid: string } | null {
    const claims = this.signer.verify(token);
    if (!claims) return null;
    const username = this.users.sessionUser(claims.sid);
    if (!username || username !== claims.sub) return null;
    const user = this.users.get(username);
    if (!user || user.disabled) return null;
    return { actor: actorOf(user), sid: claims.sid };
  }

  logout(sid: string, actor: Actor, ip: string): void {
    this.users.revokeSession(sid);
    this.audit.append({ actor: actor.userId, action: 'logout', ip, details: { session: sid.slice(0, 8) } });
  }

  close(): void {
    this.users.close();
    (this.audit as Partial<SqliteAuditLog>).close?.();
  }
}

/** The accounts (auth.sqlite), token key (auth-secret) and audit log (audit.sqlite) of a data folder. */
export function openAuth(dataDir: string, opts: AuthOptions = {}): Auth {
  return new Auth(openUserStore(dataDir), openAuditLog(dataDir), loadSecret(path.resolve(dataDir)), opts);
}
