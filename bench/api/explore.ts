import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { ClusterJobs, modelName } from '../../analytics/cluster/call-clusters.ts';
import { ClusterDb } from '../../analytics/cluster/cluster-db.ts';
import { warmTermCache } from '../../analytics/term-discovery.ts';
import { analyticsRoutes } from '../../api/analytics-routes.ts';
import { clusterRoutes } from '../../api/cluster-routes.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { ACTORS, mountAs } from '../../tests/as-actor.ts';
import { BRANCHES, PRODUCTS, syntheticCalls } from '../store/synthetic-calls.ts';

/**
 * Every exploration view's API call, timed through the real analysis routes (as a signed-in analyst) over an embedded store of N
 * synthetic calls (bench/store generator): p50/p95 per endpoint, and beside it the time the same
 * requests spent inside the store (a timing wrapper around every CallStore method) and a bare
 * store aggregation (one daily histogram, count only) as the reference floor.
 *
 *   node --import tsx bench/api/explore.ts [calls=100000] [runs=20] [--keep DIR] [--refit]
 *
 * Hot topics with discovered terms is timed twice: cold (every call of both periods cut on the
 * request: a fresh term cache each time, 3 runs) and after `callscope serve`'s warm-up
 * (warmTermCache, timed). The 聚类 views need a fitted model: its background job (fitStoreModel,
 * what the first request starts) is timed once and kept in DIR/clusters.sqlite (`--refit` fits again);
 * the first request's 202 answer and the views once the model exists are timed beside the others.
 *
 * Target (issue 8): every view's API p95 ≤ 300 ms on 100,000 calls.
 */
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--keep');
const calls = Number(positional[0] ?? 100_000);
const runs = Number(positional[1] ?? 20);
const keepAt = process.argv.indexOf('--keep');
const dir = keepAt > 0 ? process.argv[keepAt + 1]! : mkdtempSync(path.join(tmpdir(), 'callscope-explore-bench-'));
const raw: CallStore = new SqliteCallStore(path.join(dir, 'index.sqlite'), { index: searchTokens, query: tokenize });

const existing = (await raw.counts()).calls;
if (existing < calls) {
  let batch: Array<{ doc: ReturnType<typeof syntheticCalls> extends Generator<infer D> ? D : never; docHash: string }> = [];
  let done = 0;
  for (const doc of syntheticCalls(calls)) {
    if (done++ < existing) continue;
    batch.push({ doc, docHash: doc.id });
    if (batch.length === 2000) {
      await raw.putMany(batch);
      batch = [];
    }
  }
  if (batch.length) await raw.putMany(batch);
}
await raw.warm?.();

/** Time spent inside the store during the current request. */
let storeMs = 0;
const timed = new Proxy(raw, {
  get(target, prop, receiver) {
    const v = Reflect.get(target, prop, receiver);
    if (typeof v !== 'function' || prop === 'all') return v;
    return async (...args: unknown[]) => {
      const t = performance.now();
      try {
        return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      } finally {
        storeMs += performance.now() - t;
      }
    };
  },
});
// The analysis routes under a fixed analyst (every route of the full app now needs a login; sign-in is not what is timed here).
const app = mountAs(ACTORS.analyst, analyticsRoutes(timed));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const notes: string[] = [];
const note = (n: string) => {
  notes.push(n);
  console.error(n); // now too, in case a later view fails
};
const f = (n: number) => n.toFixed(1);

// 聚类: the model's fit — the background job the first request starts — timed once through the
// routes (polled as the page does) and kept beside the store.
if (process.argv.includes('--refit')) for (const x of ['', '-wal', '-shm']) rmSync(path.join(dir, `clusters.sqlite${x}`), { force: true });
const clusterDb = new ClusterDb(path.join(dir, 'clusters.sqlite'));
const clusterApp = mountAs(ACTORS.analyst, clusterRoutes(timed, clusterDb, new ClusterJobs(clusterDb, timed, 0)));
if (!clusterDb.model(modelName('customer'))) {
  const t = performance.now();
  const first = await clusterApp.request('/api/clusters?from=2026-05-01&to=2026-06-01');
  const answer = performance.now() - t;
  const stages: string[] = [];
  let res = first;
  while (res.status === 202) {
    const body = (await res.json()) as { stage: string; done: number; total: number };
    const at = `${body.stage} at ${f((performance.now() - t) / 1000)} s`;
    if (!stages.some((x) => x.startsWith(`${body.stage} `))) stages.push(at);
    await new Promise((r) => setTimeout(r, 1000));
    res = await clusterApp.request('/api/clusters?from=2026-05-01&to=2026-06-01');
  }
  if (res.status !== 200) throw new Error(`clusters → ${res.status}`);
  const model = clusterDb.model(modelName('customer'))!;
  note(
    `聚类 first request (no model yet): 202 computing in ${f(answer)} ms; the background fit (customer segments of all ${calls.toLocaleString('en-US')} calls; stages seen: ${stages.join(', ')}) ` +
      `answered 200 after ${f((performance.now() - t) / 1000)} s; ${model.clusters.length} clusters (${model.method}); load average ${load()}`,
  );
} else note(`聚类 model: reused from ${path.join(dir, 'clusters.sqlite')} (--refit to time the fit)`);
const someCluster = clusterDb.model(modelName('customer'))!.clusters[0]!.id;

const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;
const month = (i: number) => {
  const m = 2 + (i % 10); // Feb..Nov 2026: every month has a full previous month
  return { from: `2026-${String(m).padStart(2, '0')}-01`, to: `2026-${String(m + 1).padStart(2, '0')}-01`, prevFrom: `2026-${String(m - 1).padStart(2, '0')}-01` };
};
const enc = encodeURIComponent;

type View = { view: string; url: (i: number) => string; app?: () => typeof app; runs?: number; cold?: boolean; before?: () => Promise<void> };
const views: View[] = [
  { view: '总览 overview (month, daily)', url: (i) => `/api/analytics/overview?from=${month(i).from}&to=${month(i).to}&interval=day` },
  { view: '总览 overview (1 branch, quarter, weekly)', url: (i) => `/api/analytics/overview?from=2026-06-01&to=2026-08-31&interval=week&branch=${enc(pick(BRANCHES, i))}` },
  { view: '通话 drill-down (complaints of a product, month)', url: (i) => `/api/analytics/calls?from=${month(i).from}&to=${month(i).to}&product=${enc(pick(PRODUCTS, i))}&complaint=true&limit=50` },
  { view: '通话 drill-down (failed checkpoint, month)', url: (i) => `/api/analytics/calls?from=${month(i).from}&to=${month(i).to}&failedCheckpoint=empathy&limit=50` },
  { view: '对比 compare (two branches, month, Welch)', url: (i) => `/api/analytics/compare?from=${month(i).from}&to=${month(i).to}&a.branch=${enc(pick(BRANCHES, i))}&b.branch=${enc(pick(BRANCHES, i + 1))}` },
  { view: '对比 compare (month vs previous month, Welch)', url: (i) => `/api/analytics/compare?a.from=${month(i).from}&a.to=${month(i).to}&b.from=${month(i).prevFrom}&b.to=${month(i).from}&product=${enc(pick(PRODUCTS, i + 2))}` },
  { view: '热点 hot topics (month vs previous)', url: (i) => `/api/analytics/hot-topics?from=${month(i).from}&to=${month(i).to}&words=${enc('投诉,年费,违约金,银保监会')}&wordRole=customer` },
  { view: '趋势 trend (13 weeks, 1 product, weekly)', url: (i) => `/api/analytics/trend?from=2026-03-02&to=2026-06-01&interval=week&product=${enc(pick(PRODUCTS, i))}` },
  {
    view: '热点 hot topics + discovered customer terms/phrases (discover=true), COLD: every call of both months cut on the request',
    url: (i) => `/api/analytics/hot-topics?from=${month(i).from}&to=${month(i).to}&words=${enc('投诉,年费,违约金,银保监会')}&wordRole=customer&discover=true`,
    // A new store object each request: an empty term cache.
    app: () => mountAs(ACTORS.analyst, analyticsRoutes(new Proxy(timed, {}))),
    runs: 3,
    cold: true,
  },
  {
    view: '热点 hot topics + discovered customer terms/phrases (discover=true), after serve\'s warm-up',
    url: (i) => `/api/analytics/hot-topics?from=${month(i).from}&to=${month(i).to}&words=${enc('投诉,年费,违约金,银保监会')}&wordRole=customer&discover=true`,
    before: async () => {
      const t = performance.now();
      await warmTermCache(timed);
      note(`热点 term cache warm-up (warmTermCache, every call cut once): ${f((performance.now() - t) / 1000)} s, heap ${f(process.memoryUsage().heapUsed / 2 ** 20)} MiB after; load average ${load()}`);
    },
  },
  { view: '根因 root cause (complaints, 5 dimensions + tags)', url: (i) => `/api/analytics/root-cause?from=${month(i).from}&to=${month(i).to}&target=complaint&dimensions=branch,team,agentId,product,channel,tags` },
  { view: '根因 change decomposition (by branch)', url: (i) => `/api/analytics/root-cause/change?target=complaint&dimension=branch&beforeFrom=${month(i).prevFrom}&beforeTo=${month(i).from}&afterFrom=${month(i).from}&afterTo=${month(i).to}` },
  { view: 'filter choices (branches)', url: () => `/api/analytics/values?field=branch` },
  { view: '聚类 clusters (month, model exists)', url: (i) => `/api/clusters?from=${month(i).from}&to=${month(i).to}`, app: () => clusterApp },
  { view: '聚类 clusters (1 branch, quarter)', url: (i) => `/api/clusters?from=2026-06-01&to=2026-09-01&branch=${enc(pick(BRANCHES, i))}`, app: () => clusterApp },
  { view: '聚类 calls of a cluster (month, first page)', url: (i) => `/api/clusters/${someCluster}/calls?from=${month(i).from}&to=${month(i).to}&limit=50`, app: () => clusterApp },
];

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const rows: string[] = [];
const firstUse = new Map<string, number>();
for (const v of views) {
  const total: number[] = [];
  const inStore: number[] = [];
  const cpu: number[] = [];
  await v.before?.();
  if (!v.cold) {
    // First use of a query shape (and, for 聚类, the one-time load of the stored segments into memory).
    const t = performance.now();
    await (v.app?.() ?? app).request(v.url(0));
    if (v.url(0).startsWith('/api/clusters')) firstUse.set(v.view, performance.now() - t);
  }
  const n = v.runs ?? runs;
  for (let i = 0; i < n; i++) {
    storeMs = 0;
    const t = performance.now();
    const c0 = process.cpuUsage();
    const res = await (v.app?.() ?? app).request(v.url(i));
    await res.arrayBuffer();
    total.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    inStore.push(storeMs);
    if (res.status !== 200) throw new Error(`${v.url(i)} → ${res.status}`);
  }
  rows.push(`| ${v.view}${n !== runs ? ` (${n} runs)` : ''} | ${f(q(total, 50))} | ${f(q(total, 95))} | ${f(q(cpu, 50))} | ${f(q(cpu, 95))} | ${f(q(inStore, 50))} | ${f(q(inStore, 95))} | ${q(total, 95) <= 300 ? 'yes' : 'NO'} |`);
}
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  await raw.aggregate({ filter: { dates: { recordedAt: { gte: month(i).from, lt: month(i).to } } }, aggs: { d: { type: 'date_histogram', field: 'recordedAt', interval: 'day', timeZone: 'Asia/Shanghai' } } });
  bare.push(performance.now() - t);
}

console.log(`\n${(await raw.counts()).calls.toLocaleString('en-US')} calls, ${runs} runs per view, load average ${load()}\n`);
for (const n of notes) console.log(`- ${n}`);
console.log('');
for (const [view, ms] of firstUse) console.log(`- first request of "${view}" (not in the table): ${f(ms)} ms`);
console.log('\nCPU = user + system time of this process during the request (on a loaded machine it is what the request would take alone; wall time includes waiting for a core).\n');
console.log('| view (endpoint) | API p50 ms | API p95 ms | CPU p50 ms | CPU p95 ms | in store p50 ms | in store p95 ms | p95 ≤ 300 ms |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |');
for (const r of rows) console.log(r);
console.log(`| reference: bare store aggregate (daily histogram of a month, count only) | ${f(q(bare, 50))} | ${f(q(bare, 95))} | | | | | |`);

clusterDb.close();
await raw.close();
if (keepAt < 0) rmSync(dir, { recursive: true, force: true });
