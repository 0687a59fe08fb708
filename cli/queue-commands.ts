import type { Config } from '../core/config.ts';
import { CallScopeError } from '../core/errors.ts';
import { createLogger, logFile } from '../core/log.ts';
import { openStore } from '../indexer/open-store.ts';
import { CallQueue } from '../pipeline/call-queue.ts';
import { Pipeline } from '../pipeline/ingest.ts';
import { JOB_STATES, type JobState, type JobSummary, OPEN_STATES } from '../pipeline/jobs.ts';
import { startCallWorker } from '../pipeline/worker.ts';
import { loadScorecards } from '../scoring-models/scorecard.ts';
import { progressReporter } from './progress.ts';

const EXIT_SOME_FAILED = 2;

/** `callscope ingest` with REDIS_URL: discover, store each call's record, enqueue; with --wait, follow the jobs. */
export async function runQueuedIngest(config: Config, paths: string[], opts: { meta?: string; json?: boolean; wait?: boolean }): Promise<number> {
  const queue = await CallQueue.open(config);
  const store = openStore(config);
  const log = createLogger(config, 'pipeline');
  const pipeline = new Pipeline({ config, store, log, scorecards: loadScorecards(config.scorecardsDir), dispatch: (call, isNew) => queue.enqueue(call, isNew) });
  try {
    const progress = progressReporter();
    const summary = await pipeline.ingest(paths, opts.meta, (p) => progress.update(p));
    progress.finish();
    for (const p of summary.problems) console.error(`warning: ${p.where}: ${p.message}`);
    const rejected = summary.outcomes.filter((o) => o.status === 'failed');
    for (const o of rejected) console.error(`error: ${o.origin}: ${o.error?.code}: ${o.error?.message}`);
    const queued = summary.outcomes.filter((o) => o.status === 'queued');
    if (!opts.wait) {
      if (opts.json) for (const o of summary.outcomes) console.log(JSON.stringify(o));
      else console.log(`${queued.length} calls queued for the workers, ${rejected.length} rejected; \`callscope jobs\` shows progress and failures`);
      return rejected.length > 0 || summary.problems.length > 0 ? EXIT_SOME_FAILED : 0;
    }
    const started = Date.now();
    const waiting = progressReporter();
    const jobs = await queue.waitFor(queued, (p) => waiting.update(p));
    waiting.finish();
    const failed = jobs.filter((j) => j.state === 'failed');
    for (const j of failed) console.error(`error: ${j.origin}: ${j.error}`);
    if (opts.json) {
      for (const o of rejected) console.log(JSON.stringify(o));
      for (const j of jobs) console.log(JSON.stringify({ origin: j.origin, id: j.id, status: j.state === 'completed' ? 'ok' : 'failed', error: j.error ?? undefined }));
    } else {
      console.log(`${jobs.length} calls processed by the workers in ${((Date.now() - started) / 1000).toFixed(1)} s: ${jobs.length - failed.length} ok, ${failed.length} failed; ${rejected.length} rejected at ingest`);
      console.log(`store: ${config.dataDir}   log: ${logFile(config, 'pipeline')}`);
    }
    return failed.length + rejected.length > 0 || summary.problems.length > 0 ? EXIT_SOME_FAILED : 0;
  } finally {
    await store.close();
    await queue.close();
  }
}

/** `callscope worker`: processes call jobs until SIGINT/SIGTERM, then finishes the jobs in hand. */
export async function runWorker(config: Config, concurrency: number): Promise<void> {
  if (!config.redisUrl) throw new CallScopeError('QUEUE_NOT_CONFIGURED', 'callscope worker needs REDIS_URL (the Redis that `callscope ingest` enqueues to)');
  const store = openStore(config);
  const log = createLogger(config, 'pipeline');
  const worker = await startCallWorker({ config, store, log, scorecards: loadScorecards(config.scorecardsDir) }, concurrency);
  console.log(`worker ${worker.name} ready: queue ${worker.queue} on ${worker.redis}, concurrency ${concurrency}, data ${config.dataDir}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`worker ${worker.name} stopping after the jobs in hand (again to force)`);
    await worker.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function printJobs(jobs: JobSummary[]): void {
  for (const j of jobs) {
    const extra = [j.state === 'active' && j.stage ? `at ${j.stage}` : '', j.attemptsMade ? `attempts ${j.attemptsMade}` : '', j.stalledCount ? `stalled ${j.stalledCount}` : '', j.processedBy ? `by ${j.processedBy}` : '']
      .filter(Boolean)
      .join(', ');
    console.log(`${j.state.padEnd(9)} ${j.id.slice(0, 12)}  ${j.origin}${extra ? `  (${extra})` : ''}`);
    if (j.error) console.log(`          ${j.error}`);
  }
}

export function parseStates(value: string): JobState[] {
  const states = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of states) {
    if (!(JOB_STATES as readonly string[]).includes(s)) throw new CallScopeError('BAD_REQUEST', `unknown job state "${s}": expected ${JOB_STATES.join(', ')}`);
  }
  return states as JobState[];
}

/** `callscope jobs`: counts, then the jobs that need attention (failed first, with their error). */
export async function runJobsList(config: Config, opts: { state?: string; limit: number; json?: boolean }): Promise<number> {
  const queue = await CallQueue.open(config);
  try {
    const states = opts.state ? parseStates(opts.state) : [...OPEN_STATES];
    const [counts, jobs] = await Promise.all([queue.counts(), queue.list(states, opts.limit)]);
    if (opts.json) {
      console.log(JSON.stringify({ counts, jobs }));
    } else {
      console.log(Object.entries(counts).map(([s, n]) => `${s} ${n}`).join('   '));
      printJobs(jobs);
      if (counts.failed > 0) console.log(`retry: callscope jobs retry <id> | --all-failed`);
    }
    return counts.failed > 0 ? EXIT_SOME_FAILED : 0;
  } finally {
    await queue.close();
  }
}

/** `callscope jobs retry`: puts failed jobs back in the queue with fresh attempts. */
export async function runJobsRetry(config: Config, id: string | undefined, opts: { allFailed?: boolean }): Promise<void> {
  if (!id && !opts.allFailed) throw new CallScopeError('BAD_REQUEST', 'name a job id (the call id, or its first characters as `callscope jobs` prints it) or pass --all-failed');
  const queue = await CallQueue.open(config);
  try {
    if (opts.allFailed) {
      console.log(`${await queue.retryAllFailed()} failed jobs queued again`);
      return;
    }
    const job = await queue.retry(await resolveJobId(queue, id!));
    console.log(`queued again: ${job.id} ${job.origin}`);
  } finally {
    await queue.close();
  }
}

/** A full call id, or a unique prefix of a failed job's id (as `callscope jobs` prints it). */
async function resolveJobId(queue: CallQueue, id: string): Promise<string> {
  if (/^[0-9a-f]{64}$/.test(id)) return id;
  if (!/^[0-9a-f]{4,63}$/.test(id)) throw new CallScopeError('BAD_REQUEST', `"${id}" is not a job id: a call id is 64 hex characters (a prefix of 4 or more works)`);
  const matches = (await queue.list(['failed', 'completed'], 100_000)).filter((j) => j.id.startsWith(id));
  if (matches.length === 0) throw new CallScopeError('JOB_NOT_FOUND', `no failed or completed job id starts with ${id}`);
  if (matches.length > 1) throw new CallScopeError('BAD_REQUEST', `${matches.length} jobs start with ${id}: give more characters`);
  return matches[0]!.id;
}
