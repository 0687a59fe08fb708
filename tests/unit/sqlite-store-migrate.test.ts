import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { contractCalls } from '../contract/store-fixtures.ts';
import { tempDir } from '../helpers.ts';

const tmp = tempDir('callscope-migrate-');
afterEach(() => tmp.cleanup());

it('opens an index written by the first layout (v1) and moves its documents into the current one', async () => {
  const file = path.join(tmp.dir, 'index.sqlite');
  const v1 = new Database(file);
  // The layout of indexer/sqlite-store.ts before schema versions (commit fe2962b).
  v1.exec(`
    CREATE TABLE calls (id TEXT PRIMARY KEY, status TEXT NOT NULL, recorded_at TEXT, ingested_at TEXT NOT NULL, duration_sec REAL,
      agent_id TEXT, agent_name TEXT, team TEXT, branch TEXT, product TEXT, channel TEXT, score_total REAL, score_passed INTEGER,
      doc_hash TEXT NOT NULL, doc TEXT NOT NULL, text_hash TEXT);
    CREATE INDEX calls_recorded ON calls(recorded_at);
    CREATE VIRTUAL TABLE segments_fts USING fts5(call_id UNINDEXED, segment_id UNINDEXED, role UNINDEXED, tokens, tokenize = 'unicode61');`);
  const insert = v1.prepare(`INSERT INTO calls (id, status, ingested_at, doc_hash, doc) VALUES (?, ?, ?, ?, ?)`);
  for (const doc of contractCalls) insert.run(doc.id, doc.status, doc.ingestedAt, `old-${doc.id}`, JSON.stringify(doc));
  v1.close();

  const store = new SqliteCallStore(file, { index: searchTokens, query: tokenize });
  try {
    expect(await store.counts()).toEqual({ calls: 6, failed: 1 });
    expect(await store.get('c4')).toEqual(contractCalls[3]);
    expect(await store.docHash('c4')).toBe('old-c4');
    expect((await store.search({ q: '违约金', limit: 50, offset: 0 })).items.map((h) => h.call.id)).toEqual(['c2']);
  } finally {
    await store.close();
  }
  const reopened = new SqliteCallStore(file, { index: searchTokens, query: tokenize });
  expect(await reopened.counts()).toEqual({ calls: 6, failed: 1 });
  await reopened.close();
});

it('rebuilds the full-text rows of a v3 index (one FTS column per role since v4) from its stored documents', async () => {
  const file = path.join(tmp.dir, 'index.sqlite');
  const current = new SqliteCallStore(file, { index: searchTokens, query: tokenize });
  await current.putMany(contractCalls.map((doc) => ({ doc, docHash: `h-${doc.id}` })));
  await current.close();
  const db = new Database(file);
  // What v3 had: a (role, tokens) FTS table. Left empty, so only a rebuild can answer the searches below.
  db.exec(`DROP TABLE call_fts; DROP TABLE call_words;
    CREATE VIRTUAL TABLE segments_fts USING fts5(role, tokens, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');
    PRAGMA user_version = 3;`);
  db.close();

  const store = new SqliteCallStore(file, { index: searchTokens, query: tokenize });
  try {
    expect((await store.search({ q: '投诉', role: 'customer', limit: 50, offset: 0 })).items.map((h) => h.call.id).sort()).toEqual(['c2', 'c4']);
    expect((await store.query({ filter: { text: { phrase: '年费减免' } } })).items.map((h) => h.call.id)).toEqual(['c6']);
  } finally {
    await store.close();
  }
});

it('renumbers a v4 index (call numbers in insert order) so that numbers and full-text rows follow recording time (v5)', async () => {
  const file = path.join(tmp.dir, 'index.sqlite');
  const current = new SqliteCallStore(file, { index: searchTokens, query: tokenize });
  await current.putMany(contractCalls.map((doc) => ({ doc, docHash: doc.id === 'c2' ? 'b2.g1' : `h-${doc.id}` })));
  // c2 re-graded beside its document (CallStore.putGrades): the grades must survive the renumbering.
  const regraded = contractCalls[3]!.scores.map((sc) => ({ ...sc, version: '2' }));
  expect(await current.putGrades([{ id: 'c2', baseHash: 'b2', docHash: 'b2.g2', scores: regraded, scoreVersion: 'card@2' }])).toEqual([]);
  await current.close();
  const db = new Database(file);
  // v4 numbered calls 1, 2, 3… in insert order; its FTS rows (keyed by those numbers) are left empty here.
  db.exec(`CREATE TEMP TABLE renum AS SELECT n AS old, row_number() OVER (ORDER BY id DESC) AS new FROM calls;
    ${['calls:n', 'call_docs:n', 'call_vectors:n', 'call_labels:call_n', 'call_checkpoints:call_n', 'call_grades:n']
      .map((tc) => {
        const [t, c] = tc.split(':');
        return `UPDATE ${t} SET ${c} = (SELECT new FROM renum WHERE old = ${c});`;
      })
      .join('\n')}
    DROP TABLE call_fts; DROP TABLE call_words;
    CREATE VIRTUAL TABLE segments_fts USING fts5(agent, customer, unknown, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');
    PRAGMA user_version = 4;`);
  db.close();

  const store = new SqliteCallStore(file, { index: searchTokens, query: tokenize });
  try {
    expect(await store.counts()).toEqual({ calls: 6, failed: 1 });
    expect(await store.get('c4')).toEqual(contractCalls[3]);
    expect(await store.docHash('c4')).toBe('h-c4');
    expect((await store.query({ filter: { text: { words: '投诉' } } })).items.map((h) => h.call.id)).toEqual(['c4', 'c3', 'c2']);
    expect((await store.query({ filter: { tags: { any: ['fee.annual'] } } })).items.map((h) => h.call.id)).toEqual(['c1']);
    expect((await store.knn({ vector: [1, 0, 0], k: 1 })).map((h) => h.call.id)).toEqual(['c1']);
    expect((await store.get('c2'))!.scores).toEqual(regraded);
    expect((await store.get('c2'))!.versions.score).toBe('card@2');
    expect(await store.docHash('c2')).toBe('b2.g2');
    // c2's greeting failed in its document and passes in its new grades (c4's): the rebuilt rows follow the grades.
    expect((await store.query({ filter: { checkpoints: [{ checkpointId: 'greeting', outcome: ['failed'] }] } })).items.map((h) => h.call.id)).toEqual([]);
  } finally {
    await store.close();
  }
  const check = new Database(file, { readonly: true });
  const byTime = check.prepare('SELECT n FROM calls ORDER BY recorded_ms').pluck().all() as number[];
  check.close();
  expect(byTime).toEqual([...byTime].sort((a, b) => a - b));
});

it('moves a v5 index (one full-text row per segment) to one row per call (v6) and keeps answering the same', async () => {
  // tests/fixtures/index-v5.sqlite: the contract calls written by the v5 code itself (commit
  // 5f2e63e, `putMany` with docHash h-<id>, then checkpointed and vacuumed): the real v5 file,
  // FTS5's own blocks included, which a DDL copied into this test could not reproduce.
  const file = path.join(tmp.dir, 'index.sqlite');
  mkdirSync(tmp.dir, { recursive: true });
  copyFileSync(path.resolve(import.meta.dirname, '../fixtures/index-v5.sqlite'), file);
  const before = new Database(file, { readonly: true });
  expect(before.pragma('user_version', { simple: true })).toBe(5);
  expect(before.prepare('SELECT count(*) FROM segments_fts_docsize').pluck().get()).toBe(contractCalls.reduce((a, d) => a + d.segments.length, 0));
  before.close();

  for (const analytics of ['duckdb', 'sqlite'] as const) {
    const store = new SqliteCallStore(file, { index: searchTokens, query: tokenize }, { analytics });
    try {
      expect(await store.counts()).toEqual({ calls: 6, failed: 1 });
      expect(await store.get('c4')).toEqual(contractCalls[3]);
      expect(await store.docHash('c4')).toBe('h-c4');
      const ids = async (text: object, sort?: object) => (await store.query({ filter: { text } as never, ...(sort ? { sort: [sort] as never } : {}) })).items.map((h) => h.call.id);
      expect(await ids({ words: '投诉' })).toEqual(['c4', 'c3', 'c2']);
      expect(await ids({ words: '投诉', role: 'customer' })).toEqual(['c4', 'c2']);
      expect(await ids({ phrase: '年费减免' })).toEqual(['c6']);
      // c2's customer said 违约金 and 投诉 in two segments: one row per call holds both, the check refuses it
      // — newest first (the doclist scan) and sorted by score (SQL / the DuckDB mirror).
      for (const sort of [undefined, { field: 'score', order: 'asc' }]) {
        expect(await ids({ words: '违约金 投诉', role: 'customer' }, sort)).toEqual([]);
        expect(await ids({ words: '年费 减免' }, sort)).toEqual(['c6']);
        expect(await ids({ or: [{ words: '违约金 投诉' }, { words: '额度' }] }, sort)).toEqual(['c3']);
      }
      // Label and checkpoint rows are listed on the fact rows since v6 (filled from v5's rows).
      const filtered = async (filter: object) => (await store.query({ filter: filter as never, sort: [{ field: 'score', order: 'desc' }] })).items.map((h) => h.call.id);
      expect(await filtered({ flags: { any: ['complaint_threat'] } })).toEqual(['c2', 'c4']);
      expect(await filtered({ checkpoints: [{ checkpointId: 'empathy', outcome: ['failed'] }] })).toEqual(['c2', 'c4']);
    } finally {
      await store.close();
    }
  }
  // A re-put of a migrated call replaces its rows by that list: c4 loses a flag and its empathy failure.
  const store = new SqliteCallStore(file, { index: searchTokens, query: tokenize }, { analytics: 'sqlite' });
  try {
    const c4 = contractCalls[3]!;
    const score = c4.scores[0]!;
    await store.put(
      { ...c4, review: { ...c4.review!, flags: ['regulator_escalation'] }, scores: [{ ...score, items: score.items.map((i) => (i.checkpointId === 'empathy' ? { ...i, passed: true } : i)) }] },
      'h-c4b',
    );
    const filtered = async (filter: object) => (await store.query({ filter: filter as never })).items.map((h) => h.call.id);
    expect(await filtered({ flags: { any: ['complaint_threat'] } })).toEqual(['c2']);
    expect(await filtered({ flags: { any: ['regulator_escalation'] } })).toEqual(['c4']);
    expect(await filtered({ checkpoints: [{ checkpointId: 'empathy', outcome: ['failed'] }] })).toEqual(['c2']);
    expect(await filtered({ checkpoints: [{ checkpointId: 'empathy', outcome: ['passed'] }] })).toEqual(['c6', 'c4', 'c1']);
  } finally {
    await store.close();
  }
  const after = new Database(file, { readonly: true });
  expect(after.pragma('user_version', { simple: true })).toBe(6);
  expect(after.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'segments_fts'`).pluck().get()).toBe(0);
  expect(after.prepare('SELECT count(*) FROM call_fts_docsize').pluck().get()).toBe(6);
  after.close();
});
