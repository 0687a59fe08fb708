import { hostname } from 'node:os';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { CallScopeError, messageOf } from '../core/errors.ts';
import { READY_TIMEOUT_MS, redisClient, withTimeout } from './call-queue.ts';
import { Pipeline, type PipelineDeps } from './ingest.ts';
import { CALL_QUEUE, CallJob, type CallJobResult, redactUrl } from './jobs.ts';

export type CallWorker = { name: string; queue: string; redis: string; close(): Promise<void> };

/**
 * Runs one job: the call's stages through the same cached runner as the in-process pipeline. Bad
 * input (non-retryable) fails the job at once; a transient fault is thrown so BullMQ retries it
 * with backoff. Either way the failed call is already in the index with its error.
 */
export function callJobProcessor(pipeline: Pipeline) {
  return async (job: Job): Promise<CallJobResult> => {
    const parsed = CallJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`JOB_INVALID: ${parsed.error.issues[0]?.message ?? 'malformed job'}`);
    const call = await pipeline.records.getCall(parsed.data.callId);
    if (!call) {
      throw new UnrecoverableError(
        `JOB_INVALID: call ${parsed.data.callId} has no record in this worker's CALLSCOPE_DATA (workers must share the data folder ingest writes to)`,
      );
    }
    const outcome = await pipeline.runStages(call, parsed.data.isNew ?? false, (stage) => job.updateProgress({ stage }));
    if (outcome.status === 'queued') throw new UnrecoverableError('JOB_INVALID: a worker pipeline must not enqueue');
    if (outcome.status !== 'failed') return { status: outcome.status };
    const failure = await pipeline.records.getFailure(call.id);
    const reason = `${failure?.stage ?? 'pipeline'}: ${outcome.error?.code}: ${outcome.error?.message}`;
    if (failure?.retryable) throw new Error(reason);
    throw new UnrecoverableError(reason);
  };
}

/**
 * A BullMQ worker on the call queue. Lock duration and stalled-check interval come from config:
 * the lock is renewed every half lock while a job runs (ASR runs in a child process, so the event
 * loop stays free to renew it); a worker that dies holding a job loses the lock, and the next
 * stalled check by any worker puts the job back in the queue.
 */
export async function startCallWorker(deps: PipelineDeps, concurrency: number): Promise<CallWorker> {
  const { config } = deps;
  if (!config.redisUrl) throw new CallScopeError('QUEUE_NOT_CONFIGURED', 'callscope worker needs REDIS_URL (the Redis its ingest enqueues to)');
  const name = `${hostname()}:${process.pid}`;
  const log = deps.log.child({ worker: name });
  const pipeline = new Pipeline({ ...deps, log });
  const client = redisClient(config.redisUrl);
  client.on('error', () => undefined); // reported through the worker's 'error' event
  const worker = new Worker(CALL_QUEUE, callJobProcessor(pipeline), {
    connection: client,
    name,
    concurrency,
    lockDuration: config.jobs.lockMs,
    stalledInterval: config.jobs.stalledCheckMs,
    // A call may be taken over twice (two crashes) before it is declared failed.
    maxStalledCount: 2,
    autorun: false,
  });
  let lastError = '';
  worker.on('error', (err) => {
    lastError = messageOf(err);
    log.error({ error: lastError }, 'worker connection error');
  });
  worker.on('failed', (job, err) => log.warn({ callId: job?.id, attempts: job?.attemptsMade, error: messageOf(err) }, 'job failed'));
  worker.on('stalled', (jobId) => log.warn({ callId: jobId }, 'job stalled: its worker stopped renewing the lock; queued again'));
  worker.on('completed', (job) => log.info({ callId: job.id, status: (job.returnvalue as CallJobResult | undefined)?.status }, 'job completed'));
  void worker.run().catch((err: unknown) => log.error({ error: messageOf(err) }, 'worker stopped'));
  await withTimeout(worker.waitUntilReady(), READY_TIMEOUT_MS, () => {
    void worker.close(true).catch(() => undefined);
    client.disconnect();
    return new CallScopeError('QUEUE_UNAVAILABLE', `Redis at ${redactUrl(config.redisUrl!)} did not answer within ${READY_TIMEOUT_MS / 1000} s${lastError ? ` (${lastError})` : ''}`);
  });
  log.info({ queue: CALL_QUEUE, redis: redactUrl(config.redisUrl), concurrency }, 'worker ready');
  return {
    name,
    queue: CALL_QUEUE,
    redis: redactUrl(config.redisUrl),
    // Waits for the jobs in hand to finish; their locks are released, nothing is stalled.
    close: async () => {
      await worker.close();
      await client.quit().catch(() => client.disconnect());
    },
  };
}
