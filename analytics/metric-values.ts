import { CallScopeError } from '../core/errors.ts';
import type { CallDoc } from '../core/schemas.ts';
import type { CallStore } from '../indexer/call-store.ts';
import type { Filter, NumericField } from '../indexer/query-model.ts';

/**
 * The per-call values of a numeric fact, for tests that need more than the store's `stats`
 * (count/avg/sum): Welch's variance and Mann-Whitney's ranks. Read through `query`, sorted by the
 * field (missing last), a page of 500 at a time. Only the facts read here are supported.
 */
const READERS: Partial<Record<NumericField, (c: CallDoc) => number | null | undefined>> = {
  score: (c) => c.scores[0]?.total,
  durationSec: (c) => c.durationSec,
  silenceRatio: (c) => c.acoustics?.silenceRatio,
  talkRatio: (c) => c.acoustics?.talkRatio,
  longestSilenceSec: (c) => c.acoustics?.longestSilenceSec,
  overlapSec: (c) => c.acoustics?.overlapSec,
};

export function hasValueReader(field: NumericField): boolean {
  return READERS[field] !== undefined;
}

export async function valuesOf(store: CallStore, filter: Filter, field: NumericField, maxCalls: number): Promise<number[]> {
  const read = READERS[field];
  if (!read) throw new CallScopeError('BAD_REQUEST', `per-call values of ${field} are not supported for a mean test`);
  const values: number[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.query({ filter, sort: [{ field, order: 'asc' }], size: 500, ...(after ? { after } : {}) });
    if (page.total > maxCalls) {
      throw new CallScopeError('BAD_REQUEST', `a cohort of ${page.total} calls is more than ${maxCalls} for a mean test; narrow the filter`);
    }
    for (const { call } of page.items) {
      const v = read(call);
      if (v === null || v === undefined) return values; // missing values sort last: nothing further has one
      values.push(v);
    }
    if (!page.next || page.items.length === 0) return values;
    after = page.next;
  }
}
