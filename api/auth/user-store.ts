import path from 'node:path';
import type Database from 'better-sqlite3';
import { openPrivateDatabase } from '../private-db.ts';
import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';
import { type Actor, DataScope, Role } from '../actor.ts';

export const USERS_FILE = 'auth.sqlite';

export const Username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/, 'a user name is 2–64 letters, digits, . _ or -, starting with a letter or digit');

export const NewUser = z.object({
  username: Username,
  name: z.string().trim().min(1).max(100),
  role: Role,
  scope: DataScope,
  canUnmask: z.boolean().default(false),
});
export type NewUser = z.input<typeof NewUser>;

export type User = {
  username: string;
  name: string;
  role: Role;
  scope: DataScope;
  canUnmask: boolean;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
};

type UserRow = { username: string; name: string; role: string; scope: string; can_unmask: number; disabled: number; password_hash: string; created_at: string; updated_at: string };

function toUser(r: UserRow): User {
  return {
    username: r.username,
    name: r.name,
    role: Role.parse(r.role),
    scope: DataScope.parse(JSON.parse(r.scope)),
    canUnmask: r.can_unmask === 1,
    disabled: r.disabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function actorOf(u: User): Actor {
  return { userId: u.username, name: u.name, role: u.role, scope: u.scope, canUnmask: u.canUnmask };
}

/**
 * Accounts, sessions and login-failure counters in `auth.sqlite` under CALLSCOPE_DATA (apart from the
 * search index, which can be rebuilt: this file cannot). Several processes may share it (WAL).
 */
export class UserStore {
  readonly db: Database.Database;

  constructor(readonly file: string) {
    // Password hashes / who did what: the service account's eyes only.
    this.db = openPrivateDatabase(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS users (
        username TEXT PRIMARY KEY COLLATE NOCASE, name TEXT NOT NULL, role TEXT NOT NULL, scope TEXT NOT NULL,
        can_unmask INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0, password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY, username TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username);
      CREATE TABLE IF NOT EXISTS login_failures (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until INTEGER NOT NULL, last_at INTEGER NOT NULL);`);
  }

  private row(username: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
  }

  get(username: string): User | null {
    const r = this.row(username);
    return r ? toUser(r) : null;
  }

  /** The user and their password hash, for a login. */
  credentials(username: string): { user: User; passwordHash: string } | null {
    const r = this.row(username);
    return r ? { user: toUser(r), passwordHash: r.password_hash } : null;
  }

  list(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  hasAdmin(): boolean {
    return this.db.prepare("SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0 LIMIT 1").get() !== undefined;
  }

  create(input: NewUser, passwordHash: string): User {
    const u = NewUser.parse(input);
    const now = new Date().toISOString();
    try {
      this.db
        .prepare('INSERT INTO users (username, name, role, scope, can_unmask, disabled, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)')
        .run(u.username, u.name, u.role, JSON.stringify(u.scope), u.canUnmask ? 1 : 0, passwordHash, now, now);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new CallScopeError('BAD_REQUEST', `user ${u.username} already exists`);
      throw err;
    }
    return this.get(u.username)!;
  }

  /** Changes some fields of a user; every live session of theirs ends when `endSessions` is set. */
  update(username: string, change: { role?: Role; scope?: DataScope; canUnmask?: boolean; disabled?: boolean; passwordHash?: string; name?: string }, endSessions = false): User {
    const before = this.row(username);
    if (!before) throw new CallScopeError('NOT_FOUND', `no user ${username}`);
    const tx = this.db.transaction(() => {
      this.db
        .prepare('UPDATE users SET name = ?, role = ?, scope = ?, can_unmask = ?, disabled = ?, password_hash = ?, updated_at = ? WHERE username = ?')
        .run(
          change.name ?? before.name,
          change.role ?? before.role,
          change.scope ? JSON.stringify(change.scope) : before.scope,
          change.canUnmask === undefined ? before.can_unmask : change.canUnmask ? 1 : 0,
          change.disabled === undefined ? before.disabled : change.disabled ? 1 : 0,
          change.passwordHash ?? before.password_hash,
          new Date().toISOString(),
          before.username,
        );
      if (endSessions) this.db.prepare('UPDATE sessions SET revoked = 1 WHERE username = ?').run(before.username);
    });
    tx();
    return this.get(before.username)!;
  }

  createSession(id: string, username: string, expiresAt: number): void {
    const now = Date.now();
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now);
    this.db.prepare('INSERT INTO sessions (id, username, created_at, expires_at) VALUES (?, ?, ?, ?)').run(id, username, now, expiresAt);
  }

  /** A live session's user name, or null when it was revoked, expired or never existed. */
  sessionUser(id: string, now = Date.now()): string | null {
    const r = this.db.prepare('SELECT username FROM sessions WHERE id = ? AND revoked = 0 AND expires_at > ?').get(id, now) as { username: string } | undefined;
    return r?.username ?? null;
  }

  revokeSession(id: string): void {
    this.db.prepare('UPDATE sessions SET revoked = 1 WHERE id = ?').run(id);
  }

  close(): void {
    this.db.close();
  }
}

export function openUserStore(dataDir: string): UserStore {
  return new UserStore(path.join(dataDir, USERS_FILE));
}
