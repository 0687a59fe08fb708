import path from 'node:path';
import Sqlite from 'better-sqlite3';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallDoc, CheckpointResult } from '../../core/schemas.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { CALLS_PER_MINUTE } from '../../indexer/sqlite/schema.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { contractCalls } from '../contract/store-fixtures.ts';
import { tempDir, tempSqliteStore } from '../helpers.ts';

/**
 * A putMany queues its label and checkpoint rows and inserts them at the end of its transaction,
 * and sums the vector-index counters there: the rows must be those a call-by-call write leaves.
 * Expected rows are written out by hand from the contract table (tests/contract/store-fixtures.ts)
 * and the changes made below; vector counters are checked against the vector rows themselves.
 */
let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

function open(): { store: SqliteCallStore; db: Database.Database } {
  const opened = tempSqliteStore({ analytics: 'sqlite', vectors: { exactBelow: 1_000_000 } }, 'callscope-batch-write-');
  cleanup = opened.cleanup;
  return { store: opened.store, db: (opened.store as unknown as { db: Database.Database }).db };
}

const byId = (id: string) => structuredClone(contractCalls.find((c) => c.id === id)!);
const put = (docs: CallDoc[]) => docs.map((doc) => ({ doc, docHash: `${doc.id}:${JSON.stringify(doc).length}` }));

function withTags(doc: CallDoc, tags: string[], flags: NonNullable<CallDoc['review']>['flags']): CallDoc {
  doc.nlp = { ...doc.nlp!, tags: tags.map((id) => ({ id, path: id, complaint: false, confidence: 0.9, via: 'keywords' as const, segmentIds: [] })) };
  doc.review = { status: 'none', flags };
  return doc;
}
function withOutcome(doc: CallDoc, checkpointId: string, passed: boolean | null): CallDoc {
  const items = doc.scores[0]!.items.map((item): CheckpointResult => (item.checkpointId === checkpointId ? { ...item, applicable: passed !== null, passed } : item));
  doc.scores = [{ ...doc.scores[0]!, items }];
  return doc;
}
function withSegmentVectors(doc: CallDoc, vectors: Array<[segmentId: string, vector: number[]]>): CallDoc {
  doc.nlp = { ...doc.nlp!, segmentEmbeddings: { model: 'test-3d', vectors: vectors.map(([segmentId, vector]) => ({ segmentId, vector })) } };
  return doc;
}

/** `kind value id` lines of every label row, sorted. */
const labelRows = (db: Database.Database) =>
  (db.prepare(`SELECT l.kind || ' ' || l.value || ' ' || coalesce(c.id, '(no call)') FROM call_labels l LEFT JOIN calls c ON c.n = l.call_n`).pluck().all() as string[]).sort();
const checkpointRows = (db: Database.Database) =>
  (db.prepare(`SELECT k.checkpoint_id || ' ' || k.outcome || ' ' || coalesce(c.id, '(no call)') FROM call_checkpoints k LEFT JOIN calls c ON c.n = k.call_n`).pluck().all() as string[]).sort();
const numberOf = (db: Database.Database, id: string) => db.prepare('SELECT n FROM calls WHERE id = ?').pluck().get(id) as number;
const minuteNumber = (iso: string) => Math.floor((Date.parse(iso) - Date.UTC(2000, 0, 1)) / 60_000) * CALLS_PER_MINUTE;

describe('putMany: label and checkpoint rows written at the end of the batch', () => {
  it('leaves the rows of the contract calls, then of a batch mixing new calls, re-puts, a moved call and a repeated id, then of a delete', async () => {
    const { store, db } = open();
    await store.putMany(put(contractCalls));
    expect(labelRows(db)).toEqual(
      [
        'tag fee.annual c1',
        'tag fee.installment c2',
        'tag service.attitude c2',
        'flag complaint_threat c2',
        'tag card.limit c3',
        'tag wealth.loss c4',
        'flag complaint_threat c4',
        'flag regulator_escalation c4',
      ].sort(),
    );
    expect(checkpointRows(db)).toEqual(
      [
        'greeting passed c1', 'empathy passed c1', 'risk_disclosure not_applicable c1',
        'greeting failed c2', 'empathy failed c2', 'risk_disclosure not_applicable c2',
        'greeting passed c3', 'empathy not_applicable c3', 'risk_disclosure not_applicable c3',
        'greeting passed c4', 'empathy failed c4', 'risk_disclosure failed c4',
        'greeting passed c6', 'empathy passed c6', 'risk_disclosure not_applicable c6',
      ].sort(),
    );

    const c2Before = numberOf(db, 'c2');
    const c6 = numberOf(db, 'c6');
    const c7 = withTags({ ...byId('c6'), id: 'c7' }, ['card.limit'], []); // c6's minute: the next number in it
    const c9 = withTags({ ...byId('c6'), id: 'c9', recordedAt: '2026-03-03T07:00:00+08:00' }, [], ['vulnerable_customer']); // c2's old minute
    await store.putMany(
      put([
        withOutcome(withTags(byId('c1'), ['fee.annual', 'card.limit'], ['vulnerable_customer']), 'empathy', false),
        withTags({ ...byId('c6'), id: 'c8' }, ['first.version'], []), // in c6's minute, but replaced below
        withTags({ ...byId('c2'), recordedAt: '2026-03-20T08:00:00+08:00' }, ['service.attitude'], []), // moved to another minute
        c7,
        byId('c3'), // unchanged
        c9,
        withOutcome(withTags({ ...byId('c6'), id: 'c8', recordedAt: '2026-03-25T08:00:00+08:00' }, ['second.version'], []), 'greeting', false), // the repeated id: this one wins
      ]),
    );
    await store.delete('c4');

    expect(labelRows(db)).toEqual(
      [
        'tag fee.annual c1',
        'tag card.limit c1',
        'flag vulnerable_customer c1',
        'tag service.attitude c2',
        'tag card.limit c3',
        'tag card.limit c7',
        'tag second.version c8',
        'flag vulnerable_customer c9',
      ].sort(),
    );
    expect(checkpointRows(db)).toEqual(
      [
        'greeting passed c1', 'empathy failed c1', 'risk_disclosure not_applicable c1',
        'greeting failed c2', 'empathy failed c2', 'risk_disclosure not_applicable c2',
        'greeting passed c3', 'empathy not_applicable c3', 'risk_disclosure not_applicable c3',
        'greeting passed c6', 'empathy passed c6', 'risk_disclosure not_applicable c6',
        'greeting passed c7', 'empathy passed c7', 'risk_disclosure not_applicable c7',
        'greeting failed c8', 'empathy passed c8', 'risk_disclosure not_applicable c8',
        'greeting passed c9', 'empathy passed c9', 'risk_disclosure not_applicable c9',
      ].sort(),
    );
    // Numbers: c7 takes the slot after c6 in c6's minute; c9 the slot after c2's old number (c2 was still there when c9 came, minutes in order);
    // c2 and c8 the first slot of their new minutes.
    expect(numberOf(db, 'c7')).toBe(c6 + 1);
    expect(numberOf(db, 'c9')).toBe(c2Before + 1);
    expect(numberOf(db, 'c2')).toBe(minuteNumber('2026-03-20T00:00:00Z'));
    expect(numberOf(db, 'c8')).toBe(minuteNumber('2026-03-25T00:00:00Z'));
    // The lists on the fact rows say the same as the row tables (re-puts and deletes read them).
    const listed = db.prepare('SELECT id, labels, checkpoints FROM calls').raw().all() as Array<[string, string | null, string | null]>;
    const fromLists = (column: 1 | 2) => listed.flatMap((row) => (row[column] ?? '').split('\n').filter(Boolean).map((line) => `${line.replace('\t', ' ')} ${row[0]}`)).sort();
    expect(fromLists(1)).toEqual(labelRows(db));
    expect(fromLists(2)).toEqual(checkpointRows(db));
  });

  it('queues more rows than one statement takes (several full statements and a remainder) and inserts each once', async () => {
    const { store, db } = open();
    // 130 calls × 3 checkpoint rows = 390 rows (3 full statements + 90); 130 × 2 label rows (a call's repeated tag is one row).
    const docs = Array.from({ length: 130 }, (_, i) => {
      const doc = withTags({ ...byId('c1'), id: `m${i}`, recordedAt: new Date(Date.parse('2026-05-01T00:00:00Z') + Math.floor(i / 3) * 60_000).toISOString() }, [`t${i % 7}`, `t${i % 7}`, 'all'], []);
      return withOutcome(doc, 'greeting', i % 2 === 0);
    });
    await store.putMany(put(docs));
    expect(db.prepare('SELECT count(*) FROM call_checkpoints').pluck().get()).toBe(390);
    expect(db.prepare(`SELECT count(*) FROM call_checkpoints WHERE checkpoint_id = 'greeting' AND outcome = 'passed'`).pluck().get()).toBe(65);
    expect(db.prepare('SELECT count(*) FROM call_labels').pluck().get()).toBe(260);
    expect(db.prepare(`SELECT count(*) FROM call_labels WHERE value = 't3'`).pluck().get()).toBe(19); // i % 7 = 3 for i = 3, 10, …, 129
    expect(db.prepare('SELECT count(*) FROM call_labels l LEFT JOIN calls c ON c.n = l.call_n WHERE c.n IS NULL').pluck().get()).toBe(0);
    // Three calls a minute: slots 0, 1, 2 of each minute.
    expect(db.prepare('SELECT DISTINCT n % 65536 FROM calls ORDER BY 1').pluck().all()).toEqual([0, 1, 2]);
  });

  it('writes nothing of a batch that fails part-way (no queued rows reach the next batch)', async () => {
    const { store, db } = open();
    const tooLong = { ...byId('c1'), id: 'bad', recordedAt: '2026-03-30T10:00:00+08:00', segments: Array.from({ length: 5000 }, (_, i) => ({ ...byId('c1').segments[0]!, id: `s${i}` })) };
    await expect(store.putMany(put([withTags({ ...byId('c3'), id: 'early' }, ['queued.then.dropped'], []), tooLong]))).rejects.toThrow(/at most/);
    await store.putMany(put([byId('c6')]));
    expect(labelRows(db)).toEqual([]);
    expect(checkpointRows(db)).toEqual(['empathy passed c6', 'greeting passed c6', 'risk_disclosure not_applicable c6']);
  });
});

describe('putMany: vector-index counters summed over the batch', () => {
  const counters = (db: Database.Database, prefix: string) => Object.fromEntries(db.prepare(`SELECT name, value FROM ${prefix}_vector_meta`).raw().all() as Array<[string, number]>);
  /** The counters as the vector rows say they should be (zero counters are absent rows, or rows at 0). */
  const fromRows = (db: Database.Database, prefix: string) => ({
    count: db.prepare(`SELECT count(*) FROM ${prefix}_vectors`).pluck().get() as number,
    backlog: db.prepare(`SELECT count(*) FROM ${prefix}_vectors WHERE list = -1`).pluck().get() as number,
    calls: db.prepare(`SELECT count(DISTINCT key >> 12) FROM ${prefix}_vectors`).pluck().get() as number,
  });
  const expectCounters = (db: Database.Database, prefix: string, expected: { count: number; backlog: number; calls: number }) => {
    const c = counters(db, prefix);
    expect({ count: c.count ?? 0, backlog: c.backlog ?? 0, calls: c.calls ?? 0 }).toEqual(expected);
    expect(fromRows(db, prefix)).toEqual(expected);
  };

  it('equal the vector rows after batches of new, changed, unchanged, moved and removed vectors, and a delete', async () => {
    const { store, db } = open();
    // Contract vectors: c1 c2 c3 c4 c6 (c5 has none); segment vectors on c1 (3) and c2 (2).
    await store.putMany(
      put(contractCalls.map((c) => (c.id === 'c1' ? withSegmentVectors(byId('c1'), [['s0', [1, 0, 0]], ['s1', [0, 1, 0]], ['s2', [0, 0, 1]]]) : c.id === 'c2' ? withSegmentVectors(byId('c2'), [['s0', [1, 1, 0]], ['s1', [0, 1, 1]]]) : c))),
    );
    expectCounters(db, 'call_ivf', { count: 5, backlog: 5, calls: 5 });
    expectCounters(db, 'segment', { count: 5, backlog: 5, calls: 2 });

    const noVector = byId('c3');
    delete noVector.nlp!.embedding;
    await store.putMany(
      put([
        withSegmentVectors({ ...byId('c1'), nlp: { ...byId('c1').nlp!, embedding: { model: 'test-3d', vector: [0, 0, 1] } } }, [['s0', [1, 0, 0]]]), // changed: 1 call vector, 3 → 1 segment vectors
        { ...byId('c2'), recordedAt: '2026-03-21T09:00:00+08:00' }, // moved (and its segment vectors gone)
        noVector, // call vector removed
        byId('c4'), // unchanged
        withSegmentVectors({ ...byId('c6'), id: 'c10' }, [['s0', [0, 0, 1]], ['s1', [1, 0, 1]]]), // new: 1 + 2
        { ...byId('c6'), id: 'c11', nlp: { ...byId('c6').nlp!, embedding: { model: 'test-3d', vector: [0, 0, 0] } } }, // a zero vector: none
      ]),
    );
    // Call vectors: c1 c2 c4 c6 c10 (c3 removed, c11 zero); segment vectors: c1 (1), c10 (2).
    expectCounters(db, 'call_ivf', { count: 5, backlog: 5, calls: 5 });
    expectCounters(db, 'segment', { count: 3, backlog: 3, calls: 2 });

    await store.delete('c10');
    await store.put(byId('c3'), 'c3:again'); // its vector back, one call at a time
    expectCounters(db, 'call_ivf', { count: 5, backlog: 5, calls: 5 });
    expectCounters(db, 'segment', { count: 1, backlog: 1, calls: 1 });
  });

  it('marks every call written with vectors while a training runs, and none otherwise', async () => {
    const { store, db } = open();
    await store.putMany(put([byId('c1'), byId('c2')]));
    expect(db.prepare('SELECT count(*) FROM call_ivf_vector_dirty').pluck().get()).toBe(0);
    // A training's heartbeat (vector-maintain.ts sets it in its own transaction before it copies the table).
    db.prepare(`INSERT INTO call_ivf_vector_meta (name, value) VALUES ('training', ?)`).run(Date.now());
    const moved = { ...byId('c1'), recordedAt: '2026-03-22T10:00:00+08:00' };
    await store.putMany(put([moved, byId('c3'), byId('c5'), { ...byId('c2'), nlp: { ...byId('c2').nlp!, embedding: { model: 'test-3d', vector: [0, 1, 1] } } }]));
    // c1: removed from its old number and written under the new one; c3 new; c2 changed; c5 has no vector.
    const dirty = db.prepare('SELECT n FROM call_ivf_vector_dirty ORDER BY n').pluck().all();
    const expected = [numberOf(db, 'c1'), numberOf(db, 'c2'), numberOf(db, 'c3')];
    const oldC1 = minuteNumber('2026-03-02T02:00:00Z');
    expect(dirty).toEqual([oldC1, ...expected].sort((a, b) => a - b));
  });
});

describe('page size', () => {
  it('gives a new file 16 KiB pages and leaves an existing file its own', async () => {
    const tmp = tempDir('callscope-page-size-');
    try {
      // A file made with SQLite's default 4 KiB pages before the store first opens it.
      const older = new Sqlite(path.join(tmp.dir, 'older.sqlite'));
      older.pragma('journal_mode = WAL');
      older.exec('CREATE TABLE t (a)');
      expect(older.pragma('page_size', { simple: true })).toBe(4_096);
      older.close();
      for (const [name, pageSize] of [['new.sqlite', 16_384], ['older.sqlite', 4_096]] as const) {
        const store = new SqliteCallStore(path.join(tmp.dir, name), { index: searchTokens, query: tokenize }, { analytics: 'sqlite' });
        await store.putMany(put(contractCalls));
        const db = (store as unknown as { db: Database.Database }).db;
        expect([name, db.pragma('page_size', { simple: true }), db.prepare('SELECT count(*) FROM calls').pluck().get()]).toEqual([name, pageSize, 6]);
        await store.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
