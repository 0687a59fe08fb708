import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import type { CallStore } from '../../indexer/call-store.ts';
import type { AggregateRequest, Filter } from '../../indexer/query-model.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { clusteredVectors } from './clustered-vectors.ts';
import { BRANCHES, PRODUCTS, syntheticCalls, TAGS } from './synthetic-calls.ts';
import { mainThreadCpuUs } from './thread-cpu.ts';

/**
 * The embedded store at scale: bulk load of N synthetic calls, then full-text, trend, comparison,
 * root-cause, percentile and kNN queries, each run with rotating parameters; p50/p95 per query.
 *
 *   node --import tsx bench/store/embedded-store.ts [calls=1000000] [runs=20] [--keep DIR] [--sqlite-only] [--only REGEX] [--no-load] [--threads N] [--clustered-vectors] [--chronological] [--load-only]
 *
 * --only runs the queries whose name matches; --no-load queries whatever DIR already holds;
 * --threads: prepare threads of the bulk load (SqliteStoreOptions.prepareThreads; default 1, as openStore gives the main thread's store).
 * --retrain: forget the call-vector lists first, so warm() trains them again (with --no-load).
 * --chronological: the same calls loaded in recording order (a live ingest, or a backfill sorted by
 * date) instead of random recording order (the generator's default, the worst case for tables keyed by call number).
 * --load-only: stop after the load (rate, CPU and size).
 * --clustered-vectors: call embeddings (and kNN queries) from clustered-vectors.ts instead of the
 * synthetic calls' own (Gaussian noise plus a bump on the call's first tag: barely clustered).
 * Neither is a real embedding. kNN rows run twice: through the IVF index (after warm() trained it)
 * and `exact`, and recall@10 of the first against the second is printed below the table.
 *
 * Targets (issue 7): full text p95 ≤ 100 ms, aggregations p95 ≤ 300 ms, load ≥ 5,000 calls/s.
 */
const calls = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 20);
const keepAt = process.argv.indexOf('--keep');
const dir = keepAt > 0 ? process.argv[keepAt + 1]! : mkdtempSync(path.join(tmpdir(), 'callscope-store-bench-'));
const file = path.join(dir, 'index.sqlite');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const folderBytes = () => readdirSync(dir).reduce((a, f) => a + statSync(path.join(dir, f)).size, 0);

const analytics = process.argv.includes('--sqlite-only') ? 'sqlite' : 'duckdb';
const clustered = process.argv.includes('--clustered-vectors') ? clusteredVectors(192) : null;
const withVector = <D extends { nlp: { embedding?: { model: string; vector: number[] } } | null }>(doc: D): D =>
  clustered && doc.nlp ? { ...doc, nlp: { ...doc.nlp, embedding: { model: 'bench-clustered-192d', vector: clustered.clustered() } } } : doc;
let t = performance.now();
const threadsAt = process.argv.indexOf('--threads');
const threads = threadsAt > 0 ? Number(process.argv[threadsAt + 1]) : 1;
const prepareThreads = { count: threads, tokenizer: { module: path.resolve(import.meta.dirname, '../../nlp/segmenter.ts'), export: 'searchTokens' } };
const store: CallStore = new SqliteCallStore(file, { index: searchTokens, query: tokenize }, { analytics, ...(threads > 0 ? { prepareThreads } : {}) });
const openMs = performance.now() - t;
const existing = (await store.counts()).calls;
let loadRate = 'reused';
if (existing < calls && !process.argv.includes('--no-load')) {
  // Only putMany is timed: generating the synthetic documents is not the store's work.
  let storeMs = 0;
  let storeCpuUs = 0;
  let storeMainUs = 0;
  const loadFrom = loadavg()[0]!;
  const t0 = performance.now();
  let batch: Array<{ doc: ReturnType<typeof syntheticCalls> extends Generator<infer D> ? D : never; docHash: string }> = [];
  let done = 0;
  const flush = async () => {
    const t = performance.now();
    const c = process.cpuUsage();
    const m = mainThreadCpuUs();
    await store.putMany(batch);
    storeMs += performance.now() - t;
    const used = process.cpuUsage(c);
    storeCpuUs += used.user + used.system;
    storeMainUs += mainThreadCpuUs() - m;
    batch = [];
  };
  for (const doc of syntheticCalls(calls, { chronological: process.argv.includes('--chronological') })) {
    if (done++ < existing) continue;
    batch.push({ doc: withVector(doc), docHash: doc.id });
    if (batch.length === 2000) {
      await flush();
      if (done % 100_000 === 0) process.stderr.write(`loaded ${fmt(done)} calls, ${fmt((done - existing) / (storeMs / 1000))}/s in putMany (${fmt((done - existing) / ((performance.now() - t0) / 1000))}/s with generation)\n`);
    }
  }
  if (batch.length) await flush();
  loadRate = `${fmt((calls - existing) / (storeMs / 1000))} calls/s (${process.argv.includes('--chronological') ? 'recording order' : 'random recording order'}); CPU ${fmt(storeCpuUs / (calls - existing))} µs a call (writing thread ${fmt(storeMainUs / (calls - existing))}); load average ${loadFrom.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`;
}

if (process.argv.includes('--load-only')) {
  await store.close();
  console.log(`bulk load of ${fmt(calls)} calls: ${loadRate}; ${fmt(folderBytes() / 1e6)} MB (${fmt(folderBytes() / calls)} bytes a call)`);
  process.exit(0);
}

type Case = { name: string; kind: 'text' | 'agg' | 'knn' | 'page'; run: (i: number) => Promise<unknown> };
const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;
const quarter = { recordedAt: { gte: '2026-01-01', lt: '2026-04-01' } };
const month = (i: number) => ({ recordedAt: { gte: `2026-${String(1 + (i % 11)).padStart(2, '0')}-01`, lt: `2026-${String(2 + (i % 11)).padStart(2, '0')}-01` } });
const complaint: Filter = { tags: { any: TAGS.filter((t) => t.complaint).map((t) => t.id) } };
const words = ['投诉', '年费', '违约金', '挂失', '额度', '验证码', '银保监会', '亏钱'];
const agg = (req: z.input<typeof AggregateRequest>) => store.aggregate(req);
const probe = clustered ? Array.from({ length: 50 }, clustered.clustered) : [...syntheticCalls(50, { seed: 99 })].map((d) => d.nlp!.embedding!.vector);
/** Call ids each kNN case returned, by run: recall@10 of the IVF rows against their exact twins. */
const knnIds = new Map<string, string[][]>();
const knnCase = (name: string, filter: (i: number) => Filter, exact: boolean): Case => ({
  name: `${name}${exact ? ' (exact)' : ''}`,
  kind: 'knn',
  run: async (i) => {
    const hits = await store.knn({ vector: pick(probe, i), k: 10, filter: filter(i), exact });
    const ids = knnIds.get(name + exact) ?? [];
    ids[i] = hits.map((h) => h.call.id);
    knnIds.set(name + exact, ids);
  },
});
const KNN_CASES: Array<[string, (i: number) => Filter]> = [
  ['kNN: 10 nearest calls, no filter', () => ({})],
  ['kNN: 10 nearest calls, product filter', (i) => ({ terms: { product: [pick(PRODUCTS, i)] } })],
  ['kNN: 10 nearest calls, branch + month filter', (i) => ({ terms: { branch: [pick(BRANCHES, i)] }, dates: month(i) })],
];

const cases: Case[] = [
  { name: 'text: customer said <word>, newest 50', kind: 'text', run: (i) => store.query({ filter: { text: { words: pick(words, i), role: 'customer' } }, size: 50 }) },
  { name: 'text: phrase + branch + quarter', kind: 'text', run: (i) => store.query({ filter: { text: { phrase: pick(['提前还款', '手续费太高', '信用额度', '态度太差'], i) }, terms: { branch: [pick(BRANCHES, i)] }, dates: quarter }, size: 50 }) },
  { name: 'text: (A and not B) or C, by score', kind: 'text', run: (i) => store.query({ filter: { text: { or: [{ and: [{ words: '投诉', role: 'customer' }, { not: { words: '抱歉', role: 'agent' } }] }, { words: pick(words, i + 3) }] } }, sort: [{ field: 'score', order: 'asc' }], size: 50 }) },
  { name: 'text: /api/search (words in one segment, newest first)', kind: 'text', run: (i) => store.search({ q: pick(words, i), limit: 50, offset: 0 }) },
  {
    name: 'trend: daily, 1 product, 90 days, complaints + score stats',
    kind: 'agg',
    run: (i) => agg({ filter: { terms: { product: [pick(PRODUCTS, i)] }, dates: quarter }, aggs: { t: { type: 'date_histogram', interval: 'day', aggs: { complaints: { type: 'filter', filter: complaint }, score: { type: 'stats', field: 'score' } } } } }),
  },
  {
    name: 'trend: weekly, whole year, all calls',
    kind: 'agg',
    run: () => agg({ aggs: { t: { type: 'date_histogram', interval: 'week', aggs: { complaints: { type: 'filter', filter: complaint } } } } }),
  },
  {
    name: 'comparison: 2 branches, 1 month, score/complaints/checkpoint',
    kind: 'agg',
    run: (i) =>
      agg({
        filter: { terms: { branch: [pick(BRANCHES, i), pick(BRANCHES, i + 7)] }, dates: month(i) },
        aggs: { b: { type: 'terms', field: 'branch', aggs: { score: { type: 'stats', field: 'score' }, complaints: { type: 'filter', filter: complaint }, empathy: { type: 'terms', field: 'checkpoint:empathy' } } } },
      }),
  },
  {
    name: 'root cause: complaint rate by branch, product, team (quarter)',
    kind: 'agg',
    run: () =>
      agg({
        filter: { dates: quarter },
        aggs: Object.fromEntries(['branch', 'product', 'team'].map((f) => [f, { type: 'terms', field: f, size: 50, aggs: { target: { type: 'filter', filter: complaint } } }])),
      }),
  },
  {
    name: 'root cause: by agent in one branch (year)',
    kind: 'agg',
    run: (i) => agg({ filter: { terms: { branch: [pick(BRANCHES, i)] } }, aggs: { a: { type: 'terms', field: 'agentId', size: 100, aggs: { target: { type: 'filter', filter: complaint } } } } }),
  },
  { name: 'tags × month (year)', kind: 'agg', run: () => agg({ aggs: { m: { type: 'date_histogram', interval: 'month', aggs: { tags: { type: 'terms', field: 'tags', size: 10 } } } } }) },
  { name: 'percentiles of score by product (month)', kind: 'agg', run: (i) => agg({ filter: { dates: month(i) }, aggs: { p: { type: 'terms', field: 'product', aggs: { q: { type: 'percentiles', field: 'score', percents: [5, 50, 95] } } } } }) },
  ...KNN_CASES.flatMap(([name, filter]) => [knnCase(name, filter, false), knnCase(name, filter, true)]),
  {
    name: 'filters: failed checkpoint + flag + score range, page 3 by cursor',
    kind: 'page',
    run: async (i) => {
      const q = { filter: { checkpoints: [{ checkpointId: pick(['empathy', 'standard_greeting', 'identity_verification'], i), outcome: 'failed' as const }], ranges: { score: { lt: 70 } }, terms: { branch: [pick(BRANCHES, i)] } }, size: 50 };
      const p1 = await store.query(q);
      const p2 = p1.next ? await store.query({ ...q, after: p1.next }) : p1;
      return p2.next ? store.query({ ...q, after: p2.next }) : p2;
    },
  },
];

t = performance.now();
await store.aggregate({ aggs: { warm: { type: 'stats', field: 'score' } } });
const firstAggMs = performance.now() - t;
// Trains the vector indexes (call vectors here) in a worker thread, as `callscope serve` does at start;
// meanwhile kNN queries are answered here (exactly before the first training, else from the old lists)
// and the longest stall of this thread's event loop is measured.
const sqliteDb = (store as unknown as { db: import('better-sqlite3').Database }).db;
if (process.argv.includes('--retrain')) sqliteDb.exec('DELETE FROM call_ivf_vector_centroids'); // as before the first training
t = performance.now();
let warmed = false;
const warming = store.warm?.().finally(() => (warmed = true));
const during: number[] = [];
let lastTick = performance.now();
let longestStall = 0;
const ticker = setInterval(() => {
  longestStall = Math.max(longestStall, performance.now() - lastTick);
  lastTick = performance.now();
}, 10);
for (let i = 0; !warmed && i < 1000; i++) {
  const q0 = performance.now();
  await store.knn({ vector: pick(probe, i), k: 10 });
  during.push(performance.now() - q0);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await warming;
clearInterval(ticker);
const warmMs = performance.now() - t;
during.sort((a, b) => a - b);
const vectorMeta = Object.fromEntries(sqliteDb.prepare('SELECT name, value FROM call_ivf_vector_meta').raw().all() as Array<[string, number]>);

const rows: string[] = [];
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? new RegExp(process.argv[onlyAt + 1]!) : null;
for (const c of cases.filter((c) => !only || only.test(c.name))) {
  await c.run(runs); // warm-up with a parameter outside the measured ones
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await c.run(i);
    times.push(performance.now() - t0);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!;
  const target = c.kind === 'text' ? 100 : c.kind === 'agg' ? 300 : null;
  const cpu50 = cpu[Math.floor(cpu.length / 2)]!;
  rows.push(`| ${c.name} | ${q(50).toFixed(0)} | ${q(95).toFixed(0)} | ${cpu50.toFixed(0)} | ${target === null ? '–' : `${q(95) <= target ? 'ok' : 'MISS'} (≤ ${target})`} |`);
  process.stderr.write(`${c.name}: p95 ${q(95).toFixed(0)} ms\n`);
}
const size = folderBytes();
await store.close();

console.log(`\nEmbedded store (${analytics === 'duckdb' ? 'SQLite + in-memory DuckDB mirror for counts, sorts and aggregations' : 'SQLite only'}), ${fmt(calls)} synthetic calls, ${runs} runs per query (2-core machine shared with other work)\n`);
console.log(`| step | value |\n| --- | ---: |`);
console.log(`| bulk load (putMany × 2000: jieba, FTS5, facts, vectors, LZ4 docs; ${threads} prepare threads) | ${loadRate} |`);
console.log(`| folder size (index.sqlite + WAL) | ${(size / 1e9).toFixed(2)} GB (${fmt(size / calls)} bytes/call) |`);
console.log(`| open the file (incl. any schema migration) | ${fmt(openMs)} ms |`);
console.log(`| first aggregation of a process (${analytics === 'duckdb' ? 'builds the DuckDB mirror' : 'cold cache'}) | ${fmt(firstAggMs)} ms |`);
console.log(`| train the call-vector IVF index (warm(), worker thread; ${fmt(vectorMeta.trainedOn ?? 0)} vectors, ${clustered ? 'clustered-vectors.ts' : 'synthetic-calls'} vectors) | ${fmt(warmMs)} ms |`);
if (during.length) {
  console.log(
    `| meanwhile: kNN (no filter) answered ${during.length} times, p50 ${fmt(during[Math.floor(during.length / 2)]!)} ms, max ${fmt(during[during.length - 1]!)} ms; longest event-loop stall ${fmt(longestStall)} ms | – |`,
  );
}
console.log(`load average during the queries: ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min; 2 cores)`);
console.log(`\n| query | p50 ms | p95 ms | CPU ms (p50, all threads) | target (wall p95) |\n| --- | ---: | ---: | ---: | --- |`);
for (const r of rows) console.log(r);
const recallRows = KNN_CASES.flatMap(([name]) => {
  const [ivf, exact] = [knnIds.get(name + false), knnIds.get(name + true)];
  if (!ivf || !exact) return [];
  const runs = exact.map((e, i) => ivf[i]!.filter((id) => e.includes(id)).length / Math.max(1, e.length));
  return [`| ${name} | ${(runs.reduce((a, b) => a + b, 0) / runs.length).toFixed(3)} |`];
});
if (recallRows.length) {
  console.log(`\nCall kNN recall@10, IVF (default nprobe) against exact, over the runs (vectors: ${clustered ? 'clustered-vectors.ts' : 'synthetic-calls.ts'}, random — not real embeddings)\n\n| query | recall@10 |\n| --- | ---: |`);
  for (const r of recallRows) console.log(r);
}
if (keepAt < 0) rmSync(dir, { recursive: true, force: true });
