import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallDoc } from '../../core/schemas.ts';
import type { CallStore, SegmentKnnHit } from '../../indexer/call-store.ts';
import type { OpenedStore } from './call-store.contract.ts';
import { contractCalls } from './store-fixtures.ts';

/**
 * Segment kNN on every engine, over the contract calls given hand-made 4-d segment vectors. The
 * query is Q = [0, 1, 0, 0]; each vector's cosine with Q is its second component over its length,
 * worked out in the table below (never by a store):
 *
 * | call | branch | passed | segment (role)  | vector                | cos with Q |
 * | c1   | 上海   | yes    | s0 (agent)      | [1, 0, 0, 0]          | 0          |
 * |      |        |        | s1 (customer)   | [0, 1, 0, 0]          | 1          |
 * | c2   | 上海   | no     | s0 (customer)   | [0, 0.8, 0.6, 0]      | 0.8        |
 * |      |        |        | s1 (agent)      | [0, 0, 1, 0]          | 0          |
 * |      |        |        | s2 (customer)   | [0, 0.95, 0.3122, 0]  | 0.95       |
 * | c3   | 北京   | yes    | s0 (customer)   | [1, 0, 0, 0]          | 0          |
 * |      |        |        | s1 (agent)      | [0, 0.7, 0, 0.7141]   | 0.7        |
 * | c4   | 北京   | no     | s0 (customer)   | [0, 0.5, 0, 0.8660]   | 0.5        |
 * |      |        |        | s1 (agent)      | [0, 0, 0, 1]          | 0          |
 * | c6   | 广州   | yes    | s0 (customer)   | [0.4359, 0.9, 0, 0]   | 0.9        |
 * |      |        |        | s1 (agent)      | [0, 0.3, 0, 0.9539]   | 0.3        |
 *
 * (Lengths are 1 to 4 decimals: 0.95² + 0.3122² = 1.0000, 0.7² + 0.7141² = 1.0000, …) c5 failed and has none.
 */
const Q = [0, 1, 0, 0];
const SEGMENT_VECTORS: Record<string, number[][]> = {
  c1: [[1, 0, 0, 0], [0, 1, 0, 0]],
  c2: [[0, 0.8, 0.6, 0], [0, 0, 1, 0], [0, 0.95, 0.3122, 0]],
  c3: [[1, 0, 0, 0], [0, 0.7, 0, 0.7141]],
  c4: [[0, 0.5, 0, 0.866], [0, 0, 0, 1]],
  c6: [[0.4359, 0.9, 0, 0], [0, 0.3, 0, 0.9539]],
};

export function withSegmentVectors(doc: CallDoc, vectors: number[][] | undefined): CallDoc {
  if (!vectors || !doc.nlp) return doc;
  return { ...doc, nlp: { ...doc.nlp, segmentEmbeddings: { model: 'test-4d', vectors: vectors.map((vector, i) => ({ segmentId: `s${i}`, vector })) } } };
}

const calls = contractCalls.map((c) => withSegmentVectors(c, SEGMENT_VECTORS[c.id]));
const idsOf = (hits: SegmentKnnHit[]) => hits.map((h) => h.call.id);
const pairs = (hits: SegmentKnnHit[]) => hits.map((h) => `${h.call.id}/${h.segment.segmentId}`);

export function segmentKnnContract(engine: string, open: () => Promise<OpenedStore>): void {
  describe(`segment kNN contract: ${engine}`, () => {
    let opened: OpenedStore;
    let store: CallStore;
    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      await store.putMany(calls.map((doc) => ({ doc, docHash: `hash-${doc.id}` })));
      await store.warm?.();
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    it('returns each call once, with its nearest segment (id, role, times, masked text) and the cosine', async () => {
      const hits = await store.knnSegments({ vector: Q, k: 10 });
      expect(pairs(hits)).toEqual(['c1/s1', 'c2/s2', 'c6/s0', 'c3/s1', 'c4/s0']);
      expect(hits.map((h) => h.similarity)).toEqual([1, 0.95, 0.9, 0.7, 0.5].map((s) => expect.closeTo(s, 3)));
      expect(hits[1]!.segment).toEqual({ segmentId: 's2', role: 'customer', start: 10, end: 14, text: '你们客服态度太差了我要投诉' });
    });

    it('k, role and call filters are pre-filters: k hits that all match whenever k calls match', async () => {
      expect(pairs(await store.knnSegments({ vector: Q, k: 2 }))).toEqual(['c1/s1', 'c2/s2']);
      expect(pairs(await store.knnSegments({ vector: Q, k: 10, role: 'customer' }))).toEqual(['c1/s1', 'c2/s2', 'c6/s0', 'c4/s0', 'c3/s0']);
      expect(pairs(await store.knnSegments({ vector: Q, k: 2, role: 'agent' }))).toEqual(['c3/s1', 'c6/s1']);
      expect(pairs(await store.knnSegments({ vector: Q, k: 1, filter: { terms: { branch: ['北京分行'] } } }))).toEqual(['c3/s1']);
      expect(pairs(await store.knnSegments({ vector: Q, k: 2, role: 'customer', filter: { booleans: { passed: true } } }))).toEqual(['c1/s1', 'c6/s0']);
      expect(idsOf(await store.knnSegments({ vector: Q, k: 2, filter: { text: { words: '投诉' } } }))).toEqual(['c2', 'c3']);
      expect(await store.knnSegments({ vector: Q, k: 5, filter: { terms: { branch: ['杭州分行'] } } })).toEqual([]);
    });

    it('exact (the reference) gives the same answer', async () => {
      expect(pairs(await store.knnSegments({ vector: Q, k: 10, exact: true }))).toEqual(['c1/s1', 'c2/s2', 'c6/s0', 'c3/s1', 'c4/s0']);
      expect(pairs(await store.knnSegments({ vector: Q, k: 2, role: 'customer', filter: { booleans: { passed: true } }, exact: true }))).toEqual(['c1/s1', 'c6/s0']);
    });

    it('sees new, replaced and deleted calls; the stored document does not carry the vectors', async () => {
      const plain = { ...contractCalls[0]!, id: 'c9', meta: { ...contractCalls[0]!.meta, branch: '深圳分行' } };
      const c9 = withSegmentVectors(plain, [[0, 0, 1, 0], [0, 0.99, 0.1411, 0]]);
      const inShenzhen = { terms: { branch: ['深圳分行'] } };
      await store.put(c9, 'h9');
      expect(pairs(await store.knnSegments({ vector: Q, k: 1, filter: inShenzhen }))).toEqual(['c9/s1']);
      expect(pairs(await store.knnSegments({ vector: Q, k: 2 }))).toEqual(['c1/s1', 'c9/s1']);
      expect((await store.get('c9'))!.nlp!.segmentEmbeddings).toBeUndefined();
      // Re-put with the vectors swapped between its segments: the hit follows them.
      await store.put(withSegmentVectors(c9, [[0, 0.99, 0.1411, 0], [0, 0, 1, 0]]), 'h9b');
      expect(pairs(await store.knnSegments({ vector: Q, k: 1, filter: inShenzhen }))).toEqual(['c9/s0']);
      // Re-put without segment vectors: it leaves the index.
      await store.put(plain, 'h9c');
      expect(await store.knnSegments({ vector: Q, k: 1, filter: inShenzhen })).toEqual([]);
      await store.put(c9, 'h9d');
      await store.delete('c9');
      expect(idsOf(await store.knnSegments({ vector: Q, k: 10 }))).toEqual(['c1', 'c2', 'c6', 'c3', 'c4']);
      expect(await store.knnSegments({ vector: Q, k: 1, filter: inShenzhen })).toEqual([]);
    });

    it('gives back a stored segment vector (the query of "more like this segment")', async () => {
      expect(await store.segmentVector('c2', 's2')).toEqual([0, 0.95, 0.3122, 0].map((x) => expect.closeTo(x, 4)));
      expect(await store.segmentVector('c2', 's9')).toBeNull();
      expect(await store.segmentVector('c5', 's0')).toBeNull();
      expect(await store.segmentVector('nope', 's0')).toBeNull();
    });

    it('refuses a malformed query with BAD_REQUEST', async () => {
      await expect(store.knnSegments({ vector: [1], k: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(store.knnSegments({ vector: Q, k: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    });
  });
}
