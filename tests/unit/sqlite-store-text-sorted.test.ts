import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCalls } from '../../bench/store/synthetic-calls.ts';
import type { CallDoc } from '../../core/schemas.ts';
import type { TextQuery } from '../../indexer/query-model.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { indexTerms, leafOf, segmentMatchesLeaf } from '../../indexer/text-terms.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { tempDir } from '../helpers.ts';

/**
 * Text-only queries sorted by score (the sorted-text path: FTS5 lists merged, the score index
 * walked) on 6,000 generated calls — scores with many ties, some calls without a score. Expected
 * pages are worked out here: each leaf evaluated segment by segment on the documents, then a plain
 * sort by (score, missing last, id).
 */
const tokenizer = { index: searchTokens, query: tokenize };
const docs: CallDoc[] = [...syntheticCalls(6000, { seed: 11, startDate: '2026-01-01', days: 60, embeddingDims: 4 })].map((d, i) =>
  i % 40 === 3 ? { ...d, scores: [] } : d,
);

const cut = new Map<string, string[]>();
const termsOf = (s: CallDoc['segments'][number]) => cut.get(s.textMasked) ?? cut.set(s.textMasked, indexTerms(tokenizer, s.textMasked)).get(s.textMasked)!;

function holds(doc: CallDoc, q: TextQuery): boolean {
  if ('and' in q) return q.and.every((c) => holds(doc, c));
  if ('or' in q) return q.or.some((c) => holds(doc, c));
  if ('not' in q) return !holds(doc, q.not);
  const leaf = leafOf(q, tokenizer);
  return doc.segments.some((s) => segmentMatchesLeaf(s, termsOf(s), leaf));
}

function expected(q: TextQuery, order: 'asc' | 'desc'): string[] {
  const missing = order === 'asc' ? Infinity : -Infinity;
  const key = (d: CallDoc) => d.scores[0]?.total ?? missing;
  return docs
    .filter((d) => holds(d, q))
    .sort((a, b) => (key(a) === key(b) ? (a.id < b.id ? -1 : 1) : order === 'asc' ? key(a) - key(b) : key(b) - key(a)))
    .map((d) => d.id);
}

const queries: Array<[string, TextQuery]> = [
  ['(A and not B) or C', { or: [{ and: [{ words: '投诉', role: 'customer' }, { not: { words: '抱歉', role: 'agent' } }] }, { words: '年费' }] }],
  ['a phrase', { phrase: '态度太差' }],
  ['two words in one segment', { words: '信用卡 年费' }],
];

// Every query here matches more than 50 calls and fewer than 4,096: the index walk in one store, direct sorting in the other.
describe.each([['duckdb', 50], ['sqlite', undefined]] as const)('text sorted by score (analytics: %s, sorted directly up to %s calls)', (analytics, sortDirectlyUpTo) => {
  const tmp = tempDir('callscope-sorted-');
  let store: SqliteCallStore;
  beforeAll(async () => {
    store = new SqliteCallStore(path.join(tmp.dir, 'index.sqlite'), tokenizer, { analytics, ...(sortDirectlyUpTo ? { sortDirectlyUpTo } : {}) });
    await store.putMany(docs.map((doc) => ({ doc, docHash: doc.id })));
  }, 120_000);
  afterAll(async () => {
    await store.close();
    tmp.cleanup();
  });

  it.each(queries)('%s: pages by cursor and by offset, totals', async (_, text) => {
    for (const order of ['asc', 'desc'] as const) {
      const all = expected(text, order);
      expect(all.length).toBeGreaterThan(0);
      const sort = [{ field: 'score' as const, order }];
      const seen: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 3; i++) {
        const page = await store.query({ filter: { text }, sort, size: 40, trackTotalHits: true, ...(after ? { after } : {}) });
        expect(page.total).toBe(all.length);
        seen.push(...page.items.map((h) => h.call.id));
        if (!page.next) break;
        after = page.next;
      }
      expect(seen).toEqual(all.slice(0, seen.length));
      expect(seen.length).toBe(Math.min(all.length, 120));
      const byOffset = await store.query({ filter: { text }, sort, size: 25, offset: 30 });
      expect(byOffset.items.map((h) => h.call.id)).toEqual(all.slice(30, 55));
      expect(byOffset.total).toBe(Math.min(all.length, 10_000));
    }
  });

  it('the last pages reach the calls without a score', async () => {
    const text: TextQuery = { words: '年费' };
    const all = expected(text, 'asc');
    const page = await store.query({ filter: { text }, sort: [{ field: 'score', order: 'asc' }], size: 30, offset: all.length - 20 });
    expect(page.items.map((h) => h.call.id)).toEqual(all.slice(-20));
    expect(page.items.some((h) => h.call.scores.length === 0)).toBe(true);
  });
});
