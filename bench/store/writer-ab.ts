import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { syntheticCalls } from './synthetic-calls.ts';

/**
 * The writing thread of a bulk load, this checkout against another one (e.g. main, extracted with
 * `git archive main | tar -x -C /tmp/main-copy` and a node_modules link): both stores in one
 * process, the same batches given to each in turn (which goes first alternates), so both see the
 * same machine load — on a shared machine two runs of bulk-load.ts minutes apart differ by 20 %.
 * CPU of the writing thread from /proc schedstat (ns), fresh files, one prepare thread each.
 *
 *   node --import tsx bench/store/writer-ab.ts OTHER_CHECKOUT [calls=20000] [rounds=3] [--random-order]
 */
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const other = path.resolve(args[0] ?? '');
const calls = Number(args[1] ?? 20_000);
const rounds = Number(args[2] ?? 3);
const chronological = !process.argv.includes('--random-order');
type Store = new (...a: ConstructorParameters<typeof SqliteCallStore>) => SqliteCallStore;
const stores: Record<'this' | 'other', Store> = {
  this: (await import('../../indexer/sqlite-store.ts')).SqliteCallStore,
  other: (await import(path.join(other, 'indexer/sqlite-store.ts'))).SqliteCallStore as Store,
};
const threadCpuNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
const docs = [...syntheticCalls(calls, { chronological })].map((doc) => ({ doc, docHash: doc.id }));
const warm = [...syntheticCalls(300, { seed: 1234, startDate: '2025-01-01' })].map((doc) => ({ doc, docHash: doc.id }));
const segmenter = path.resolve(import.meta.dirname, '../../nlp/segmenter.ts');
const rows: string[] = [];
for (let r = 0; r < rounds; r++) {
  const dirs = { this: mkdtempSync(path.join(tmpdir(), 'callscope-ab-')), other: mkdtempSync(path.join(tmpdir(), 'callscope-ab-')) };
  const open = (side: 'this' | 'other') =>
    new stores[side](path.join(dirs[side], 'index.sqlite'), { index: searchTokens, query: tokenize }, { analytics: 'sqlite', prepareThreads: { count: 1, tokenizer: { module: segmenter, export: 'searchTokens' } } });
  const opened = { this: open('this'), other: open('other') };
  for (const s of Object.values(opened)) await s.putMany(warm);
  const cpu = { this: 0, other: 0 };
  const load0 = loadavg()[0]!;
  for (let i = 0, b = 0; i < docs.length; i += 2000, b++) {
    for (const side of (b + r) % 2 === 0 ? (['other', 'this'] as const) : (['this', 'other'] as const)) {
      const t = threadCpuNs();
      await opened[side].putMany(docs.slice(i, i + 2000));
      cpu[side] += threadCpuNs() - t;
    }
  }
  for (const side of ['this', 'other'] as const) {
    await opened[side].close();
    rmSync(dirs[side], { recursive: true, force: true });
  }
  const us = (ns: number) => ns / 1000 / calls;
  rows.push(`| ${r + 1} | ${us(cpu.other).toFixed(1)} | ${us(cpu.this).toFixed(1)} | ${((100 * (cpu.this - cpu.other)) / cpu.other).toFixed(0)} % | ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} |`);
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}
console.log(`\nWriting thread of a bulk load, ${calls.toLocaleString('en-US')} calls in ${chronological ? 'recording order' : 'random recording order'}, putMany × 2,000, batches alternating between two stores in one process\n`);
console.log(`| round | other checkout (${other}): CPU µs a call | this checkout | change | load average |`);
console.log('| ---: | ---: | ---: | ---: | --- |');
for (const r of rows) console.log(r);
