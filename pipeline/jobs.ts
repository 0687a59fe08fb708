import { z } from 'zod';
import type { Config } from '../core/config.ts';

/**
 * The job contract shared by `callscope ingest` (producer), `callscope worker` (consumer), the API
 * and `callscope jobs`. New fields are added as optional so mixed versions keep working during a
 * rolling upgrade.
 *
 * One job per call, not one per stage. The job runs the call's stages through the same cached
 * runner as the in-process pipeline (`Pipeline.runStages`): every stage output is kept per
 * (call, stage, version) in the shared record store, so a retry or a new scorecard version redoes
 * only the stages whose input or version changed — what per-stage jobs would buy — while:
 *  - the job id is the call id, so one call is never in flight twice and its document is written
 *    by one worker at a time (per-stage jobs would need a flow per call and a lock around indexing);
 *  - a call costs one Redis round trip set instead of four, and `callscope jobs` shows one line
 *    per call with the stage that failed.
 * What it gives up: sending ASR and text stages to different worker pools (e.g. GPU machines for
 * ASR). That would be a second queue for `transcribe`, not a change to the handlers.
 */
export const CALL_QUEUE = 'callscope-calls';
export const CALL_JOB_NAME = 'call';

export const CallJob = z.object({
  callId: z.string().regex(/^[0-9a-f]{64}$/, 'a call id is 64 hex characters'),
  /** The user's path, for messages. The worker reads everything else from the record store. */
  origin: z.string(),
  /** Whether ingest saw the call for the first time (only changes the reported status). */
  isNew: z.boolean().optional(),
});
export type CallJob = z.infer<typeof CallJob>;

export const CallJobResult = z.object({ status: z.enum(['new', 'updated', 'unchanged']) });
export type CallJobResult = z.infer<typeof CallJobResult>;

/** States `callscope jobs` shows by default: what still needs attention. */
export const OPEN_STATES = ['failed', 'active', 'waiting', 'delayed'] as const;
export const JOB_STATES = ['failed', 'active', 'waiting', 'delayed', 'prioritized', 'completed'] as const;
export const JobState = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobState>;

export type JobSummary = {
  id: string;
  origin: string;
  state: JobState | 'waiting-children' | 'unknown';
  /** The stage the job last started (progress), null before its first uncached stage. */
  stage: string | null;
  attemptsMade: number;
  /** BullMQ's count of times a worker died (or froze) holding this job. */
  stalledCount: number;
  /** `<stage>: <CODE>: <message>` of the last failed attempt. */
  error: string | null;
  processedBy: string | null;
  enqueuedAt: string;
  finishedAt: string | null;
};

/** Retries with exponential backoff for transient faults; completed jobs are kept a day for `jobs` and `--wait`. */
export function callJobOptions(config: Config, callId: string) {
  return {
    jobId: callId,
    attempts: config.jobs.attempts,
    backoff: { type: 'exponential' as const, delay: config.jobs.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: false,
  };
}

/** `redis://user:secret@host` → `redis://user:***@host`, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
