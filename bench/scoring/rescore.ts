/**
 * Re-scoring stored calls with a new scorecard version, end to end (`rescoreAll`: read each call's
 * kept grade input, grade, store the result beside the old ones, put the grades beside the indexed
 * document), side by side with the bare scoring engine on the same inputs in memory.
 *
 *   node --import tsx bench/scoring/rescore.ts [calls=100000]
 *
 * The 12 dev calls are ingested for real once; their record folders are then copied under new ids
 * until there are N stored, indexed calls.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { stableStringify } from '../../core/stable-json.ts';
import type { CallDoc } from '../../core/schemas.ts';
import { rescoreAll } from '../../pipeline/rescore.ts';
import { sha256 } from '../../pipeline/record-store.ts';
import { Pipeline } from '../../pipeline/ingest.ts';
import pino from 'pino';
import { scoreCall } from '../../scoring-models/evaluate.ts';
import { scoringInputOf } from '../../scoring-models/score-stage.ts';
import { parseScorecard } from '../../scoring-models/scorecard.ts';
import { CALLS_DIR, tempDir, testPipeline } from '../../tests/helpers.ts';

const N = Number(process.argv[2] ?? 100_000);
// BENCH_DIR keeps the generated store between runs (for profiling); by default a temporary folder.
const data = process.env.BENCH_DIR ? { dir: process.env.BENCH_DIR, cleanup: () => {} } : tempDir('callscope-bench-rescore-');
const reuse = existsSync(path.join(data.dir, 'seeds.json'));
const p = testPipeline(data.dir);
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

try {
  const t0 = performance.now();
  const seeds: CallDoc[] = reuse ? JSON.parse(readFileSync(path.join(data.dir, 'seeds.json'), 'utf8')) : [];
  if (!reuse) {
    const run = await p.pipeline.ingest([CALLS_DIR]);
    for (const o of run.outcomes) seeds.push((await p.store.get(o.id))!);
    console.error(`ingested ${seeds.length} dev calls in ${((performance.now() - t0) / 1000).toFixed(1)} s; copying to ${N} calls…`);
    // Each copy: the seed's record files (call, transcript, NLP output) under a new id, and its document.
    const recordsDir = (id: string) => path.join(data.dir, 'records', id.slice(0, 2), id);
    const files = new Map(seeds.map((seed) => [seed.id, readdirSync(recordsDir(seed.id)).filter((f) => f.endsWith('.json')).map((f) => [f, readFileSync(path.join(recordsDir(seed.id), f), 'utf8')] as const)]));
    const batch: Array<{ doc: CallDoc; docHash: string }> = [];
    for (let k = 0; k < N - seeds.length; k++) {
      const seed = seeds[k % seeds.length]!;
      const id = createHash('sha256').update(`${seed.id}:${k}`).digest('hex');
      mkdirSync(recordsDir(id), { recursive: true });
      for (const [name, text] of files.get(seed.id)!) writeFileSync(path.join(recordsDir(id), name), name === 'call.json' ? text.replace(seed.id, id) : text);
      const doc = { ...seed, id };
      batch.push({ doc, docHash: sha256(stableStringify(doc)) });
      if (batch.length === 1000) await p.store.putMany(batch.splice(0));
      if (k % 10_000 === 9_999) console.error(`  ${k + 1 + seeds.length} stored`);
    }
    if (batch.length) await p.store.putMany(batch.splice(0));
    writeFileSync(path.join(data.dir, 'seeds.json'), JSON.stringify(seeds));
    console.error(`stored ${N} calls in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }

  // A new version of the default scorecard for each run: every call must be graded again.
  const file = path.join(p.config.scorecardsDir, 'bank-service-standard.yaml');
  const text = await readFile(file, 'utf8');
  const version = (tag: string) => parseScorecard(text.replace(/^version: .*$/m, `version: bench-${tag}-${Date.now()}`), file);
  const pipelineWith = (card: ReturnType<typeof version>) => new Pipeline({ config: p.config, store: p.store, log: pino({ level: 'silent' }), scorecards: [card] });
  // Untimed warm-up: the analyze stage may be newer than the stored calls (then it re-runs once here).
  await rescoreAll(pipelineWith(version('warm-up')), undefined, { threads: 2 });

  // The engine grades fresh inputs, as every stored call is a fresh object (nothing is reused across calls).
  const card = version('engine');
  const ENGINE_N = Math.min(N, 10_000);
  const inputs = Array.from({ length: ENGINE_N }, (_, i) => structuredClone(scoringInputOf(seeds[i % seeds.length]!)));
  let t = performance.now();
  const engineCpu0 = process.cpuUsage();
  for (const input of inputs) scoreCall(card, input);
  const engineMs = ((performance.now() - t) * N) / ENGINE_N;
  const engineCpu = process.cpuUsage(engineCpu0);
  inputs.length = 0;

  const timed = async (label: string, pipeline: Pipeline, threads: number, expect: 'rescored' | 'unchanged') => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const summary = await rescoreAll(pipeline, undefined, { threads });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (summary[expect] !== N) throw new Error(`${label}: expected ${N} ${expect}, got ${JSON.stringify({ ...summary, failed: summary.failed.length })}`);
    return `| ${label} | ${threads} | ${(ms / 1000).toFixed(1)} s | ${rate(N, ms)} | ${(engineMs / ms).toFixed(2)} | ${((cpu.user + cpu.system) / 1000 / N).toFixed(2)} |`;
  };
  const rows = [
    await timed('`rescoreAll`: read stored NLP output, grade, store, re-index', pipelineWith(version('one')), 1, 'rescored'),
  ];
  const two = pipelineWith(version('two'));
  rows.push(await timed('`rescoreAll`, grading in worker threads', two, 2, 'rescored'));
  rows.push(await timed('`rescoreAll` again, nothing changed (cache hits)', two, 2, 'unchanged'));

  console.log(`\nre-scoring ${N.toLocaleString('en-US')} stored calls with a new scorecard version (2 cores; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})\n`);
  console.log('CPU ms/call counts every thread of the process: on a busy machine it is the figure to compare.\n');
  console.log('| run | threads | time | calls/s | vs engine | CPU ms/call |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| scoring engine alone (scoreCall in memory, reference; timed on ${ENGINE_N.toLocaleString('en-US')} calls) | 1 | ${(engineMs / 1000).toFixed(1)} s | ${rate(N, engineMs)} | 1.00 | ${((engineCpu.user + engineCpu.system) / 1000 / ENGINE_N).toFixed(2)} |`);
  for (const row of rows) console.log(row);
} finally {
  await p.close();
  data.cleanup();
}
