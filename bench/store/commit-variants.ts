import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { PAGE_SIZE, SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { syntheticCalls } from './synthetic-calls.ts';

/**
 * What a bulk load's COMMIT costs the writing thread, under page sizes, WAL checkpoint intervals
 * and FTS5 merge settings: CPU of the writing thread a call (all of it, and inside COMMIT alone),
 * on a fresh file, calls in recording order, putMany × 2,000, one prepare thread.
 *
 *   node --import tsx bench/store/commit-variants.ts [calls=20000] [variant…]
 *
 * Variants: page4k (SQLite's default page size: the reference, the store before 16 KiB), page8k,
 * page16k (the store's default), nockpt (no automatic WAL checkpoint), ckpt40k (every 40,000 pages
 * instead of the store's ~40 MB), am0 / am8 (FTS5 automerge 0 / 8 instead of 4), crisis64.
 * Run each variant more than once: on a shared machine one run can be off by 30 %.
 */
const args = process.argv.slice(2);
const calls = Number(args[0] ?? 20_000);
type Variant = { page?: number; pragmas?: string[]; fts?: Array<[string, number]> };
const variants: Record<string, Variant> = {
  page4k: { page: 4096 },
  page8k: { page: 8192 },
  page16k: {},
  nockpt: { pragmas: ['wal_autocheckpoint = 0'] },
  ckpt40k: { pragmas: ['wal_autocheckpoint = 40000'] },
  am0: { fts: [['automerge', 0]] },
  am8: { fts: [['automerge', 8]] },
  crisis64: { fts: [['crisismerge', 64]] },
};
const names = args.slice(1).length ? args.slice(1) : ['page4k', 'page16k', 'nockpt', 'am8'];

/** This thread's CPU time in ns (schedstat: exact, unlike /proc stat's 10 ms ticks). */
const threadCpuNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
/** The COMMIT: the writing thread's CPU from the end of the transaction's function to the end of the putMany. */
let commitNs = 0;
let bodyEnd = 0;
function timeCommits(db: Database.Database): void {
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...a: unknown[]) => unknown) =>
    transaction((...a: unknown[]) => {
      try {
        return fn(...a);
      } finally {
        bodyEnd = threadCpuNs();
      }
    })) as typeof db.transaction;
}

const docs = [...syntheticCalls(calls, { chronological: true })].map((doc) => ({ doc, docHash: doc.id }));
const warm = [...syntheticCalls(300, { seed: 1234, startDate: '2025-01-01' })].map((doc) => ({ doc, docHash: doc.id }));
const segmenter = path.resolve(import.meta.dirname, '../../nlp/segmenter.ts');
const rows: string[] = [];
for (const name of names) {
  const v = variants[name];
  if (!v) throw new Error(`unknown variant ${name}: ${Object.keys(variants).join(', ')}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'callscope-commit-'));
  const file = path.join(dir, 'index.sqlite');
  if (v.page && v.page !== PAGE_SIZE) {
    // The page size is fixed by the file's first write: make the file before the store does.
    const db = new Database(file);
    db.pragma(`page_size = ${v.page}`);
    db.exec('CREATE TABLE bench_page_size (a); DROP TABLE bench_page_size;');
    db.close();
  }
  const store = new SqliteCallStore(file, { index: searchTokens, query: tokenize }, { analytics: 'sqlite', prepareThreads: { count: 1, tokenizer: { module: segmenter, export: 'searchTokens' } } });
  const db = (store as unknown as { db: Database.Database }).db;
  timeCommits(db);
  for (const p of v.pragmas ?? []) db.pragma(p);
  for (const [option, value] of v.fts ?? []) db.exec(`INSERT INTO call_fts (call_fts, rank) VALUES ('${option}', ${value})`);
  await store.putMany(warm);
  const load0 = loadavg()[0]!;
  commitNs = 0;
  const t = threadCpuNs();
  for (let i = 0; i < docs.length; i += 2000) {
    await store.putMany(docs.slice(i, i + 2000));
    commitNs += threadCpuNs() - bodyEnd;
  }
  const writer = threadCpuNs() - t;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  await store.close();
  const bytes = statSync(file).size;
  rmSync(dir, { recursive: true, force: true });
  rows.push(`| ${name} | ${pageSize} | ${(writer / 1000 / calls).toFixed(1)} | ${(commitNs / 1000 / calls).toFixed(1)} | ${Math.round(bytes / calls).toLocaleString('en-US')} | ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} |`);
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}
console.log(`\nCOMMIT of a bulk load, ${calls.toLocaleString('en-US')} calls in recording order, putMany × 2,000, 1 prepare thread (reference: page4k)\n`);
console.log('| variant | page size | writing thread, CPU µs a call | of which COMMIT | file bytes a call | load average |');
console.log('| --- | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) console.log(r);
