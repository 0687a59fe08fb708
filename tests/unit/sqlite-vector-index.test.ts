import { afterEach, describe, expect, it, vi } from 'vitest';
import { gaussian, mulberry32 } from '../../core/prng.ts';
import type { CallDoc } from '../../core/schemas.ts';
import { Centroids, sampleIndices } from '../../indexer/sqlite/vector-ivf.ts';
import { withSegmentVectors } from '../contract/segment-knn.contract.ts';
import { contractCalls } from '../contract/store-fixtures.ts';
import { tempSqliteStore } from '../helpers.ts';

/**
 * The embedded store's IVF index on generated data: 8 well-separated clusters in 16-d (cosine
 * between cluster centres ≈ 0, within a cluster ≥ 0.9), so the nearest neighbours of a query all
 * sit in its own cluster and an index reading a few lists must find the same calls as the exact scan.
 */
const DIMS = 16;
const rnd = mulberry32(3);
const normal = gaussian(rnd);
const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
// Centres on distinct axes: orthogonal, so clusters never overlap.
const centres = Array.from({ length: 8 }, (_, c) => Array.from({ length: DIMS }, (_, d) => (d === c * 2 ? 1 : 0)));
const near = (c: number) => unit(centres[c]!.map((x) => x + 0.05 * normal()));

function calls(from: number, count: number): CallDoc[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const base = contractCalls[n % 2 === 0 ? 0 : 2]!; // 上海分行 and 北京分行 in turn
    const doc: CallDoc = { ...base, id: `v${n}`, segments: base.segments.map((s) => ({ ...s })) };
    return withSegmentVectors(doc, doc.segments.map((_, j) => near((n + j) % 8)));
  });
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});
function open(vectors: { exactBelow: number; listSize: number; backlogLimit?: number }) {
  const opened = tempSqliteStore({ analytics: 'sqlite', vectors }, 'callscope-ivf-');
  const store = opened.store;
  cleanup = opened.cleanup;
  const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
  const meta = () => Object.fromEntries(db.prepare('SELECT name, value FROM segment_vector_meta').raw().all() as Array<[string, number]>);
  const lists = () => db.prepare('SELECT count(*) FROM segment_vector_centroids').pluck().get() as number;
  return { store, meta, lists };
}

describe('IVF coarse quantiser', () => {
  it('trains centroids on the clusters and sends each vector to a list whose centroid is close to it', () => {
    const sample = Array.from({ length: 400 }, (_, i) => Float32Array.from(near(i % 8)));
    const c = Centroids.train(sample, 8);
    // k-means (Lloyd, k-means++ seeds) may merge two orthogonal clusters and split another: a local optimum.
    const listOf = Array.from({ length: 8 }, (_, k) => c.nearest(Float32Array.from(centres[k]!)));
    expect(new Set(listOf).size).toBeGreaterThanOrEqual(7);
    for (const v of sample) {
      const centroid = c.row(c.nearest(v));
      expect(v.reduce((s, x, d) => s + x * centroid[d]!, 0)).toBeGreaterThan(0.5); // a merged pair of orthogonal clusters: ≈ 0.7; another cluster: ≈ 0
    }
    expect(c.probe(Float32Array.from(centres[3]!), 2)[0]).toBe(listOf[3]);
  });

  it('samples distinct indices', () => {
    const s = sampleIndices(1000, 100, 1);
    expect(new Set(s).size).toBe(100);
    expect(s.every((i) => i >= 0 && i < 1000)).toBe(true);
    expect(sampleIndices(5, 5, 1)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('segment kNN through the IVF index', () => {
  it('trains past the threshold, agrees with the exact scan, keeps new vectors in the backlog until it is due', async () => {
    const { store, meta, lists } = open({ exactBelow: 100, listSize: 20, backlogLimit: 60 });
    await store.putMany(calls(0, 40).map((doc) => ({ doc, docHash: doc.id }))); // 20 × 3 + 20 × 2 segments
    expect(meta()).toMatchObject({ count: 100, calls: 40, backlog: 100 });
    await store.warm!();
    expect(lists()).toBe(16); // at least 16 lists: some clusters are split in two or three
    expect(meta()).toMatchObject({ backlog: 0, trainedOn: 100, version: 1 });
    for (let c = 0; c < 8; c++) {
      const vector = near(c);
      for (const filter of [{}, { terms: { branch: ['北京分行'] } }]) {
        // 4 lists cover the query's own cluster, where all its neighbours are.
        const approx = await store.knnSegments({ vector, k: 5, filter, nprobe: 4 });
        const exact = await store.knnSegments({ vector, k: 5, filter, exact: true });
        expect(approx.map((h) => h.call.id)).toEqual(exact.map((h) => h.call.id));
        expect(approx).toHaveLength(5);
      }
    }
    const q0 = near(0);
    const v40 = withSegmentVectors(calls(40, 1)[0]!, [q0, near(1), near(2)]);
    await store.putMany([v40, ...calls(41, 9)].map((doc) => ({ doc, docHash: doc.id })));
    expect(meta()).toMatchObject({ count: 125, backlog: 25 });
    // The backlog is read by every query: a new call is found before it is assigned to a list.
    const [top] = await store.knnSegments({ vector: q0, k: 1, nprobe: 1 });
    expect(top).toMatchObject({ call: { id: 'v40' }, segment: { segmentId: 's0' }, similarity: expect.closeTo(1, 5) });
    await store.putMany(calls(50, 14).map((doc) => ({ doc, docHash: doc.id })));
    expect(meta()).toMatchObject({ count: 160, backlog: 60 });
    // Due: the query answers from the backlog and has it assigned in a worker thread meanwhile.
    expect((await store.knnSegments({ vector: q0, k: 1 }))[0]!.call.id).toBe('v40');
    await vi.waitFor(() => expect(meta()).toMatchObject({ count: 160, backlog: 0, version: 1 }), { timeout: 20_000, interval: 50 });
    expect((await store.knnSegments({ vector: q0, k: 1, nprobe: 1 }))[0]!.call.id).toBe('v40');
    await store.delete('v41');
    expect(meta()).toMatchObject({ count: 158, calls: 63 });
    expect((await store.knnSegments({ vector: near(1), k: 63 })).map((h) => h.call.id)).not.toContain('v41');
  });

  it('widens the probe until k calls match a broad filter (pre-filter semantics)', async () => {
    const { store } = open({ exactBelow: 10, listSize: 5 });
    await store.putMany(calls(0, 40).map((doc) => ({ doc, docHash: doc.id })));
    await store.warm!();
    // One list holds a sixteenth of the vectors: 20 北京分行 calls cannot all come from it.
    const hits = await store.knnSegments({ vector: near(2), k: 20, nprobe: 1, filter: { terms: { branch: ['北京分行'] } } });
    expect(hits).toHaveLength(20);
    expect(hits.every((h) => h.call.meta.branch === '北京分行')).toBe(true);
  });
});
