import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sha256 } from '../../pipeline/record-store.ts';
import { stableStringify } from '../../core/stable-json.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import type { CallDoc } from '../../core/schemas.ts';
import { syntheticCalls } from './synthetic-calls.ts';

/**
 * Re-scoring N stored calls: only scores and review change, so the full-text rows must stay.
 * Usage: node --import tsx bench/store/rescore.ts [calls=100000]
 */
const n = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(path.join(tmpdir(), 'callscope-rescore-'));
const file = path.join(dir, 'index.sqlite');
const store = new SqliteCallStore(file, { index: searchTokens, query: tokenize });
const hashOf = (doc: CallDoc) => sha256(stableStringify(doc));
const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');

const docs: CallDoc[] = [...syntheticCalls(n)];
let t0 = performance.now();
for (let i = 0; i < docs.length; i += 1000) {
  await store.putMany(docs.slice(i, i + 1000).map((doc) => ({ doc, docHash: hashOf(doc) })));
}
const loadMs = performance.now() - t0;

// A re-score: new totals, one checkpoint outcome flipped on every tenth call, the review queued.
const rescored = docs.map((d, i) => ({
  doc: {
    ...d,
    scores: d.scores.map((s) => ({
      ...s,
      version: '5',
      total: Math.max(0, s.total - 1),
      items: s.items.map((it, k) => (k === 3 && i % 10 === 0 && it.applicable ? { ...it, passed: !it.passed } : it)),
    })),
    review: { status: 'queued' as const, flags: d.review?.flags ?? [] },
  },
}));
// The caller's document hash (the pipeline's stableStringify + sha256) is timed apart from the store.
t0 = performance.now();
const hashed = rescored.map(({ doc }) => ({ doc, docHash: hashOf(doc) }));
const hashMs = performance.now() - t0;
t0 = performance.now();
for (const { doc, docHash } of hashed.slice(0, n / 2)) await store.put(doc, docHash);
const putMs = performance.now() - t0;
t0 = performance.now();
const rest = hashed.slice(n / 2);
for (let i = 0; i < rest.length; i += 1000) await store.putMany(rest.slice(i, i + 1000));
const putManyMs = performance.now() - t0;
const size = statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
await store.close();
rmSync(dir, { recursive: true, force: true });

console.log(`| step (${n.toLocaleString('en-US')} synthetic calls) | calls/s | ms |`);
console.log('| --- | ---: | ---: |');
console.log(`| first load, putMany × 1000 (jieba + FTS) | ${rate(n, loadMs)} | ${Math.round(loadMs)} |`);
console.log(`| re-score, put() one call at a time (${n / 2}) | ${rate(n / 2, putMs)} | ${Math.round(putMs)} |`);
console.log(`| re-score, putMany × 1000 (${n / 2}) | ${rate(n / 2, putManyMs)} | ${Math.round(putManyMs)} |`);
console.log(`| (the caller's document hash, stableStringify + sha256, for comparison) | ${rate(n, hashMs)} | ${Math.round(hashMs)} |`);
console.log(`file size ${(size / 1e6).toFixed(0)} MB; first load includes hashing, re-score rates are the store alone`);
