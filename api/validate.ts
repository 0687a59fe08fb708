import type { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';

/** Request input checked against a schema; the first problem is a 400 naming its field (or `what`). */
export function parseRequest<T extends z.ZodType>(schema: T, input: unknown, what = 'query'): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new CallScopeError('BAD_REQUEST', `${i.path.join('.') || what}: ${i.message}`);
  }
  return r.data;
}

export const CALL_ID = /^[0-9a-f]{64}$/;

/** A call id in a path: 64 hex characters, else a 400. */
export function assertCallId(id: string): void {
  if (!CALL_ID.test(id)) throw new CallScopeError('BAD_REQUEST', 'a call id is 64 hex characters');
}
