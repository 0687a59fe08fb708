import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { analyticsRoutes } from '../../api/analytics-routes.ts';
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
 *   node --import tsx bench/api/explore.ts [calls=100000] [runs=20] [--keep DIR]
 *
 * Target (issue 8): every view's API p95 ≤ 300 ms on 100,000 calls.
 */
const calls = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 20);
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

const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;
const month = (i: number) => {
  const m = 2 + (i % 10); // Feb..Nov 2026: every month has a full previous month
  return { from: `2026-${String(m).padStart(2, '0')}-01`, to: `2026-${String(m + 1).padStart(2, '0')}-01`, prevFrom: `2026-${String(m - 1).padStart(2, '0')}-01` };
};
const enc = encodeURIComponent;

const views: Array<{ view: string; url: (i: number) => string }> = [
  { view: '总览 overview (month, daily)', url: (i) => `/api/analytics/overview?from=${month(i).from}&to=${month(i).to}&interval=day` },
  { view: '总览 overview (1 branch, quarter, weekly)', url: (i) => `/api/analytics/overview?from=2026-06-01&to=2026-08-31&interval=week&branch=${enc(pick(BRANCHES, i))}` },
  { view: '通话 drill-down (complaints of a product, month)', url: (i) => `/api/analytics/calls?from=${month(i).from}&to=${month(i).to}&product=${enc(pick(PRODUCTS, i))}&complaint=true&limit=50` },
  { view: '通话 drill-down (failed checkpoint, month)', url: (i) => `/api/analytics/calls?from=${month(i).from}&to=${month(i).to}&failedCheckpoint=empathy&limit=50` },
  { view: '对比 compare (two branches, month, Welch)', url: (i) => `/api/analytics/compare?from=${month(i).from}&to=${month(i).to}&a.branch=${enc(pick(BRANCHES, i))}&b.branch=${enc(pick(BRANCHES, i + 1))}` },
  { view: '对比 compare (month vs previous month, Welch)', url: (i) => `/api/analytics/compare?a.from=${month(i).from}&a.to=${month(i).to}&b.from=${month(i).prevFrom}&b.to=${month(i).from}&product=${enc(pick(PRODUCTS, i + 2))}` },
  { view: '热点 hot topics (month vs previous)', url: (i) => `/api/analytics/hot-topics?from=${month(i).from}&to=${month(i).to}&words=${enc('投诉,年费,违约金,银保监会')}&wordRole=customer` },
  { view: '热点 hot topics + discovered customer terms/phrases (discover=true, ≤5,000 calls a period)', url: (i) => `/api/analytics/hot-topics?from=${month(i).from}&to=${month(i).to}&words=${enc('投诉,年费,违约金,银保监会')}&wordRole=customer&discover=true` },
  { view: '根因 root cause (complaints, 5 dimensions + tags)', url: (i) => `/api/analytics/root-cause?from=${month(i).from}&to=${month(i).to}&target=complaint&dimensions=branch,team,agentId,product,channel,tags` },
  { view: '根因 change decomposition (by branch)', url: (i) => `/api/analytics/root-cause/change?target=complaint&dimension=branch&beforeFrom=${month(i).prevFrom}&beforeTo=${month(i).from}&afterFrom=${month(i).from}&afterTo=${month(i).to}` },
  { view: 'filter choices (branches)', url: () => `/api/analytics/values?field=branch` },
];

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const f = (n: number) => n.toFixed(1);
const rows: string[] = [];
for (const v of views) {
  const total: number[] = [];
  const inStore: number[] = [];
  await app.request(v.url(0)); // first use of a query shape
  for (let i = 0; i < runs; i++) {
    storeMs = 0;
    const t = performance.now();
    const res = await app.request(v.url(i));
    await res.arrayBuffer();
    total.push(performance.now() - t);
    inStore.push(storeMs);
    if (res.status !== 200) throw new Error(`${v.url(i)} → ${res.status}`);
  }
  rows.push(`| ${v.view} | ${f(q(total, 50))} | ${f(q(total, 95))} | ${f(q(inStore, 50))} | ${f(q(inStore, 95))} | ${q(total, 95) <= 300 ? 'yes' : 'NO'} |`);
}
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  await raw.aggregate({ filter: { dates: { recordedAt: { gte: month(i).from, lt: month(i).to } } }, aggs: { d: { type: 'date_histogram', field: 'recordedAt', interval: 'day', timeZone: 'Asia/Shanghai' } } });
  bare.push(performance.now() - t);
}

console.log(`\n${(await raw.counts()).calls.toLocaleString('en-US')} calls, ${runs} runs per view, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
console.log('| view (endpoint) | API p50 ms | API p95 ms | in store p50 ms | in store p95 ms | p95 ≤ 300 ms |');
console.log('| --- | ---: | ---: | ---: | ---: | :---: |');
for (const r of rows) console.log(r);
console.log(`| reference: bare store aggregate (daily histogram of a month, count only) | ${f(q(bare, 50))} | ${f(q(bare, 95))} | | | |`);

await raw.close();
if (keepAt < 0) rmSync(dir, { recursive: true, force: true });
