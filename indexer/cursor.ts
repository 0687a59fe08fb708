import { CallScopeError } from '../core/errors.ts';

/** A page cursor: the sort values and id of the last call of a page, opaque to callers (base64url JSON). */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === length) return values;
  } catch {
    // fall through
  }
  throw new CallScopeError('BAD_REQUEST', 'the cursor (after) is not one this query returned');
}
