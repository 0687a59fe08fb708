/**
 * What authentication costs: one password check (scrypt) and the per-request work of a signed-in
 * call (HMAC check + session and user rows in auth.sqlite), against a plain in-process reference.
 * Prints a table; not a test. The machine is shared: the load average is printed beside it.
 *
 *   node --import tsx bench/auth/login.ts
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { openAuth } from '../../api/auth/auth.ts';
import { hashPassword, verifyPassword } from '../../api/auth/passwords.ts';
import { createUser } from '../../api/auth/user-admin.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'callscope-bench-auth-'));
const auth = openAuth(dir, { limiter: { perUser: 1e9, perIp: 1e9 } });
const password = 'bench-password-2026';

async function timeIt(n: number, f: () => unknown): Promise<number> {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await f();
  return Number(process.hrtime.bigint() - t) / 1e6 / n;
}

try {
  const hash = await hashPassword(password);
  await createUser(auth, 'bench', { username: 'bench', name: 'bench', role: 'analyst', scope: { kind: 'all' } }, password);
  const { token } = await auth.login('bench', password, 'bench');
  const rows: Array<[string, number, string]> = [
    ['scrypt verify (N=2^15, r=8, p=3)', await timeIt(10, () => verifyPassword(password, hash)), 'an OWASP-equivalent minimum cost; paid once per login'],
    ['full login (verify + session row + 1 audit row)', await timeIt(10, () => auth.login('bench', password, 'bench')), ''],
    ['authenticate one request (HMAC + 2 SQLite reads)', await timeIt(20_000, () => auth.authenticate(token)), ''],
    ['reference: one HMAC-SHA256 of the token', await timeIt(20_000, () => createHmac('sha256', 'k').update(token).digest()), 'reference'],
  ];
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 shared cores)\n`);
  console.log('| step | ms per operation | note |\n| --- | ---: | --- |');
  for (const [step, ms, note] of rows) console.log(`| ${step} | ${ms < 1 ? ms.toFixed(4) : ms.toFixed(1)} | ${note} |`);
} finally {
  auth.close();
  rmSync(dir, { recursive: true, force: true });
}
