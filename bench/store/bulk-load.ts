import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { syntheticCalls } from './synthetic-calls.ts';
import { mainThreadCpuUs } from './thread-cpu.ts';

/**
 * Bulk load of the embedded store, with and without prepare threads (hash, LZ4 and jieba off
 * the writing thread): calls/s, and CPU per call of the whole process and of the writing thread
 * alone — on a shared machine the CPU figures are the steadier ones. The documents are generated
 * before the clock starts. Target (issue 7): ≥ 5,000 calls/s.
 *
 *   node --import tsx bench/store/bulk-load.ts [calls=20000] [threads=0,1] [batch=2000] [--chronological]
 *
 * The generator draws each call's day from the whole year (random recording order, the worst case
 * for tables keyed by call number); --chronological loads the same calls oldest first, as a live
 * ingest or a sorted backfill would. After each load: the stored document's bytes a call, and
 * reading documents back (`get` of 50 ids spread over the load, 20 rounds: µs a document).
 */
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const chronological = process.argv.includes('--chronological');
const calls = Number(args[0] ?? 20_000);
const threadCounts = (args[1] ?? '0,1').split(',').map(Number);
const batchSize = Number(args[2] ?? 2000);
const segmenter = path.resolve(import.meta.dirname, '../../nlp/segmenter.ts');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const docs = [...syntheticCalls(calls, { chronological })].map((doc) => ({ doc, docHash: doc.id }));
searchTokens('加载词典');
const rows: string[] = [];
for (const threads of threadCounts) {
  const dir = mkdtempSync(path.join(tmpdir(), 'callscope-bulk-'));
  const store = new SqliteCallStore(path.join(dir, 'index.sqlite'), { index: searchTokens, query: tokenize }, {
    analytics: 'sqlite',
    ...(threads > 0 ? { prepareThreads: { count: threads, tokenizer: { module: segmenter, export: 'searchTokens' } } } : {}),
  });
  // A first small bulk write starts the threads (and their dictionaries) outside the clock.
  await store.putMany(syntheticCallsBatch());
  const load0 = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuUs();
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i += batchSize) await store.putMany(docs.slice(i, i + batchSize));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const main = mainThreadCpuUs() - main0;
  const ids = Array.from({ length: 50 }, (_, i) => docs[Math.floor((i * docs.length) / 50)]!.doc.id);
  for (const id of ids) await store.get(id);
  const r0 = performance.now();
  for (let round = 0; round < 20; round++) for (const id of ids) await store.get(id);
  const readUs = ((performance.now() - r0) * 1000) / (20 * ids.length);
  await store.close();
  const db = new Database(path.join(dir, 'index.sqlite'), { readonly: true });
  const docBytes = db.prepare('SELECT avg(length(doc)) FROM call_docs').pluck().get() as number;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  rows.push(`| ${threads} | ${fmt(calls / (wall / 1000))} | ${fmt((cpu.user + cpu.system) / calls)} | ${fmt(main / calls)} | ${fmt(1e6 / (main / calls))} | ${fmt(docBytes)} | ${readUs.toFixed(1)} | ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} |`);
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}

function syntheticCallsBatch() {
  return [...syntheticCalls(300, { seed: 1234, startDate: '2025-01-01' })].map((doc) => ({ doc, docHash: doc.id }));
}

console.log(`\nBulk load, ${fmt(calls)} synthetic calls in ${chronological ? 'recording order' : 'random recording order'}, putMany × ${fmt(batchSize)} (2-core machine shared with other work; target ≥ 5,000 calls/s)\n`);
console.log('| prepare threads | calls/s (wall) | CPU µs/call, all threads | CPU µs/call, writing thread | calls/s the writing thread allows | stored document, bytes a call | get(id), µs a document | load average (1 min) |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) console.log(r);
