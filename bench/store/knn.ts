import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { CallDoc } from '../../core/schemas.ts';
import type { Filter, SegmentKnnQuery } from '../../indexer/query-model.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { clusteredVectors } from './clustered-vectors.ts';
import { syntheticCalls } from './synthetic-calls.ts';

/**
 * Segment kNN on the embedded store: recall@10 of the IVF index against the exact scan (the
 * reference column), and p50/p95 latency, with and without filters.
 *
 *   node --import tsx bench/store/knn.ts [calls=100000] [queries=20] [--keep DIR] [--no-load]
 *        [--query utterance|topic|random] [--cases REGEX]
 *
 * --query: what the queries are — `utterance` (default) drawn like the data, so their neighbours
 * are utterances of the same phrasing; `topic` a point near a topic between its phrasings (many
 * near-ties); `random` a random direction (neighbours scattered over many lists: IVF's worst case).
 * --cases runs the filter cases whose name matches.
 *
 * Data: the synthetic calls of synthetic-calls.ts, each with up to 10 segment vectors (192-d):
 * random *clustered* vectors in two levels — 500 topics (random unit directions), 40 phrasings
 * around each (cosine ≈ 0.8 with the topic), each utterance a phrasing plus noise (cosine ≈ 0.9),
 * unit length — and queries drawn the same way. Not real utterance embeddings: right for latency
 * and for comparing approximate with exact on the same data, not a statement about recall on
 * real text (real embeddings have a lower intrinsic dimension, which favours IVF).
 *
 * recall@10 = |calls returned ∩ calls of the exact answer| / 10 (hits are calls, each with its
 * nearest segment), averaged over the queries.
 */
const calls = Number(process.argv[2] ?? 100_000);
const queries = Number(process.argv[3] ?? 20);
const keepAt = process.argv.indexOf('--keep');
const dir = keepAt > 0 ? process.argv[keepAt + 1]! : mkdtempSync(path.join(tmpdir(), 'callscope-knn-bench-'));
const file = path.join(dir, 'index.sqlite');
const DIMS = 192;
const PER_CALL = 10;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

const { clustered, queries: queryMakers } = clusteredVectors(DIMS);

function withVectors(doc: CallDoc): CallDoc {
  const vectors = doc.segments.slice(0, PER_CALL).map((s) => ({ segmentId: s.id, vector: clustered() }));
  return { ...doc, nlp: { ...doc.nlp!, segmentEmbeddings: { model: 'bench-clustered-192d', vectors } } };
}

const store = new SqliteCallStore(file, { index: searchTokens, query: tokenize }, { analytics: 'sqlite' });
const existing = (await store.counts()).calls;
let loadLine = `reused ${fmt(existing)} calls in ${dir}`;
if (existing < calls && !process.argv.includes('--no-load')) {
  let storeMs = 0;
  let batch: Array<{ doc: CallDoc; docHash: string }> = [];
  const flush = async () => {
    const t = performance.now();
    await store.putMany(batch);
    storeMs += performance.now() - t;
    batch = [];
  };
  let done = 0;
  for (const doc of syntheticCalls(calls)) {
    if (done++ < existing) continue;
    batch.push({ doc: withVectors(doc), docHash: doc.id });
    if (batch.length === 2000) await flush();
  }
  await flush();
  loadLine = `loaded ${fmt(calls - existing)} calls with segment vectors in ${(storeMs / 1000).toFixed(1)} s of putMany (${fmt(((calls - existing) / storeMs) * 1000)} calls/s)`;
}
console.log(loadLine, `| load average ${load()}`);
let t = performance.now();
await store.warm();
console.log(`IVF index built/refreshed (warm: train + assign) in ${((performance.now() - t) / 1000).toFixed(1)} s | load average ${load()}`);
const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
const meta = Object.fromEntries(db.prepare('SELECT name, value FROM segment_vector_meta').raw().all() as Array<[string, number]>);
const lists = db.prepare('SELECT count(*) FROM segment_vector_centroids').pluck().get() as number;
const bytes = readdirSync(dir).reduce((a, f) => a + statSync(path.join(dir, f)).size, 0);
console.log(`${fmt(meta.count ?? 0)} segment vectors (${DIMS}-d) of ${fmt(meta.calls ?? 0)} calls, ${lists} IVF lists, backlog ${fmt(meta.backlog ?? 0)}, folder ${(bytes / 2 ** 20).toFixed(0)} MiB`);

const queryKind = process.argv.includes('--query') ? process.argv[process.argv.indexOf('--query') + 1]! : 'utterance';
const casesAt = process.argv.indexOf('--cases');
const onlyCases = casesAt > 0 ? new RegExp(process.argv[casesAt + 1]!) : null;
const makeQuery = queryMakers[queryKind];
if (!makeQuery) throw new Error(`--query is utterance, topic or random, not ${queryKind}`);
const qs = Array.from({ length: queries }, makeQuery);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const share = (f: Filter) => (db.prepare(`SELECT count(*) FROM calls WHERE ${f.terms?.product ? 'product = ?' : f.terms?.branch ? 'branch = ?' : 'passed = ?'}`).pluck().get(f.terms?.product?.[0] ?? f.terms?.branch?.[0] ?? 1) as number) / calls;

type Case = { name: string; filter?: Filter; role?: 'customer' };
const bigBranch = db.prepare('SELECT branch FROM calls GROUP BY branch ORDER BY count(*) DESC LIMIT 1').pluck().get() as string;
const cases: Case[] = [
  { name: 'no filter' },
  { name: 'role customer', role: 'customer' },
  { name: `passed = true`, filter: { booleans: { passed: true } } },
  { name: `branch ${bigBranch}`, filter: { terms: { branch: [bigBranch] } } },
  { name: 'product 外汇', filter: { terms: { product: ['外汇'] } } },
];

async function timed(q: Partial<SegmentKnnQuery> & { vector: number[] }): Promise<{ ms: number; ids: string[] }> {
  const t = performance.now();
  const hits = await store.knnSegments({ k: 10, ...q });
  return { ms: performance.now() - t, ids: hits.map((h) => h.call.id) };
}

const rows: string[][] = [];
for (const c of cases) {
  if (onlyCases && !onlyCases.test(c.name)) continue;
  const base = { ...(c.filter ? { filter: c.filter } : {}), ...(c.role ? { role: c.role } : {}) };
  const exact: Array<{ ms: number; ids: string[] }> = [];
  for (const vector of qs) exact.push(await timed({ ...base, vector, exact: true }));
  const calls = c.filter ? `${(share(c.filter) * 100).toFixed(1)} %` : '100 %';
  for (const nprobe of [undefined, 4, 32]) {
    const approx = [];
    for (const vector of qs) approx.push(await timed({ ...base, vector, ...(nprobe ? { nprobe } : {}) }));
    const recall = approx.reduce((s, a, i) => s + a.ids.filter((id) => exact[i]!.ids.includes(id)).length / Math.max(1, exact[i]!.ids.length), 0) / qs.length;
    const ms = approx.map((a) => a.ms);
    const ex = exact.map((a) => a.ms);
    rows.push([c.name, calls, nprobe ? String(nprobe) : 'default', recall.toFixed(3), pct(ms, 50).toFixed(1), pct(ms, 95).toFixed(1), pct(ex, 50).toFixed(1), pct(ex, 95).toFixed(1), (pct(ex, 50) / pct(ms, 50)).toFixed(1)]);
    console.log(rows[rows.length - 1]!.join(' | '));
  }
}

// Call-level kNN (one vector a call: the synthetic calls' own embeddings) at the same size, IVF and exact.
const callKnn = { ivf: [] as number[], exact: [] as number[], recall: 0 };
for (const vector of qs) {
  const timedKnn = async (exact: boolean) => {
    const t = performance.now();
    const ids = (await store.knn({ vector, k: 10, exact })).map((h) => h.call.id);
    callKnn[exact ? 'exact' : 'ivf'].push(performance.now() - t);
    return ids;
  };
  const [approx, exact] = [await timedKnn(false), await timedKnn(true)];
  callKnn.recall += approx.filter((id) => exact.includes(id)).length / Math.max(1, exact.length) / qs.length;
}

const header = ['query', 'calls kept', 'nprobe', 'recall@10 vs exact', 'IVF p50 ms', 'IVF p95 ms', 'exact p50 ms', 'exact p95 ms', 'speed-up p50'];
console.log(`\nSegment kNN, k = 10, ${queries} ${queryKind} queries each, ${fmt(meta.count ?? 0)} vectors / ${fmt(calls)} calls, ${lists} lists | load average ${load()}`);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(
  `\nCall-level kNN (${fmt(calls)} call vectors, synthetic-calls.ts embeddings): IVF p50 ${pct(callKnn.ivf, 50).toFixed(1)} ms, p95 ${pct(callKnn.ivf, 95).toFixed(1)} ms; exact p50 ${pct(callKnn.exact, 50).toFixed(1)} ms, p95 ${pct(callKnn.exact, 95).toFixed(1)} ms; recall@10 ${callKnn.recall.toFixed(3)}`,
);
console.log(`load average at the end: ${load()}`);
await store.close();
if (keepAt < 0) rmSync(dir, { recursive: true, force: true });
