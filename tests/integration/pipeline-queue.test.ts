import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { openAuth } from '../../api/auth/auth.ts';
import { asAdmin } from '../auth-helpers.ts';
import { lazyQueue } from '../../api/jobs-routes.ts';
import { transcribeStage } from '../../asr/transcribe-stage.ts';
import { loadConfig } from '../../core/config.ts';
import { openStore } from '../../indexer/open-store.ts';
import { CallQueue } from '../../pipeline/call-queue.ts';
import { sha256 } from '../../pipeline/record-store.ts';
import { fabricateTextCalls } from '../fabricate-calls.ts';
import { CALLS_DIR, MODELS_DIR, tempDir } from '../helpers.ts';
import { freePort, startRedis, type TestRedis } from '../redis-server.ts';
import { runCli } from '../run-cli.ts';
import { startWorker, type WorkerProcess } from '../worker-process.ts';

/**
 * The BullMQ runner end to end: a real redis-server (own port, append-only file), real
 * `callscope worker` and `callscope ingest` child processes, real files and the SQLite index.
 * "Indexed once" is read from the workers' own stage log: one `index` line with status ok per call.
 */

type Env = Record<string, string>;
let cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setUp(): Promise<{ redis: TestRedis; inbox: string; data: string; env: Env }> {
  const root = tempDir('callscope-queue-');
  const redisDir = path.join(root.dir, 'redis');
  const inbox = path.join(root.dir, 'inbox');
  const data = path.join(root.dir, 'data');
  for (const d of [redisDir, inbox]) mkdirSync(d);
  const redis = await startRedis(redisDir);
  cleanups.push(() => root.cleanup(), () => redis.stop());
  return { redis, inbox, data, env: { REDIS_URL: redis.url, CALLSCOPE_DATA: data, CALLSCOPE_MODELS: MODELS_DIR } };
}

async function worker(env: Env): Promise<WorkerProcess> {
  const w = await startWorker(env);
  cleanups.push(() => w.kill('SIGKILL'));
  return w;
}

async function openQueue(env: Env): Promise<CallQueue> {
  const q = await CallQueue.open(loadConfig(env));
  cleanups.push(() => q.close());
  return q;
}

/** Polls until `check` holds; the test's own timeout bounds it (no timing is asserted). */
async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

type LogLine = { callId?: string; stage?: string; status?: string; worker?: string; msg?: string };

function logLines(data: string): LogLine[] {
  const file = path.join(data, 'logs', 'pipeline.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogLine);
}

/** Index writes per call id, from the stage log of every worker. */
function indexWrites(data: string): Map<string, number> {
  const n = new Map<string, number>();
  for (const l of logLines(data)) if (l.stage === 'index' && l.status === 'ok' && l.callId) n.set(l.callId, (n.get(l.callId) ?? 0) + 1);
  return n;
}

async function indexedDocs(env: Env) {
  const store = openStore(loadConfig(env));
  try {
    const docs = [];
    for await (const d of store.all()) docs.push(d);
    return docs;
  } finally {
    await store.close();
  }
}

function copyDevCall(file: string, inbox: string): string {
  copyFileSync(path.join(CALLS_DIR, file), path.join(inbox, file));
  copyFileSync(path.join(CALLS_DIR, `${file}.transcript.json`), path.join(inbox, `${file}.transcript.json`));
  return sha256(readFileSync(path.join(CALLS_DIR, file)));
}

describe('BullMQ pipeline on a real Redis', () => {
  it('a worker killed with SIGKILL mid-job: another worker completes the call, indexed once', async () => {
    const { inbox, data, env: base } = await setUp();
    // Short locks so the dead worker's job is taken over within seconds, not a minute.
    const env = { ...base, CALLSCOPE_JOB_LOCK_MS: '2000', CALLSCOPE_JOB_STALLED_CHECK_MS: '1000', CALLSCOPE_CONCURRENCY: '1' };
    // A recording: decode + Silero VAD per channel take seconds, so the job is caught running.
    const id = copyDevCall('SYN-0001.mp3', inbox);
    const a = await worker(env);
    const ingest = await runCli(['ingest', inbox], env);
    expect(ingest.stderr).not.toMatch(/^error:/m);
    expect(ingest.stdout).toContain('1 calls queued');
    expect(ingest.code).toBe(0);

    const queue = await openQueue(env);
    // Caught inside the transcribe stage (the job's progress says which stage runs).
    await waitUntil(async () => {
      const j = await queue.get(id);
      return j?.state === 'active' && j.stage === 'transcribe';
    });
    await a.kill('SIGKILL');
    // Killed holding the job: it has not finished, and nothing was indexed.
    expect((await queue.get(id))!.state).toBe('active');
    expect(indexWrites(data).size).toBe(0);

    const b = await worker(env);
    await waitUntil(async () => ['completed', 'failed'].includes((await queue.get(id))!.state));
    const job = (await queue.get(id))!;
    expect(job).toMatchObject({ state: 'completed', processedBy: b.name, stalledCount: 1, error: null });

    const docs = await indexedDocs(env);
    expect(docs.map((d) => [d.id, d.status])).toEqual([[id, 'ok']]);
    expect(docs[0]!.segments.length).toBeGreaterThan(10);
    expect(indexWrites(data)).toEqual(new Map([[id, 1]]));
    // The surviving worker's stalled check is what put it back.
    expect(logLines(data).filter((l) => l.msg?.startsWith('job stalled') && l.callId === id).map((l) => l.worker)).toEqual([b.name]);
  });

  it('Redis killed and restarted mid-run: no call is lost, each is indexed once', async () => {
    const { redis, inbox, data, env } = await setUp();
    // Two recordings first (seconds each), then text-only calls: the run is under way, not over, when Redis dies.
    const audio = [copyDevCall('SYN-0002.mp3', inbox), copyDevCall('SYN-0012.wav', inbox)];
    const text = fabricateTextCalls(inbox, 24).map((f) => sha256(readFileSync(f)));
    const all = [...audio, ...text];
    const workers = [await worker({ ...env, CALLSCOPE_CONCURRENCY: '1' }), await worker({ ...env, CALLSCOPE_CONCURRENCY: '1' })];
    // `ingest --wait` runs through the outage too: it must report every call, not hang or fail.
    const ingest = runCli(['ingest', inbox, '--wait'], env);

    const queue = await openQueue(env);
    await waitUntil(async () => (await queue.counts()).completed >= 1);
    const doneBeforeCrash = (await queue.counts()).completed;
    expect(doneBeforeCrash).toBeLessThan(all.length);
    await redis.kill();
    await redis.start();

    const run = await ingest;
    expect(run.stdout).toMatch(/^26 calls processed by the workers in [\d.]+ s: 26 ok, 0 failed; 0 rejected at ingest$/m);
    expect(run.code).toBe(0);
    expect(await queue.counts()).toMatchObject({ completed: all.length, failed: 0, active: 0, waiting: 0, delayed: 0 });
    // The workers lived through it (they reconnected by themselves) and did the rest of the work.
    for (const w of workers) expect(w.output()).not.toMatch(/error:|unexpected/);
    const docs = await indexedDocs(env);
    expect(docs.map((d) => d.id).sort()).toEqual([...all].sort());
    expect(docs.every((d) => d.status === 'ok')).toBe(true);
    const writes = indexWrites(data);
    expect([...writes.keys()].sort()).toEqual([...all].sort());
    expect([...writes.values()].every((n) => n === 1)).toBe(true);
  });

  it('200 calls through 2 workers: all indexed exactly once; a bad call fails once, visible and retryable', async () => {
    const { inbox, data, env } = await setUp();
    const ids = fabricateTextCalls(inbox, 200).map((f) => sha256(readFileSync(f)));
    expect(new Set(ids).size).toBe(200);
    const workers = [await worker(env), await worker(env)];

    const run = await runCli(['ingest', inbox, '--wait'], env);
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.stdout).toMatch(/^200 calls processed by the workers in [\d.]+ s: 200 ok, 0 failed; 0 rejected at ingest$/m);
    expect(run.code).toBe(0);

    const docs = await indexedDocs(env);
    expect(docs.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(docs.every((d) => d.status === 'ok' && d.scores.length > 0)).toBe(true);
    const writes = indexWrites(data);
    expect(writes.size).toBe(200);
    expect([...writes.values()].every((n) => n === 1)).toBe(true);
    // Both workers took part.
    const byWorker = new Map<string, number>();
    for (const l of logLines(data)) if (l.msg === 'job completed' && l.worker) byWorker.set(l.worker, (byWorker.get(l.worker) ?? 0) + 1);
    expect([...byWorker.keys()].sort()).toEqual(workers.map((w) => w.name).sort());
    expect([...byWorker.values()].reduce((a, b) => a + b, 0)).toBe(200);
    // No attempt failed on the way (two processes writing one SQLite index must wait, not fail).
    expect(logLines(data).filter((l) => l.msg === 'job failed')).toEqual([]);

    // Bad input: fails at once (no retries), shows in `callscope jobs` with its stage and code, and is retryable.
    const bad = path.join(inbox, 'broken.transcript.json');
    writeFileSync(bad, '{"format":"something-else"}');
    const badId = sha256(readFileSync(bad));
    const second = await runCli(['ingest', bad, '--wait'], env);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`error: ${bad}: transcribe: TRANSCRIPT_INVALID:`);
    const list = await runCli(['jobs'], env);
    expect(list.code).toBe(2);
    expect(list.stdout).toMatch(/^failed 1 {3}active 0 {3}waiting 0 {3}delayed 0 {3}prioritized 0 {3}completed 200$/m);
    expect(list.stdout).toContain(`failed    ${badId.slice(0, 12)}  ${bad}  (attempts 1, by `);
    expect(list.stdout).toContain('transcribe: TRANSCRIPT_INVALID:');
    expect((await indexedDocs(env)).find((d) => d.id === badId)).toMatchObject({ status: 'failed', error: { stage: 'transcribe', code: 'TRANSCRIPT_INVALID' } });

    // Retried (a user would first install the missing model, say): queued with fresh attempts, run again.
    const queue = await openQueue(env);
    const failedAt = (await queue.get(badId))!.finishedAt;
    const retry = await runCli(['jobs', 'retry', badId.slice(0, 12)], env);
    expect(retry.stdout).toContain(`queued again: ${badId} ${bad}`);
    await waitUntil(async () => {
      const j = (await queue.get(badId))!;
      return j.state === 'failed' && j.finishedAt !== failedAt;
    });
    expect(await queue.get(badId)).toMatchObject({ state: 'failed', attemptsMade: 1 });
    expect((await runCli(['jobs', 'retry', '--all-failed'], env)).stdout).toContain('1 failed jobs queued again');
  });

  it('the API lists failed jobs with their error and retries them; 503 while Redis is down; without REDIS_URL it says there is no queue', async () => {
    const { redis, inbox, env } = await setUp();
    const bad = path.join(inbox, 'broken.transcript.json');
    writeFileSync(bad, '{"format":"something-else"}');
    const badId = sha256(readFileSync(bad));
    await worker(env);
    expect((await runCli(['ingest', inbox, '--wait'], env)).code).toBe(2);

    const config = loadConfig(env);
    const store = openStore(config);
    cleanups.push(() => store.close());
    // As `callscope serve` does: one queue connection, opened on the first request.
    const jobs = lazyQueue(() => CallQueue.open(config));
    cleanups.push(() => jobs.close());
    const auth = openAuth(config.dataDir);
    cleanups.push(async () => auth.close());
    const app = { request: await asAdmin(createApp(store, { jobs: jobs.access, auth }), auth) };
    const list = await app.request('/api/jobs?state=failed');
    expect(list.status).toBe(200);
    const body = (await list.json()) as { counts: Record<string, number>; items: Array<Record<string, unknown>> };
    expect(body.counts).toMatchObject({ failed: 1, completed: 0 });
    expect(body.items).toEqual([expect.objectContaining({ id: badId, origin: bad, state: 'failed', attemptsMade: 1, error: expect.stringMatching(/^transcribe: TRANSCRIPT_INVALID: /) })]);
    expect((await app.request('/api/jobs?state=bogus')).status).toBe(400);
    expect((await app.request(`/api/jobs/${'0'.repeat(64)}`)).status).toBe(404);

    const retried = await app.request(`/api/jobs/${badId}/retry`, { method: 'POST' });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ id: badId, state: 'waiting' });
    // Bad input stays bad: it runs once more and fails again.
    const queue = await openQueue(env);
    await waitUntil(async () => (await queue.get(badId))!.state === 'failed');
    expect((await app.request(`/api/jobs/${badId}`)).status).toBe(200);

    await redis.kill();
    const down = await app.request('/api/jobs');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ error: { code: 'QUEUE_UNAVAILABLE', message: 'Redis did not answer within 5 s' } });
    await redis.start();
    expect((await app.request('/api/jobs?state=failed')).status).toBe(200);

    const embedded = { request: await asAdmin(createApp(store, { auth }), auth) };
    const none = await embedded.request('/api/jobs');
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ error: { code: 'QUEUE_NOT_CONFIGURED', message: expect.stringContaining('REDIS_URL') } });
  });

  it('a transient fault is retried after a backoff and the call completes; SIGTERM lets a worker finish its job', async () => {
    const { inbox, data, env: base } = await setUp();
    const env = { ...base, CALLSCOPE_JOB_BACKOFF_MS: '1000' };
    const [file] = fabricateTextCalls(inbox, 1);
    const id = sha256(readFileSync(file!));
    // A real file-system fault: a directory where the transcribe output is to be written.
    const blocker = path.join(data, 'records', id.slice(0, 2), id, `transcribe@${transcribeStage.version}.json`);
    mkdirSync(path.join(blocker, 'in-the-way'), { recursive: true });
    const w = await worker(env);
    expect((await runCli(['ingest', inbox], env)).code).toBe(0);
    const queue = await openQueue(env);
    await waitUntil(async () => (await queue.get(id))!.state === 'delayed');
    expect((await queue.get(id))!.error).toMatch(/EISDIR|ENOTEMPTY|EEXIST|directory/i);
    rmSync(blocker, { recursive: true });
    await waitUntil(async () => ['completed', 'failed'].includes((await queue.get(id))!.state));
    expect(await queue.get(id)).toMatchObject({ state: 'completed', attemptsMade: 2 });
    expect(indexWrites(data)).toEqual(new Map([[id, 1]]));

    // Graceful stop: a recording is caught running, SIGTERM; the worker finishes it, then exits.
    const audio = copyDevCall('SYN-0004.mp3', inbox);
    expect((await runCli(['ingest', inbox], env)).code).toBe(0);
    await waitUntil(async () => (await queue.get(audio))?.state === 'active');
    await w.kill('SIGTERM');
    expect(w.output()).toContain('stopping after the jobs in hand');
    expect(await queue.get(audio)).toMatchObject({ state: 'completed', processedBy: w.name, stalledCount: 0 });
    expect(indexWrites(data).get(audio)).toBe(1);
    // The second ingest queued the finished text call again: it ran from the cache, no new index write.
    expect(indexWrites(data).get(id)).toBe(1);
  });

  it('says so in one line when Redis does not answer or is not configured', async () => {
    const data = tempDir();
    cleanups.push(() => data.cleanup());
    const env = { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, CALLSCOPE_DATA: data.dir };
    const [jobs, work] = await Promise.all([runCli(['jobs'], env), runCli(['worker'], env)]);
    for (const r of [jobs, work]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^callscope: Redis at ${env.REDIS_URL}/? did not answer within 5 s \\(connect ECONNREFUSED [^)]+\\)\\n$`));
    }
    const none = await runCli(['jobs'], { CALLSCOPE_DATA: env.CALLSCOPE_DATA, REDIS_URL: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^callscope: no job queue: REDIS_URL is not set\..*export --status failed/);
  });
});
