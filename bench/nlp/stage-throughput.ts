/**
 * Throughput of the whole NLP stage (PII masking, jieba, lexicons, emotion, embeddings, taxonomy)
 * on the dev calls' vendor transcripts, on one core and on two (one worker thread per core, as the
 * pipeline runs two calls at once), with each text-embedding provider. The transformers.js row
 * uses the RANDOM-WEIGHT model of bge-small-zh's exact shape: its speed is real, its vectors are not.
 *
 *   node --import tsx bench/nlp/stage-throughput.ts [seconds]
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../../core/config.ts';
import { analyzeStage } from '../../nlp/analyze-stage.ts';
import { BGE_MODEL_ID } from '../../nlp/embeddings/transformers-embedder.ts';
import { devTranscript, MODELS_DIR, truthCalls } from '../../tests/helpers.ts';

type Result = { calls: number; ms: number; segments: number; model: string };

async function run(modelsDir: string, seconds: number): Promise<Result> {
  const calls = await Promise.all(truthCalls().map((c) => devTranscript(c.audioFile)));
  const ctx = { config: loadConfig({ CALLSCOPE_MODELS: modelsDir }), log: pino({ level: 'silent' }), callId: 'bench' };
  let model = '';
  for (const c of calls) {
    const r = await analyzeStage.run({ segments: c }, ctx); // warm-up: models and dictionaries load once
    if (!r.ok) throw new Error(r.reason);
    model = r.output.nlp.embedding.model;
  }
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
  return { calls: n, ms: performance.now() - t0, segments, model };
}

/** A models folder whose bge-small-zh holds the real tokenizer and the random-weight model of the same shape. */
function randomBgeModels(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'callscope-bge-shape-'));
  const dir = path.join(root, 'nlp', BGE_MODEL_ID);
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const fixture = path.join(MODELS_DIR, 'nlp', 'test-fixtures', 'random-bert-bge-small-zh-shape');
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) copyFileSync(path.join(fixture, f), path.join(dir, f));
  symlinkSync(path.join(fixture, 'onnx', 'model_quantized.onnx'), path.join(dir, 'onnx', 'model_quantized.onnx'));
  return root;
}

function inWorkers(modelsDir: string, seconds: number): Promise<Result[]> {
  const file = fileURLToPath(import.meta.url);
  // Node 20 workers do not inherit --import hooks: register tsx inside the worker first.
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); })`;
  return Promise.all(
    [0, 1].map(
      () =>
        new Promise<Result>((resolve, reject) => {
          const w = new Worker(boot, { eval: true, workerData: { modelsDir, seconds } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
}

if (!isMainThread) {
  parentPort!.postMessage(await run(workerData.modelsDir, workerData.seconds));
} else {
  const seconds = Number(process.argv[2] ?? 5);
  const bge = randomBgeModels();
  try {
    console.log(`NLP stage on the dev calls, ${seconds} s per run`);
    console.log('| embedding provider | cores | calls/s | segments/s | target |');
    console.log('|---|---|---|---|---|');
    const lsa = await run(MODELS_DIR, seconds);
    const lsaTwo = await inWorkers(MODELS_DIR, seconds);
    const perCall = lsa.segments / lsa.calls;
    const lsaRate = lsa.calls / (lsa.ms / 1000);
    const lsaTwoRate = lsaTwo.reduce((s, w) => s + w.calls / (w.ms / 1000), 0);
    console.log(`| trained (${lsa.model}) | 1 | ${lsaRate.toFixed(0)} | ${(lsaRate * perCall).toFixed(0)} | |`);
    console.log(`| trained (${lsa.model}) | 2 (worker threads) | ${lsaTwoRate.toFixed(0)} | ${(lsaTwoRate * perCall).toFixed(0)} | ≥ 1,000 calls/s |`);
    // onnxruntime-node cannot run in worker threads of a process that already loaded it; it spreads
    // one inference over both cores with its own thread pool instead.
    const tf = await run(bge, seconds);
    const tfRate = tf.calls / (tf.ms / 1000);
    console.log(`| transformers.js, RANDOM-WEIGHT bge-small-zh shape (${tf.model}) | 2 (onnxruntime threads) | ${tfRate.toFixed(0)} | ${(tfRate * perCall).toFixed(0)} | ≥ 50 calls/s |`);
  } finally {
    rmSync(bge, { recursive: true, force: true });
  }
}
