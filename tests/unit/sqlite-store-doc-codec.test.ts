import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { syntheticCalls } from '../../bench/store/synthetic-calls.ts';
import type { CallDoc } from '../../core/schemas.ts';
import { withoutSegmentEmbeddings } from '../../indexer/call-store.ts';
import { segmentTextHash, segmentTriples, textHashOf } from '../../indexer/sqlite/call-row.ts';
import { serializeDoc } from '../../indexer/sqlite/doc-codec.ts';
import { MAX_SEGMENTS } from '../../indexer/sqlite/schema.ts';
import { PREPARE_IN_THREADS_FROM, SqliteCallStore, type SqliteStoreOptions } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { contractCalls } from '../contract/store-fixtures.ts';
import { tempDir } from '../helpers.ts';

const tokenizer = { index: searchTokens, query: tokenize };
const segmenter = path.resolve(import.meta.dirname, '../../nlp/segmenter.ts');
const threads: SqliteStoreOptions = { analytics: 'sqlite', prepareThreads: { count: 2, tokenizer: { module: segmenter, export: 'searchTokens' } } };
const docs: CallDoc[] = [...syntheticCalls(PREPARE_IN_THREADS_FROM + 100, { seed: 21, startDate: '2026-03-01', days: 10, embeddingDims: 4 })];
const batch = (ds: CallDoc[]) => ds.map((doc) => ({ doc, docHash: `h-${doc.id}` }));

let tmp: ReturnType<typeof tempDir>;
let file: string;
beforeEach(() => {
  tmp = tempDir('callscope-doc-codec-');
  file = path.join(tmp.dir, 'index.sqlite');
});
afterEach(() => tmp.cleanup());

/** The codec of each stored document, by call id, and the dictionaries' ids — read with SQL. */
function stored(): { codecs: Map<string, number | null>; dictionaries: number[] } {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT c.id, d.codec FROM calls c JOIN call_docs d ON d.n = c.n').raw().all() as Array<[string, number | null]>;
    return { codecs: new Map(rows), dictionaries: db.prepare('SELECT id FROM doc_dictionaries ORDER BY id').pluck().all() as number[] };
  } finally {
    db.close();
  }
}

async function readAll(store: SqliteCallStore): Promise<Map<string, CallDoc>> {
  const out = new Map<string, CallDoc>();
  for await (const doc of store.all()) out.set(doc.id, doc);
  return out;
}

it('reads back what bulk writes (in threads) and single puts stored, before and after reopening', async () => {
  const bulk = docs.slice(0, PREPARE_IN_THREADS_FROM + 50);
  const single = docs.slice(PREPARE_IN_THREADS_FROM + 50);
  let store = new SqliteCallStore(file, tokenizer, threads);
  try {
    await store.putMany(batch(bulk));
    for (const doc of single) await store.put(doc, `h-${doc.id}`);
    for (const doc of [...bulk.slice(0, 20), ...single.slice(0, 20)]) expect(await store.get(doc.id)).toStrictEqual(withoutSegmentEmbeddings(doc));
    // docsByN (a page of a query), for a text query and a plain one.
    const page = await store.query({ filter: {}, sort: [{ field: 'recordedAt', order: 'asc' }], size: 50 });
    for (const { call } of page.items) expect(call).toStrictEqual(withoutSegmentEmbeddings(docs.find((d) => d.id === call.id)!));
  } finally {
    await store.close();
  }
  // One dictionary, made by the bulk write (it brought more than 32 KB) and used by every row since.
  const { codecs, dictionaries } = stored();
  expect(dictionaries).toEqual([1]);
  expect(new Set(codecs.values())).toEqual(new Set([1]));
  store = new SqliteCallStore(file, tokenizer, { analytics: 'sqlite' });
  try {
    const all = await readAll(store);
    expect(all.size).toBe(docs.length);
    for (const doc of docs) expect(all.get(doc.id)).toStrictEqual(withoutSegmentEmbeddings(doc));
    // The reopened store writes with the dictionary it loaded.
    await store.put({ ...docs[0]!, durationSec: 1234 }, 'h-again');
    expect((await store.get(docs[0]!.id))!.durationSec).toBe(1234);
  } finally {
    await store.close();
  }
  expect(stored().dictionaries).toEqual([1]);
  expect(stored().codecs.get(docs[0]!.id)).toBe(1);
});

it('single puts store without a dictionary until 32 KB of documents were seen, then make one and use it', async () => {
  const store = new SqliteCallStore(file, tokenizer, { analytics: 'sqlite' });
  const few = docs.slice(0, 12);
  try {
    for (const doc of few) await store.put(doc, `h-${doc.id}`);
    const { codecs, dictionaries } = stored();
    expect(dictionaries).toEqual([1]);
    const sequence = few.map((d) => codecs.get(d.id));
    // A synthetic document serialises to ~6 KB: the first few go without, the rest with dictionary 1.
    const without = sequence.indexOf(1);
    expect(without).toBeGreaterThanOrEqual(3);
    expect(without).toBeLessThanOrEqual(7);
    expect(sequence).toEqual([...Array(without).fill(0), ...Array(few.length - without).fill(1)]);
    for (const doc of few) expect(await store.get(doc.id)).toStrictEqual(withoutSegmentEmbeddings(doc));
  } finally {
    await store.close();
  }
});

it('keeps reading the brotli documents (codec NULL) of an older file beside the new ones', async () => {
  // tests/fixtures/index-v5.sqlite: the contract calls written by the v5 code (JSON, brotli).
  copyFileSync(path.resolve(import.meta.dirname, '../fixtures/index-v5.sqlite'), file);
  let store = new SqliteCallStore(file, tokenizer, threads);
  try {
    expect(stored().codecs).toEqual(new Map(contractCalls.map((d) => [d.id, null])));
    await store.putMany(batch(docs));
    for (const d of contractCalls) expect(await store.get(d.id)).toEqual(d);
  } finally {
    await store.close();
  }
  const { codecs, dictionaries } = stored();
  expect(dictionaries).toEqual([1]);
  for (const d of contractCalls) expect(codecs.get(d.id)).toBeNull();
  for (const d of docs) expect(codecs.get(d.id)).toBe(1);
  store = new SqliteCallStore(file, tokenizer, { analytics: 'sqlite' });
  try {
    const all = await readAll(store);
    expect(all.size).toBe(contractCalls.length + docs.length);
    for (const d of contractCalls) expect(all.get(d.id)).toEqual(d);
    for (const d of docs.slice(0, 30)) expect(all.get(d.id)).toStrictEqual(withoutSegmentEmbeddings(d));
    // A re-put of an old call stores it in the new format.
    await store.put(contractCalls[0]!, 'h-new');
    expect(await store.get(contractCalls[0]!.id)).toEqual(contractCalls[0]);
  } finally {
    await store.close();
  }
  expect(stored().codecs.get(contractCalls[0]!.id)).toBe(1);
});

it('saves the dictionary again when the write that made it rolled back', async () => {
  const store = new SqliteCallStore(file, tokenizer, threads);
  try {
    const tooLong = { ...docs[5]!, id: 'too-long', segments: Array.from({ length: MAX_SEGMENTS + 1 }, (_, i) => ({ ...docs[5]!.segments[0]!, id: `s${i}` })) };
    await expect(store.putMany(batch([...docs.slice(0, 250), tooLong]))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(stored().dictionaries).toEqual([]);
    await store.putMany(batch(docs.slice(0, 250)));
    expect(stored().dictionaries).toEqual([1]);
    expect(new Set(stored().codecs.values())).toEqual(new Set([1]));
    for (const doc of docs.slice(0, 250)) expect(await store.get(doc.id)).toStrictEqual(withoutSegmentEmbeddings(doc));
  } finally {
    await store.close();
  }
});

it('two stores on one file that each made a dictionary read each other’s documents', async () => {
  const a = new SqliteCallStore(file, tokenizer, { analytics: 'sqlite' });
  const b = new SqliteCallStore(file, tokenizer, { analytics: 'sqlite' });
  try {
    await a.putMany(batch(docs.slice(0, 20)));
    await b.putMany(batch(docs.slice(20, 40)));
    expect(stored().dictionaries).toEqual([1, 2]);
    for (const doc of docs.slice(0, 40)) {
      expect(await a.get(doc.id)).toStrictEqual(withoutSegmentEmbeddings(doc));
      expect(await b.get(doc.id)).toStrictEqual(withoutSegmentEmbeddings(doc));
    }
    const { codecs } = stored();
    expect(docs.slice(0, 40).map((d) => codecs.get(d.id))).toEqual([...Array(20).fill(1), ...Array(20).fill(2)]);
  } finally {
    await a.close();
    await b.close();
  }
});

it('serialises a holey embedding array as the packed one (V8 writes holey arrays index by index)', () => {
  const doc = withoutSegmentEmbeddings(docs[3]!);
  const values = Array.from({ length: 192 }, (_, i) => Math.round(Math.sin(i) * 1e4) / 1e4);
  const holey: number[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) holey[i] = values[i]!;
  const packedCopy: number[] = [];
  for (const v of values) packedCopy.push(v);
  const withVector = (vector: number[]) => ({ ...doc, nlp: { ...doc.nlp!, embedding: { ...doc.nlp!.embedding!, vector } } });
  // The premise: V8 itself gives the two arrays different bytes.
  expect(serialize(withVector(holey)).length).toBeGreaterThan(serialize(withVector(packedCopy)).length + 200);
  expect(serializeDoc(withVector(holey))).toEqual(serializeDoc(withVector(packedCopy)));
  expect(serializeDoc(withVector(holey)).length).toBeLessThan(serialize(withVector(holey)).length - 200);
  expect(deserialize(serializeDoc(withVector(holey)))).toStrictEqual(withVector(packedCopy));
});

it('hashes segment text as the code that wrote tests/fixtures/index-v5.sqlite did (the threads hash the flat segment strings)', () => {
  const db = new Database(path.resolve(import.meta.dirname, '../fixtures/index-v5.sqlite'), { readonly: true });
  try {
    const written = new Map(db.prepare('SELECT id, text_hash FROM calls').raw().all() as Array<[string, string]>);
    expect(written.size).toBe(contractCalls.length);
    for (const doc of contractCalls) {
      expect(segmentTextHash(doc)).toBe(written.get(doc.id));
      expect(textHashOf(segmentTriples(doc))).toBe(written.get(doc.id));
    }
  } finally {
    db.close();
  }
});
