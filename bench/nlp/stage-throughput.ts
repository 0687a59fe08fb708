/**
 * Throughput of the whole NLP stage (PII masking, jieba, lexicons, emotion, taxonomy) on the dev
 * calls' vendor transcripts, on one core and on two (one worker thread per core, as the pipeline
 * would run two calls at once).
 *
 *   node --import tsx bench/nlp/stage-throughput.ts [seconds]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assignRoles, parseTranscript } from '../../asr/transcript.ts';
import { analyzeStage } from '../../nlp/analyze-stage.ts';
import { CALLS_DIR, truthCalls } from '../../tests/helpers.ts';

const seconds = Number(process.argv[2] ?? workerData?.seconds ?? 5);

async function run(): Promise<{ calls: number; ms: number; segments: number }> {
  const calls = truthCalls().map((c) =>
    assignRoles(parseTranscript(JSON.parse(readFileSync(path.join(CALLS_DIR, `${c.audioFile}.transcript.json`), 'utf8')))),
  );
  const ctx = {} as Parameters<typeof analyzeStage.run>[1];
  for (const c of calls) await analyzeStage.run({ segments: c }, ctx); // warm-up: models and dictionaries load once
  let n = 0;
  let segments = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (const c of calls) {
      await analyzeStage.run({ segments: c }, ctx);
      n++;
      segments += c.length;
    }
  }
  return { calls: n, ms: performance.now() - t0, segments };
}

if (!isMainThread) {
  parentPort!.postMessage(await run());
} else {
  const one = await run();
  const file = fileURLToPath(import.meta.url);
  const workers = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<{ calls: number; ms: number }>((resolve, reject) => {
          // Node 20 workers do not inherit --import hooks: register tsx inside the worker first.
          const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); })`;
          const w = new Worker(boot, { eval: true, workerData: { seconds } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  const twoRate = workers.reduce((s, w) => s + w.calls / (w.ms / 1000), 0);
  const oneRate = one.calls / (one.ms / 1000);
  console.log(`NLP stage, dev calls (${(one.segments / one.calls).toFixed(1)} segments per call), ${seconds} s per run`);
  console.log('| cores | calls/s | segments/s | target |');
  console.log('|---|---|---|---|');
  console.log(`| 1 | ${oneRate.toFixed(0)} | ${((oneRate * one.segments) / one.calls).toFixed(0)} | |`);
  console.log(`| 2 (worker threads) | ${twoRate.toFixed(0)} | ${((twoRate * one.segments) / one.calls).toFixed(0)} | ≥ 1,000 calls/s |`);
}
