import { afterAll, beforeAll, expect, it } from 'vitest';
import { syntheticCalls } from '../../bench/store/synthetic-calls.ts';
import type { CallDoc } from '../../core/schemas.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { tempStoreWith } from '../helpers.ts';

/**
 * Aggregations arrive concurrently (a page asks for its analysis and its filter choices at once).
 * The embedded store's DuckDB mirror has one connection; a text filter builds a temp table on it,
 * which used to break a concurrent query ("closed pending query result"). Every answer must equal
 * the answer to the same request made alone.
 */
const docs: CallDoc[] = [...syntheticCalls(400, { seed: 3, startDate: '2026-09-01', days: 30, embeddingDims: 4 })];
let s: { store: CallStore; close(): Promise<void> };
beforeAll(async () => {
  s = await tempStoreWith(docs);
});
afterAll(async () => s?.close());

it('answers concurrent aggregations with and without text filters as it answers them one by one', async () => {
  const text = () => s.store.aggregate({ aggs: { a: { type: 'filter', filter: { text: { words: '年费', role: 'customer' } } }, b: { type: 'filter', filter: { text: { words: '挂失' } } } } });
  const terms = () => s.store.aggregate({ aggs: { v: { type: 'terms', field: 'product', size: 50 } } });
  const alone = [await terms(), await text()];
  for (let round = 0; round < 5; round++) {
    const results = await Promise.all([terms(), text(), terms(), text(), terms()]);
    expect(results).toEqual([alone[0], alone[1], alone[0], alone[1], alone[0]]);
  }
});
