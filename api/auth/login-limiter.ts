import type Database from 'better-sqlite3';

export type LimiterPolicy = {
  /** Failures in a row on one user name before it is locked. */
  perUser: number;
  /** Failures in a row from one address (any user names) before it is locked. */
  perIp: number;
  /** First lock; each further failure doubles it, up to maxLockMs. */
  baseLockMs: number;
  maxLockMs: number;
};

export const DEFAULT_POLICY: LimiterPolicy = { perUser: 5, perIp: 20, baseLockMs: 30_000, maxLockMs: 60 * 60_000 };

/**
 * Login rate limiting per user name and per client address, kept in auth.sqlite so a restart does not
 * reset it. After `perUser` (or `perIp`) failures in a row the key is locked for a delay that doubles
 * with each further failure; while locked, even the right password is refused (a guesser learns
 * nothing). A successful login clears the user's counter;
 * an address's counter starts again after maxLockMs without failures.
 */
export class LoginLimiter {
  constructor(
    private readonly db: Database.Database,
    readonly policy: LimiterPolicy = DEFAULT_POLICY,
  ) {}

  private keys(username: string, ip: string): Array<[string, number]> {
    return [
      [`user:${username.toLowerCase()}`, this.policy.perUser],
      [`ip:${ip}`, this.policy.perIp],
    ];
  }

  /** Milliseconds until a login for this user from this address may be tried again; 0 when allowed. */
  lockedFor(username: string, ip: string, now = Date.now()): number {
    let wait = 0;
    for (const [key] of this.keys(username, ip)) {
      const r = this.db.prepare('SELECT locked_until FROM login_failures WHERE key = ?').get(key) as { locked_until: number } | undefined;
      if (r && r.locked_until > now) wait = Math.max(wait, r.locked_until - now);
    }
    return wait;
  }

  /** Counts a failure; returns the lock it starts (ms), 0 when none. */
  failed(username: string, ip: string, now = Date.now()): number {
    let lock = 0;
    for (const [key, threshold] of this.keys(username, ip)) {
      const r = this.db.prepare('SELECT failures, last_at FROM login_failures WHERE key = ?').get(key) as { failures: number; last_at: number } | undefined;
      // A counter quiet for longer than the longest lock starts again.
      const failures = (r && r.last_at > now - this.policy.maxLockMs ? r.failures : 0) + 1;
      const ms = failures >= threshold ? Math.min(this.policy.maxLockMs, this.policy.baseLockMs * 2 ** (failures - threshold)) : 0;
      lock = Math.max(lock, ms);
      this.db
        .prepare('INSERT INTO login_failures (key, failures, locked_until, last_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, last_at = excluded.last_at')
        .run(key, failures, ms ? now + ms : 0, now);
    }
    return lock;
  }

  /** Clears the user's counter only: logging in to one's own account must not reset an address guessing others. */
  succeeded(username: string): void {
    this.db.prepare('DELETE FROM login_failures WHERE key = ?').run(`user:${username.toLowerCase()}`);
  }
}
