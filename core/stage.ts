import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { ErrorCode } from './errors.ts';

/** What every stage gets besides its input. */
export type StageContext = { config: Config; log: Logger; callId: string };

/**
 * A stage reports bad input as a value, never by throwing: the runner records it, keeps the
 * call visible, and retries only what is marked retryable.
 */
export type StageResult<T> =
  | { ok: true; output: T; warnings: string[] }
  | { ok: false; code: ErrorCode; reason: string; retryable: boolean };

export type Stage<I, O> = {
  name: string;
  /** Bump when the output for the same input would change; cached outputs of older versions are recomputed. */
  version: string;
  run(input: I, ctx: StageContext): Promise<StageResult<O>>;
};

export function ok<T>(output: T, warnings: string[] = []): StageResult<T> {
  return { ok: true, output, warnings };
}
