import Database from 'better-sqlite3';
import { loadavg } from 'node:os';
import path from 'node:path';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { syntheticCalls } from './synthetic-calls.ts';
import { mainThreadCpuUs } from './thread-cpu.ts';

/**
 * What a bulk write costs once the store is big: appends N new calls (recording order, after
 * START, over DAYS days; a fresh seed so every id is new) to an existing store file — e.g. the 1M
 * folder embedded-store.ts --keep leaves — and prints calls/s, the writing thread's CPU a call, and
 * the wall time a call of each SQL statement (Statement.run/get/all wrapped; COMMIT includes the WAL
 * writes and any checkpoint the writing connection runs).
 *
 *   node --import tsx bench/store/append-to-store.ts FILE [calls=100000] [start=2030-01-01] [days=100] [--seed N] [--checkpoints thread|writer]
 *
 * --checkpoints writer: the writing connection checkpoints itself every ~40 MB, as before the
 * checkpoint thread (wal-checkpointer.ts). The calls stay in the file: give each run its own START.
 */
const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const positional = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const [file, callsArg, start = '2030-01-01', daysArg] = positional;
if (!file) throw new Error('usage: append-to-store.ts FILE [calls] [start] [days] [--seed N] [--checkpoints thread|writer]');
const calls = Number(callsArg ?? 100_000);
const checkpoints = flag('--checkpoints') ?? 'thread';

const cost = new Map<string, { ns: number; runs: number }>();
const statementProto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
for (const method of ['run', 'get', 'all']) {
  const original = statementProto[method]!;
  statementProto[method] = function (this: { source: string }, ...a: unknown[]) {
    const t = process.hrtime.bigint();
    try {
      return original.apply(this, a);
    } finally {
      const key = `${method} ${this.source.replace(/\s+/g, ' ').slice(0, 70)}`;
      const c = cost.get(key) ?? { ns: 0, runs: 0 };
      c.ns += Number(process.hrtime.bigint() - t);
      c.runs++;
      cost.set(key, c);
    }
  };
}

const seed = Number(flag('--seed') ?? Date.now() % 100_000);
const docs = [...syntheticCalls(calls + 300, { chronological: true, seed, startDate: start, days: Number(daysArg ?? 100) })].map((doc) => ({ doc, docHash: doc.id }));
const store = new SqliteCallStore(path.resolve(file), { index: searchTokens, query: tokenize }, {
  analytics: 'sqlite',
  prepareThreads: { count: 1, tokenizer: { module: path.resolve(import.meta.dirname, '../../nlp/segmenter.ts'), export: 'searchTokens' } },
});
const before = (await store.counts()).calls;
if (checkpoints === 'writer') (store as unknown as { checkpointer: { start(): void } }).checkpointer.start = () => {};
// The first batch starts the threads outside the clock.
await store.putMany(docs.slice(0, 300));
cost.clear();
const load0 = loadavg()[0]!;
const t0 = performance.now();
const main0 = mainThreadCpuUs();
for (let i = 300; i < docs.length; i += 2000) await store.putMany(docs.slice(i, i + 2000));
const wall = performance.now() - t0;
const main = mainThreadCpuUs() - main0;
await store.close();

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(`\nAppending ${fmt(calls)} calls (recording order) to a store of ${fmt(before)} calls; checkpoints on the ${checkpoints === 'writer' ? 'writing connection' : 'checkpoint thread'}; load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}\n`);
console.log(`| calls/s | writing thread, CPU µs a call |\n| ---: | ---: |\n| ${fmt(calls / (wall / 1000))} | ${fmt(main / calls)} |\n`);
console.log('| statement | runs a call | µs a call (wall) |\n| --- | ---: | ---: |');
for (const [key, c] of [...cost].sort((a, b) => b[1].ns - a[1].ns).slice(0, 12)) console.log(`| \`${key}\` | ${fmt(c.runs / calls, 2)} | ${fmt(c.ns / 1000 / calls, 1)} |`);
