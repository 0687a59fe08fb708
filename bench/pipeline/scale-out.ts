/**
 * In-process pipeline vs BullMQ workers on the same calls, on this machine:
 *  - text: N text-only calls (the dev vendor transcripts, each with a small change) — analyze + score + index;
 *  - audio: the dev recordings with their transcript sidecars — ffmpeg decode + Silero VAD per channel
 *    + analyze + score + index (no whisper: no real ASR weights can be installed here);
 *  - the queue's own cost per job: no-op jobs through BullMQ on the same Redis.
 * Each run gets a fresh data folder and a fresh redis-server (append-only, fsync every second, as in
 * docker-compose.yml). Workers are real `callscope worker` processes; every runner first processes
 * 8 other text calls untimed (models loaded, cold start over); the clock then covers discovery,
 * hashing, storing, enqueueing and the last job finishing.
 *
 *   node --import tsx bench/pipeline/scale-out.ts [--text 300] [--repeat 3] [--no-audio]
 * Text runs are repeated (median shown: this machine is shared and noisy); recordings run once.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import pino from 'pino';
import { loadConfig } from '../../core/config.ts';
import { openStore } from '../../indexer/open-store.ts';
import { CallQueue, redisClient } from '../../pipeline/call-queue.ts';
import { AUDIO_EXTENSIONS } from '../../pipeline/discover.ts';
import { Pipeline } from '../../pipeline/ingest.ts';
import { loadScorecards } from '../../scoring-models/scorecard.ts';
import { fabricateTextCalls } from '../../tests/fabricate-calls.ts';
import { CALLS_DIR, MODELS_DIR, tempDir } from '../../tests/helpers.ts';
import { startRedis } from '../../tests/redis-server.ts';
import { startWorker, type WorkerProcess } from '../../tests/worker-process.ts';

const args = process.argv.slice(2);
const textCalls = Number(args[args.indexOf('--text') + 1]) || 300;
const withAudio = !args.includes('--no-audio');
const repeats = args.includes('--repeat') ? Number(args[args.indexOf('--repeat') + 1]) || 1 : 3;
const CONCURRENCY = 2;

type Row = { set: string; calls: number; runner: string; seconds: number; failed: number };
const rows: Row[] = [];

/** Jobs finished (completed or failed) so far, polled every 50 ms: finer than `ingest --wait`. */
async function untilFinished(queue: CallQueue, n: number): Promise<void> {
  for (;;) {
    const c = await queue.counts();
    if (c.completed + c.failed >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function inProcess(set: string, inbox: string, root: string, repeat: number): Promise<void> {
  const config = loadConfig({ CALLSCOPE_DATA: path.join(root, `inproc-${set}-${repeat}`), CALLSCOPE_MODELS: MODELS_DIR, CALLSCOPE_CONCURRENCY: String(CONCURRENCY) });
  const store = openStore(config);
  const pipeline = new Pipeline({ config, store, log: pino({ level: 'silent' }), scorecards: loadScorecards(config.scorecardsDir) });
  await pipeline.ingest([warmInbox]);
  const t = performance.now();
  const summary = await pipeline.ingest([inbox]);
  const seconds = (performance.now() - t) / 1000;
  await store.close();
  rows.push({ set, calls: summary.outcomes.length, runner: `in-process (concurrency ${CONCURRENCY})`, seconds, failed: summary.outcomes.filter((o) => o.status === 'failed').length });
}

async function withWorkers(set: string, inbox: string, root: string, repeat: number, workers: number, concurrency = CONCURRENCY): Promise<void> {
  const dir = path.join(root, `bullmq-${set}-${workers}x${concurrency}-${repeat}`);
  mkdirSync(path.join(dir, 'redis'), { recursive: true });
  const redis = await startRedis(path.join(dir, 'redis'), { appendfsync: 'everysec' });
  const env = { REDIS_URL: redis.url, CALLSCOPE_DATA: path.join(dir, 'data'), CALLSCOPE_MODELS: MODELS_DIR, CALLSCOPE_CONCURRENCY: String(concurrency), CALLSCOPE_LOG_LEVEL: 'info' };
  const procs: WorkerProcess[] = [];
  try {
    for (let i = 0; i < workers; i++) procs.push(await startWorker(env));
    const config = loadConfig(env);
    const queue = await CallQueue.open(config);
    const store = openStore(config);
    const pipeline = new Pipeline({ config, store, log: pino({ level: 'silent' }), scorecards: loadScorecards(config.scorecardsDir), dispatch: (call, isNew) => queue.enqueue(call, isNew) });
    const warm = await pipeline.ingest([warmInbox]);
    await untilFinished(queue, warm.outcomes.length);
    const t = performance.now();
    const summary = await pipeline.ingest([inbox]);
    await untilFinished(queue, warm.outcomes.length + summary.outcomes.length);
    const seconds = (performance.now() - t) / 1000;
    const jobs = await queue.waitFor(summary.outcomes.filter((o) => o.status === 'queued'));
    await store.close();
    await queue.close();
    rows.push({ set, calls: jobs.length, runner: `BullMQ, ${workers} worker${workers > 1 ? 's' : ''} × concurrency ${concurrency}`, seconds, failed: jobs.filter((j) => j.state === 'failed').length });
  } finally {
    for (const p of procs) await p.kill('SIGTERM');
    await redis.stop();
  }
}

/** The queue's own cost: no-op jobs added in bulk and processed by one in-process worker. */
async function queueOverhead(root: string, n = 2000): Promise<{ perJobMs: number; jobsPerSec: number }> {
  mkdirSync(path.join(root, 'redis-noop'));
  const redis = await startRedis(path.join(root, 'redis-noop'), { appendfsync: 'everysec' });
  const producer = redisClient(redis.url);
  const consumer = redisClient(redis.url);
  const queue = new Queue('noop', { connection: producer });
  try {
    let done = 0;
    let finish: () => void = () => undefined;
    const all = new Promise<void>((r) => (finish = r));
    const worker = new Worker('noop', async () => undefined, { connection: consumer, concurrency: 4, autorun: false });
    worker.on('completed', () => ++done === n && finish());
    const t = performance.now();
    await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'noop', data: { i }, opts: { jobId: `job-${i}`, removeOnComplete: true } })));
    void worker.run();
    await all;
    const ms = performance.now() - t;
    await worker.close();
    return { perJobMs: ms / n, jobsPerSec: n / (ms / 1000) };
  } finally {
    await queue.close();
    await producer.quit();
    await consumer.quit();
    await redis.stop();
  }
}

const root = tempDir('callscope-bench-scale-');
// Warm-up calls, run (untimed) by every runner first: models loaded, workers past their cold start.
const warmInbox = path.join(root.dir, 'warm-up');
mkdirSync(warmInbox);
fabricateTextCalls(warmInbox, 8, 100_000);
try {
  const sets: Array<{ set: string; inbox: string; repeats: number }> = [];
  const textInbox = path.join(root.dir, 'text');
  mkdirSync(textInbox);
  fabricateTextCalls(textInbox, textCalls);
  sets.push({ set: 'text', inbox: textInbox, repeats });
  if (withAudio) {
    const audioInbox = path.join(root.dir, 'audio');
    mkdirSync(audioInbox);
    for (const f of readdirSync(CALLS_DIR).filter((f) => AUDIO_EXTENSIONS.has(path.extname(f)))) {
      copyFileSync(path.join(CALLS_DIR, f), path.join(audioInbox, f));
      copyFileSync(path.join(CALLS_DIR, `${f}.transcript.json`), path.join(audioInbox, `${f}.transcript.json`));
    }
    sets.push({ set: 'audio', inbox: audioInbox, repeats: 1 });
  }
  const loadBefore = loadavg()[0]!;
  // Runners take turns within each repeat, so a burst of other load hits them alike.
  for (const { set, inbox, repeats: n } of sets) {
    for (let r = 0; r < n; r++) {
      await inProcess(set, inbox, root.dir, r);
      await withWorkers(set, inbox, root.dir, r, 1);
      await withWorkers(set, inbox, root.dir, r, 2, 1);
      await withWorkers(set, inbox, root.dir, r, 2);
    }
  }
  const overhead = await queueOverhead(root.dir);

  console.log(`load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} (2 cores shared with other work)`);
  console.log('| calls | runner | wall time (median; range) | calls/s | calls/hour | vs in-process | failed |');
  console.log('|---|---|---|---|---|---|---|');
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]!;
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(`${r.set}|${r.runner}`, [...(groups.get(`${r.set}|${r.runner}`) ?? []), r]);
  const summary = [...groups.values()].map((g) => ({ ...g[0]!, seconds: median(g.map((r) => r.seconds)), all: g.map((r) => r.seconds), failed: g.reduce((n, r) => n + r.failed, 0) }));
  for (const r of summary) {
    const base = summary.find((b) => b.set === r.set && b.runner.startsWith('in-process'))!;
    const rate = r.calls / r.seconds;
    const ratio = rate / (base.calls / base.seconds);
    const label = r.set === 'text' ? `${r.calls} text-only` : `${r.calls} recordings (decode + VAD)`;
    const range = r.all.length > 1 ? `; ${Math.min(...r.all).toFixed(1)}–${Math.max(...r.all).toFixed(1)} s over ${r.all.length} runs` : '';
    console.log(`| ${label} | ${r.runner} | ${r.seconds.toFixed(1)} s${range} | ${rate.toFixed(rate < 10 ? 2 : 1)} | ${Math.round(rate * 3600).toLocaleString('en')} | ${ratio.toFixed(2)} | ${r.failed} |`);
  }
  const text = summary.filter((r) => r.set === 'text');
  const perCall = (r: Row) => (r.seconds * 1000) / r.calls;
  const diff = perCall(text[1]!) - perCall(text[0]!);
  console.log(
    `\nqueue overhead: ${overhead.perJobMs.toFixed(2)} ms per no-op job (${Math.round(overhead.jobsPerSec).toLocaleString('en')} jobs/s through one worker, concurrency 4); ` +
      `text calls, 1 worker vs in-process: ${diff >= 0 ? '+' : ''}${diff.toFixed(1)} ms per call (${perCall(text[1]!).toFixed(1)} vs ${perCall(text[0]!).toFixed(1)} ms)`,
  );
} finally {
  root.cleanup();
}
