import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Config } from '../core/config.ts';
import { CallScopeError, messageOf } from '../core/errors.ts';
import type { CallOutcome } from './ingest.ts';
import { CALL_JOB_NAME, CALL_QUEUE, CallJob, callJobOptions, type JobState, type JobSummary, redactUrl } from './jobs.ts';
import type { CallRecord } from './record-store.ts';

/** How long a command waits for Redis at start-up before it reports QUEUE_UNAVAILABLE. */
export const READY_TIMEOUT_MS = 5_000;
const POLL_MS = 500;
const WAIT_WINDOW = 1000;

/**
 * A Redis client for one BullMQ object (BullMQ under native ESM needs a constructed client).
 * `maxRetriesPerRequest: null`: commands wait through a Redis restart instead of failing.
 * BullMQ does not close a client it was given: the owner calls `quit()` after closing the object.
 */
export function redisClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

export type WaitProgress = (p: { done: number; total: number; current: string }) => void;

function summarize(job: Job, state: JobSummary['state']): JobSummary {
  const data = CallJob.partial().safeParse(job.data);
  return {
    id: job.id ?? '',
    origin: (data.success && data.data.origin) || '',
    state,
    stage: z.object({ stage: z.string() }).safeParse(job.progress).data?.stage ?? null,
    attemptsMade: job.attemptsMade,
    stalledCount: job.stalledCounter ?? 0,
    error: job.failedReason || null,
    processedBy: job.processedBy ?? null,
    enqueuedAt: new Date(job.timestamp).toISOString(),
    finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The producer and admin side of the call queue: enqueue (deterministic job id = call id), list,
 * retry, wait. Workers are in worker.ts.
 */
export class CallQueue {
  private lastError: string | null = null;

  private constructor(
    private readonly queue: Queue,
    private readonly client: Redis,
    private readonly config: Config,
  ) {
    // ioredis reports connection trouble as 'error' events; commands themselves wait and retry.
    queue.on('error', (err) => (this.lastError = messageOf(err)));
  }

  /** Connects to REDIS_URL; fails with QUEUE_UNAVAILABLE when Redis does not answer in time. */
  static async open(config: Config): Promise<CallQueue> {
    if (!config.redisUrl) {
      throw new CallScopeError(
        'QUEUE_NOT_CONFIGURED',
        'no job queue: REDIS_URL is not set. The in-process pipeline has no jobs: failed calls are listed by `callscope export --status failed` and retried by the next ingest',
      );
    }
    const client = redisClient(config.redisUrl);
    client.on('error', () => undefined); // reported through the queue's 'error' event
    const queue = new Queue(CALL_QUEUE, { connection: client });
    const q = new CallQueue(queue, client, config);
    try {
      await withTimeout(
        queue.waitUntilReady(),
        READY_TIMEOUT_MS,
        () => new CallScopeError('QUEUE_UNAVAILABLE', `Redis at ${redactUrl(config.redisUrl!)} did not answer within ${READY_TIMEOUT_MS / 1000} s${q.lastError ? ` (${q.lastError})` : ''}`),
      );
    } catch (err) {
      void queue.close().catch(() => undefined);
      client.disconnect();
      throw err;
    }
    return q;
  }

  /**
   * Queues a stored call. The job id is the call id: a call already waiting or running is not
   * queued twice; a finished job of the same call is replaced, so a re-ingest runs it again (its
   * cached stages make that cheap).
   */
  async enqueue(call: CallRecord, isNew: boolean): Promise<CallOutcome> {
    const data: CallJob = { callId: call.id, origin: call.origin, isNew };
    const existing = await this.queue.getJob(call.id);
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed' || state === 'failed') await existing.remove().catch(() => undefined);
    }
    await this.queue.add(CALL_JOB_NAME, data, callJobOptions(this.config, call.id));
    return { origin: call.origin, id: call.id, status: 'queued' };
  }

  async counts(): Promise<Record<JobState, number>> {
    const c = await this.queue.getJobCounts('failed', 'active', 'waiting', 'delayed', 'prioritized', 'completed');
    return { failed: c.failed ?? 0, active: c.active ?? 0, waiting: c.waiting ?? 0, delayed: c.delayed ?? 0, prioritized: c.prioritized ?? 0, completed: c.completed ?? 0 };
  }

  /** Jobs in the given states, per state in BullMQ's order (oldest first for waiting). */
  async list(states: readonly JobState[], limit: number): Promise<JobSummary[]> {
    const out: JobSummary[] = [];
    for (const state of states) {
      if (out.length >= limit) break;
      const jobs = await this.queue.getJobs([state], 0, limit - out.length - 1, state === 'waiting');
      for (const job of jobs) if (job) out.push(summarize(job as Job, state));
    }
    return out;
  }

  async get(id: string): Promise<JobSummary | null> {
    const job = await this.queue.getJob(id);
    return job ? summarize(job as Job, await job.getState()) : null;
  }

  /** Puts a failed (or completed) job back in the queue with its attempts reset. */
  async retry(id: string): Promise<JobSummary> {
    const job = await this.queue.getJob(id);
    if (!job) throw new CallScopeError('JOB_NOT_FOUND', `no job with id ${id}`);
    const state = await job.getState();
    if (state !== 'failed' && state !== 'completed') throw new CallScopeError('JOB_INVALID', `job ${id} is ${state}, not failed: nothing to retry`);
    await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
    return summarize(job as Job, 'waiting');
  }

  /** Retries every failed job; returns how many. */
  async retryAllFailed(): Promise<number> {
    let n = 0;
    for (;;) {
      const batch = await this.queue.getJobs(['failed'], 0, 499);
      if (batch.length === 0) return n;
      for (const job of batch) {
        if (!job?.id) continue;
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }).catch(() => undefined);
        n++;
      }
    }
  }

  /**
   * Waits until every given call's job has completed or failed. A job that vanished (Redis lost
   * its data) is queued again: its stages are cached, so that costs little and loses nothing.
   */
  async waitFor(calls: Array<{ id: string; origin: string }>, onProgress?: WaitProgress): Promise<JobSummary[]> {
    const pending = new Map(calls.map((c) => [c.id, c]));
    const finished: JobSummary[] = [];
    onProgress?.({ done: 0, total: calls.length, current: '' });
    while (pending.size > 0) {
      // Oldest first, a window at a time: jobs run in queue order, so a big batch costs WINDOW state reads per poll.
      const ids = [...pending.keys()].slice(0, WAIT_WINDOW);
      const states = await Promise.all(ids.map((id) => this.queue.getJobState(id)));
      for (const [i, id] of ids.entries()) {
        const state = states[i]!;
        const call = pending.get(id)!;
        if (state === 'completed' || state === 'failed') {
          const job = await this.queue.getJob(id);
          finished.push(job ? summarize(job as Job, state) : { id, origin: call.origin, state, stage: null, attemptsMade: 0, stalledCount: 0, error: null, processedBy: null, enqueuedAt: '', finishedAt: null });
          pending.delete(id);
          onProgress?.({ done: finished.length, total: calls.length, current: call.origin });
        } else if (state === 'unknown') {
          await this.queue.add(CALL_JOB_NAME, { callId: id, origin: call.origin } satisfies CallJob, callJobOptions(this.config, id));
        }
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return finished;
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
