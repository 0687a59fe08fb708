import { createHash } from 'node:crypto';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openPrivateDatabase } from '../private-db.ts';
import type { AuditEventInput, AuditLog } from '../actor.ts';
import { canonicalJson } from './canonical-json.ts';

/** One recorded action. `hash` = sha256 of the canonical JSON of every other field, prevHash included. */
export type AuditEntry = {
  seq: number;
  time: string;
  actor: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  prevHash: string;
  hash: string;
};

/** The prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export const AUDIT_FILE = 'audit.sqlite';

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const { seq, time, actor, action, target, details, ip, prevHash } = e;
  return createHash('sha256').update(canonicalJson({ seq, time, actor, action, target, details, ip, prevHash })).digest('hex');
}

export type VerifyResult =
  | { ok: true; entries: number; head: { seq: number; hash: string } | null }
  | { ok: false; entries: number; badSeq: number; reason: string };

type Row = { seq: number; time: string; actor: string | null; action: string; target: string | null; details: string; ip: string | null; prev_hash: string; hash: string };

function toEntry(r: Row): AuditEntry {
  return { seq: r.seq, time: r.time, actor: r.actor, action: r.action, target: r.target, details: JSON.parse(r.details) as Record<string, unknown>, ip: r.ip, prevHash: r.prev_hash, hash: r.hash };
}

/**
 * The append-only, hash-chained audit log in `audit.sqlite` under CALLSCOPE_DATA. Each entry carries
 * the hash of the one before, so editing, removing, inserting or reordering any entry breaks the
 * chain at that entry (`verify`). Appends take SQLite's write lock (BEGIN IMMEDIATE), so the API
 * server and CLI commands writing at the same time still form one chain.
 */
export class SqliteAuditLog implements AuditLog {
  private readonly db: Database.Database;
  private readonly last: Database.Statement;
  private readonly insert: Database.Statement;

  constructor(readonly file: string) {
    // Password hashes / who did what: the service account's eyes only.
    this.db = openPrivateDatabase(file);
    // seq is the chain position, not a rowid alias: a deleted entry leaves a gap instead of being reused.
    this.db.exec(`CREATE TABLE IF NOT EXISTS audit (
      seq INTEGER NOT NULL, time TEXT NOT NULL, actor TEXT, action TEXT NOT NULL, target TEXT,
      details TEXT NOT NULL, ip TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`);
    this.db.exec('CREATE INDEX IF NOT EXISTS audit_seq ON audit (seq)');
    this.last = this.db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.insert = this.db.prepare('INSERT INTO audit (seq, time, actor, action, target, details, ip, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  }

  append(event: AuditEventInput): AuditEntry {
    const write = this.db.transaction((): AuditEntry => {
      const prev = this.last.get() as { seq: number; hash: string } | undefined;
      const base = {
        seq: (prev?.seq ?? 0) + 1,
        time: new Date().toISOString(),
        actor: event.actor,
        action: event.action,
        target: event.target ?? null,
        details: event.details ?? {},
        ip: event.ip ?? null,
        prevHash: prev?.hash ?? GENESIS_HASH,
      };
      const entry = { ...base, hash: entryHash(base) };
      this.insert.run(entry.seq, entry.time, entry.actor, entry.action, entry.target, canonicalJson(entry.details), entry.ip, entry.prevHash, entry.hash);
      return entry;
    });
    return write.immediate();
  }

  /** The latest entries, oldest first; `action` matches the action or its dotted prefix (`login` → login.ok, login.failed…). */
  list(opts: { limit?: number; action?: string; actor?: string } = {}): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (opts.action) {
      where.push('(action = ? OR action LIKE ? ESCAPE \'\\\')');
      args.push(opts.action, `${opts.action.replace(/[\\%_]/g, (m) => `\\${m}`)}.%`);
    }
    if (opts.actor) {
      where.push('actor = ?');
      args.push(opts.actor);
    }
    const sql = `SELECT * FROM (SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?) ORDER BY seq`;
    return (this.db.prepare(sql).all(...args, opts.limit ?? 100) as Row[]).map(toEntry);
  }

  /**
   * Walks the chain in sequence order: every entry must carry the next sequence number, the previous
   * entry's hash, and hash to its own `hash`. Sequence numbers are hashed, so moving an entry to
   * another position (reordering) breaks its hash; a removed entry leaves a gap; an inserted one a
   * duplicate number or a broken link. The first chain position that is wrong is named.
   */
  verify(): VerifyResult {
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let n = 0;
    const bad = (reason: string): VerifyResult => ({ ok: false, entries: n, badSeq: expectedSeq, reason });
    for (const row of this.db.prepare('SELECT * FROM audit ORDER BY seq, rowid').iterate() as IterableIterator<Row>) {
      n++;
      let entry: AuditEntry;
      try {
        entry = toEntry(row);
      } catch {
        return bad('its details are not valid JSON (edited)');
      }
      if (entry.seq > expectedSeq) return bad(`entry ${expectedSeq}${entry.seq - expectedSeq > 1 ? `–${entry.seq - 1}` : ''} is missing (removed)`);
      if (entry.seq < expectedSeq) {
        expectedSeq = entry.seq;
        return bad(`two entries carry sequence number ${entry.seq} (inserted)`);
      }
      if (entry.prevHash !== prevHash) return bad('it does not link to the entry before it (an entry was removed, inserted or moved)');
      if (entryHash(entry) !== entry.hash) return bad('its content does not match its hash (edited or moved)');
      prevHash = entry.hash;
      expectedSeq++;
    }
    return { ok: true, entries: n, head: n ? { seq: expectedSeq - 1, hash: prevHash } : null };
  }

  close(): void {
    this.db.close();
  }
}

export function openAuditLog(dataDir: string): SqliteAuditLog {
  return new SqliteAuditLog(path.join(dataDir, AUDIT_FILE));
}
