import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { syntheticCalls } from '../../bench/store/synthetic-calls.ts';
import type { CallDoc } from '../../core/schemas.ts';
import { unpackDoc } from '../../indexer/sqlite/doc-codec.ts';
import { PREPARE_IN_THREADS_FROM, SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { tempDir } from '../helpers.ts';

const tokenizer = { index: searchTokens, query: tokenize };
const segmenter = path.resolve(import.meta.dirname, '../../nlp/segmenter.ts');
const docs: CallDoc[] = [...syntheticCalls(PREPARE_IN_THREADS_FROM + 150, { seed: 5, startDate: '2026-05-01', days: 20, embeddingDims: 4 })];
const batch = (ds: CallDoc[]) => ds.map((doc) => ({ doc, docHash: `h-${doc.id}` }));

/**
 * Everything the store wrote, table by table (FTS5's own inverted-index blocks included); the
 * documents decoded (V8 writes a string one- or two-byte as it is held in memory at the time, so
 * the same document's bytes may differ by a few: the decoded document and its codec are compared).
 */
function contents(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = ['calls', 'call_labels', 'call_checkpoints', 'call_ivf_vectors', 'call_fts_data', 'call_fts_docsize', 'call_words', 'doc_dictionaries'];
    const dictionary = (id: number) => db.prepare('SELECT bytes FROM doc_dictionaries WHERE id = ?').pluck().get(id) as Buffer;
    const docs = (db.prepare('SELECT n, doc, codec FROM call_docs ORDER BY n').raw().all() as Array<[number, Buffer, number | null]>).map(([n, blob, codec]) => [n, unpackDoc({ blob, codec }, dictionary), codec]);
    return { ...Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).raw().all()])), call_docs: docs };
  } finally {
    db.close();
  }
}

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('callscope-prepare-threads-');
});
afterEach(() => tmp.cleanup());

async function loadBoth(steps: Array<Array<{ doc: CallDoc; docHash: string }>>) {
  const files = { here: path.join(tmp.dir, 'here.sqlite'), threads: path.join(tmp.dir, 'threads.sqlite') };
  const here = new SqliteCallStore(files.here, tokenizer, { analytics: 'sqlite' });
  const threads = new SqliteCallStore(files.threads, tokenizer, { analytics: 'sqlite', prepareThreads: { count: 2, tokenizer: { module: segmenter, export: 'searchTokens' } } });
  try {
    for (const step of steps) {
      await here.putMany(step);
      await threads.putMany(step);
    }
    const search = { filter: { text: { words: '年费', role: 'customer' as const } }, size: 20 };
    expect((await threads.query(search)).items.map((h) => h.call.id)).toEqual((await here.query(search)).items.map((h) => h.call.id));
  } finally {
    await here.close();
    await threads.close();
  }
  return { here: contents(files.here), threads: contents(files.threads) };
}

it('a bulk write prepared in threads stores exactly what one prepared in the writing thread stores', async () => {
  const { here, threads } = await loadBoth([batch(docs)]);
  expect(here.calls).toHaveLength(docs.length);
  expect((here.call_fts_docsize as unknown[]).length).toBe(docs.length);
  expect(threads).toEqual(here);
});

it('a bulk re-put in threads rebuilds the text rows of changed calls only, like the writing thread', async () => {
  const changed = docs.map((d, i) =>
    i % 3 === 0 ? { ...d, segments: d.segments.map((s, k) => (k === 1 ? { ...s, textMasked: '我要投诉你们的年费' } : s)) } : { ...d, durationSec: (d.durationSec ?? 0) + 1 },
  );
  const { here, threads } = await loadBoth([batch(docs), batch(changed)]);
  expect(threads).toEqual(here);
  // The re-put changed the text of every third call: its FTS rows were replaced, the others kept.
  const db = new SqliteCallStore(path.join(tmp.dir, 'threads.sqlite'), tokenizer, { analytics: 'sqlite' });
  try {
    const hits = await db.query({ filter: { text: { phrase: '投诉 你们 的 年费', role: 'customer' } }, size: 1, trackTotalHits: true });
    expect(hits.total).toBeGreaterThan(100);
    expect(hits.total).toBe(changed.filter((_, i) => i % 3 === 0 && docs[i]!.segments[1]!.role === 'customer').length);
  } finally {
    await db.close();
  }
});

it('fails the whole bulk write, writing nothing, when the threads cannot load the tokenizer', async () => {
  const file = path.join(tmp.dir, 'broken.sqlite');
  const store = new SqliteCallStore(file, tokenizer, { analytics: 'sqlite', prepareThreads: { count: 1, tokenizer: { module: segmenter, export: 'noSuchExport' } } });
  try {
    await expect(store.putMany(batch(docs))).rejects.toMatchObject({ code: 'STORE_FAILED', message: expect.stringContaining('noSuchExport') });
    expect(await store.counts()).toEqual({ calls: 0, failed: 0 });
    // Small batches are prepared in the writing thread: they still work.
    await store.putMany(batch(docs.slice(0, 3)));
    expect((await store.counts()).calls).toBe(3);
  } finally {
    await store.close();
  }
});

it('a bulk write prepared in threads keeps segment embeddings in the vector index, not in the stored document', async () => {
  const withVectors = docs.map((d, i) => ({
    ...d,
    nlp: { ...d.nlp!, segmentEmbeddings: { model: 'test-4d', vectors: d.segments.map((s, k) => ({ segmentId: s.id, vector: [i, k, 1, 0] })) } },
  }));
  const store = new SqliteCallStore(path.join(tmp.dir, 'vectors.sqlite'), tokenizer, { analytics: 'sqlite', prepareThreads: { count: 1, tokenizer: { module: segmenter, export: 'searchTokens' } } });
  try {
    await store.putMany(batch(withVectors));
    const sample = withVectors[7]!;
    expect((await store.get(sample.id))!.nlp!.segmentEmbeddings).toBeUndefined();
    const stored = await store.segmentVector(sample.id, sample.segments[1]!.id);
    // Stored as a unit vector: compare directions.
    const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));
    unit(stored!).forEach((x, i) => expect(x).toBeCloseTo(unit([7, 1, 1, 0])[i]!, 5));
  } finally {
    await store.close();
  }
});
