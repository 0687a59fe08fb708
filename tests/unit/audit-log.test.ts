import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_FILE, entryHash, GENESIS_HASH, SqliteAuditLog } from '../../api/audit/audit-log.ts';
import { runCli } from '../run-cli.ts';
import { tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
let file: string;

/** Six entries written by the real log, then closed, so a test tampers with the real file. */
function writeSix(): void {
  const log = new SqliteAuditLog(file);
  log.append({ actor: 'admin', action: 'login.ok', ip: '10.0.0.1' });
  log.append({ actor: 'analyst', action: 'unmask.denied', target: 'a'.repeat(64), details: { what: 'text' } });
  log.append({ actor: 'cli:root', action: 'user.role', target: 'bob', details: { role: 'qa_inspector', before: { role: 'agent' } } });
  log.append({ actor: 'admin', action: 'unmask.audio', target: 'b'.repeat(64) });
  log.append({ actor: 'cli:root', action: 'scorecard.publish', target: 'bank-service-standard@2', details: { digest: 'x' } });
  log.append({ actor: 'qa-1', action: 'review.override', target: 'c'.repeat(64), details: { checkpoint: 'greeting', from: false, to: true } });
  log.close();
}

function tamper(sql: string, ...args: unknown[]): void {
  const db = new Database(file);
  db.prepare(sql).run(...args);
  db.close();
}

function verify() {
  const log = new SqliteAuditLog(file);
  try {
    return log.verify();
  } finally {
    log.close();
  }
}

beforeEach(() => {
  tmp = tempDir('callscope-audit-');
  file = path.join(tmp.dir, AUDIT_FILE);
  writeSix();
});
afterEach(() => tmp.cleanup());

describe('hash-chained audit log', () => {
  it('chains every entry to the one before, from the genesis hash', () => {
    const log = new SqliteAuditLog(file);
    const entries = log.list({ limit: 100 });
    log.close();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(entries[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    expect(entries[2]).toMatchObject({ actor: 'cli:root', action: 'user.role', target: 'bob', details: { role: 'qa_inspector' } });
  });

  it('an untouched log verifies, naming its head', () => {
    const r = verify();
    expect(r.ok).toBe(true);
    expect(r).toMatchObject({ entries: 6, head: { seq: 6 } });
  });

  it.each([
    ['an edited actor', "UPDATE audit SET actor = 'someone-else' WHERE seq = 4", 4],
    ['edited details', `UPDATE audit SET details = '{"what":"audio"}' WHERE seq = 2`, 2],
    ['edited details that are no longer JSON', "UPDATE audit SET details = '{' WHERE seq = 5", 5],
    ['an edited time', "UPDATE audit SET time = '2020-01-01T00:00:00.000Z' WHERE seq = 1", 1],
    ['a removed entry', 'DELETE FROM audit WHERE seq = 3', 3],
    ['the first entry removed', 'DELETE FROM audit WHERE seq = 1', 1],
  ])('%s is detected at the right seq', (_what, sql, seq) => {
    tamper(sql);
    expect(verify()).toMatchObject({ ok: false, badSeq: seq });
  });

  it('an edit whose hash is recomputed still breaks the link of the next entry', () => {
    const db = new Database(file);
    const row = db.prepare('SELECT * FROM audit WHERE seq = 3').get() as Record<string, any>;
    const forged = { seq: 3, time: row.time, actor: row.actor, action: row.action, target: 'mallory', details: JSON.parse(row.details), ip: row.ip, prevHash: row.prev_hash };
    db.prepare('UPDATE audit SET target = ?, hash = ? WHERE seq = 3').run('mallory', entryHash(forged));
    db.close();
    expect(verify()).toMatchObject({ ok: false, badSeq: 4 });
  });

  it('two entries swapped (reordered) are detected at the first of them', () => {
    const db = new Database(file);
    const cols = ['time', 'actor', 'action', 'target', 'details', 'ip', 'prev_hash', 'hash'];
    const a = db.prepare('SELECT * FROM audit WHERE seq = 2').get() as Record<string, unknown>;
    const b = db.prepare('SELECT * FROM audit WHERE seq = 4').get() as Record<string, unknown>;
    const set = db.prepare(`UPDATE audit SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE seq = @seq`);
    set.run({ ...b, seq: 2 });
    set.run({ ...a, seq: 4 });
    db.close();
    expect(verify()).toMatchObject({ ok: false, badSeq: 2 });
  });

  it('sequence numbers swapped (the rows moved) are detected', () => {
    tamper('UPDATE audit SET seq = CASE seq WHEN 2 THEN 5 WHEN 5 THEN 2 END WHERE seq IN (2, 5)');
    expect(verify()).toMatchObject({ ok: false, badSeq: 2 });
  });

  it('an inserted entry is detected, whether it reuses a number or shifts the rest', () => {
    tamper("INSERT INTO audit (seq, time, actor, action, target, details, ip, prev_hash, hash) SELECT 3, time, 'ghost', action, target, details, ip, prev_hash, hash FROM audit WHERE seq = 3");
    expect(verify()).toMatchObject({ ok: false, badSeq: 3 });
  });

  it('an entry inserted in the middle with numbers shifted up is detected where it was put', () => {
    tamper('UPDATE audit SET seq = seq + 1 WHERE seq >= 4');
    tamper(`INSERT INTO audit (seq, time, actor, action, target, details, ip, prev_hash, hash) VALUES (4, '2026-01-01T00:00:00.000Z', 'ghost', 'login.ok', NULL, '{}', NULL, (SELECT hash FROM audit WHERE seq = 3), '${'f'.repeat(64)}')`);
    expect(verify()).toMatchObject({ ok: false, badSeq: 4 });
  });

  it('appends after reopening continue the same chain', () => {
    const log = new SqliteAuditLog(file);
    const e = log.append({ actor: 'admin', action: 'logout' });
    log.close();
    expect(e.seq).toBe(7);
    expect(verify()).toMatchObject({ ok: true, entries: 7 });
  });

  it('`callscope audit verify` exits 0 on the untouched log and 3 naming the seq after tampering', async () => {
    const env = { CALLSCOPE_DATA: tmp.dir };
    const good = await runCli(['audit', 'verify'], env);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/audit log OK: 6 entries; head seq 6 hash [0-9a-f]{64}/);
    tamper('DELETE FROM audit WHERE seq = 5');
    const bad = await runCli(['audit', 'verify'], env);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('audit log BROKEN at seq 5');
  }, 60_000);
});
