import { Hono } from 'hono';
import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import { type CallQueue, READY_TIMEOUT_MS, withTimeout } from '../pipeline/call-queue.ts';
import { JOB_STATES, OPEN_STATES } from '../pipeline/jobs.ts';
import { parseRequest } from './validate.ts';

/** Opens the queue on first use; null when the server runs the in-process pipeline (no REDIS_URL). */
export type QueueAccess = (() => Promise<CallQueue>) | null;

export const JobsQuery = z.object({
  state: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()) : [...OPEN_STATES]))
    .pipe(z.array(z.enum(JOB_STATES)).min(1)),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const JobId = z.string().regex(/^[0-9a-f]{64}$/, 'a job id is the call id: 64 hex characters');

const parse = <T extends z.ZodType>(schema: T, input: unknown) => parseRequest(schema, input, 'request');

/**
 * The pipeline's job queue over HTTP (BullMQ runner only):
 *   GET  /api/jobs?state=failed,active,waiting&limit=50   → { counts, items: JobSummary[] }
 *   GET  /api/jobs/:id                                    → JobSummary
 *   POST /api/jobs/:id/retry                              → JobSummary (queued again)
 *   POST /api/jobs/retry-failed                           → { retried }
 * Without REDIS_URL every route answers 404 QUEUE_NOT_CONFIGURED; failed calls are then listed by
 * /api/calls?status=failed and retried by the next ingest.
 */
export function jobsRoutes(access: QueueAccess): Hono {
  const app = new Hono();
  const queue = async () => {
    if (!access) throw new CallScopeError('QUEUE_NOT_CONFIGURED', 'this server runs the in-process pipeline: no job queue (set REDIS_URL to use workers)');
    return access();
  };
  // Queue commands wait through a Redis outage; an HTTP client gets a 503 instead of a hung request.
  const answer = <T>(work: Promise<T>) =>
    withTimeout(work, READY_TIMEOUT_MS, () => new CallScopeError('QUEUE_UNAVAILABLE', `Redis did not answer within ${READY_TIMEOUT_MS / 1000} s`));

  app.get('/', async (c) => {
    const q = parse(JobsQuery, c.req.query());
    const jobs = await queue();
    const [counts, items] = await answer(Promise.all([jobs.counts(), jobs.list(q.state, q.limit)]));
    return c.json({ counts, items });
  });

  app.post('/retry-failed', async (c) => c.json({ retried: await answer((await queue()).retryAllFailed()) }));

  app.get('/:id', async (c) => {
    const id = parse(JobId, c.req.param('id'));
    const job = await answer((await queue()).get(id));
    if (!job) throw new CallScopeError('JOB_NOT_FOUND', `no job with id ${id}`);
    return c.json(job);
  });

  app.post('/:id/retry', async (c) => c.json(await answer((await queue()).retry(parse(JobId, c.req.param('id'))))));

  return app;
}

/** Connects once, on the first request that needs the queue; a failed connection is tried again next time. */
export function lazyQueue(open: () => Promise<CallQueue>): { access: () => Promise<CallQueue>; close(): Promise<void> } {
  let opening: Promise<CallQueue> | null = null;
  return {
    access: () => {
      opening ??= open().catch((err: unknown) => {
        opening = null;
        throw err;
      });
      return opening;
    },
    close: async () => {
      if (opening) await (await opening.catch(() => null))?.close();
    },
  };
}
