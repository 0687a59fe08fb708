import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { gaussian, mulberry32 } from '../../core/prng.ts';
import type { CallDoc } from '../../core/schemas.ts';
import type { Filter } from '../../indexer/query-model.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { MAX_SEGMENTS } from '../../indexer/sqlite/schema.ts';
import type { VectorIndex } from '../../indexer/sqlite/vector-index.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { contractCalls } from '../contract/store-fixtures.ts';
import { tempSqliteStore } from '../helpers.ts';

/**
 * Call-level kNN through the IVF index (the `call_ivf_*` tables), and the index's training in a
 * worker thread, on real SQLite files. Data: call embeddings in clusters around random directions
 * (cosine ≈ 0.9 within a cluster), so a query's neighbours sit in a few lists; the expected
 * neighbours are computed here by brute force, not by the store.
 */
const rnd = mulberry32(11);
const normal = gaussian(rnd);
const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const BRANCHES = ['上海分行', '北京分行', '广州分行', '深圳分行'];

function makeCentres(count: number, dims: number): number[][] {
  return Array.from({ length: count }, () => unit(Array.from({ length: dims }, () => normal())));
}
const near = (centre: number[], spread = 0.08) => unit(centre.map((x) => x + spread * normal()));

function callDoc(i: number, vector: number[]): CallDoc {
  const base = contractCalls[0]!;
  return { ...base, id: `k${i}`, meta: { ...base.meta, branch: BRANCHES[i % 4]! }, nlp: { ...base.nlp!, embedding: { model: 'test', vector } } };
}

/** The k nearest of `vectors` (by id) to q among the calls `keep` lets through, computed here. */
function bruteForce(vectors: Map<string, number[]>, q: number[], k: number, keep: (id: string) => boolean = () => true): string[] {
  return [...vectors]
    .filter(([id]) => keep(id))
    .map(([id, v]) => [id, dot(unit(v), unit(q))] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, k)
    .map(([id]) => id);
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

function open(vectors: { exactBelow: number; listSize: number; backlogLimit?: number }) {
  const opened = tempSqliteStore({ analytics: 'sqlite', vectors }, 'callscope-call-ivf-');
  const store = opened.store;
  cleanup = opened.cleanup;
  const db = (store as unknown as { db: Database.Database }).db;
  const meta = () => Object.fromEntries(db.prepare('SELECT name, value FROM call_ivf_vector_meta').raw().all() as Array<[string, number]>);
  const lists = () => db.prepare('SELECT count(*) FROM call_ivf_vector_centroids').pluck().get() as number;
  return { store, db, meta, lists };
}

async function putAll(store: SqliteCallStore, docs: CallDoc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 1000) await store.putMany(docs.slice(i, i + 1000).map((doc) => ({ doc, docHash: doc.id })));
}

describe('call kNN through the IVF index', () => {
  it('agrees with the exact scan (recall@10) with and without filters, and keeps the pre-filter semantics', async () => {
    const centres = makeCentres(24, 32);
    const vectors = new Map<string, number[]>();
    const docs = Array.from({ length: 2400 }, (_, i) => {
      const v = near(centres[i % 24]!);
      vectors.set(`k${i}`, v);
      return callDoc(i, v);
    });
    const { store, meta, lists } = open({ exactBelow: 500, listSize: 50 });
    await putAll(store, docs);
    await store.warm!();
    expect(meta()).toMatchObject({ count: 2400, calls: 2400, backlog: 0, version: 1, trainedOn: 2400 });
    expect(lists()).toBeGreaterThanOrEqual(40); // 48 wanted; k-means may leave a few empty

    const branchOf = (id: string) => BRANCHES[Number(id.slice(1)) % 4]!;
    const cases: Array<{ filter: Filter; keep?: (id: string) => boolean }> = [
      { filter: {} },
      { filter: { terms: { branch: ['北京分行', '上海分行'] } }, keep: (id) => ['北京分行', '上海分行'].includes(branchOf(id)) },
    ];
    for (const { filter, keep } of cases) {
      let found = 0;
      for (let qi = 0; qi < 12; qi++) {
        const q = near(centres[(qi * 5) % 24]!, 0.1);
        const truth = bruteForce(vectors, q, 10, keep);
        const exact = await store.knn({ vector: q, k: 10, filter, exact: true });
        expect(exact.map((h) => h.call.id)).toEqual(truth);
        const approx = await store.knn({ vector: q, k: 10, filter });
        expect(approx).toHaveLength(10);
        if (keep) expect(approx.every((h) => keep(h.call.id))).toBe(true);
        found += approx.filter((h) => truth.includes(h.call.id)).length;
      }
      expect(found / 120).toBeGreaterThanOrEqual(0.9);
    }
    // One list and a filter whose calls are spread over every list: the probe widens until k calls are found.
    const wide = await store.knn({ vector: centres[0]!, k: 30, nprobe: 1, filter: { terms: { branch: ['深圳分行'] } } });
    expect(wide).toHaveLength(30);
    expect(wide.every((h) => h.call.meta.branch === '深圳分行')).toBe(true);
  });

  it('trains in a worker thread: the event loop keeps running, queries and writes are answered during the training, and writes made meanwhile survive the swap', async () => {
    const centres = makeCentres(64, 64);
    const vectors = new Map<string, number[]>();
    const docs = Array.from({ length: 6000 }, (_, i) => {
      const v = near(centres[i % 64]!);
      vectors.set(`k${i}`, v);
      return callDoc(i, v);
    });
    // 600 lists over 6,000 vectors of 64 dimensions: k-means takes seconds of CPU.
    const { store, meta } = open({ exactBelow: 1000, listSize: 10 });
    await putAll(store, docs);

    let last = performance.now();
    let longestGap = 0;
    let ticks = 0;
    const tick = () => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    };
    const timer = setInterval(tick, 5);
    const started = performance.now();
    let trainedAt: number | null = null;
    const index = (store as unknown as { callVectors: VectorIndex }).callVectors; // what warm() and a due query start
    const training = index.maintain().then((r) => {
      trainedAt = performance.now();
      return r;
    });

    // Timers run meanwhile (a training on this thread would have finished before this one fires).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(trainedAt).toBeNull();
    // During the training: no centroids yet, so the answer is the exact one.
    const q = near(centres[7]!, 0.1);
    expect((await store.knn({ vector: q, k: 10 })).map((h) => h.call.id)).toEqual(bruteForce(vectors, q, 10));
    expect(trainedAt).toBeNull();
    // Writes meanwhile: a new call, a changed vector, a deleted call.
    const fresh = near(centres[3]!, 0.01);
    const moved = near(centres[40]!, 0.01);
    await store.putMany([{ doc: callDoc(9000, fresh), docHash: 'k9000' }, { doc: callDoc(5, moved), docHash: 'k5b' }]);
    await store.delete('k6');
    expect(trainedAt).toBeNull();

    const result = await training;
    clearInterval(timer);
    tick();
    expect(result).toMatchObject({ trained: true, assigned: expect.any(Number) });
    // The training's own duration (k-means and assigning 6,000 vectors to 600 lists) is long enough
    // that running it on this thread would have stopped the timer for as long.
    expect(result.ms).toBeGreaterThan(1000);
    expect(longestGap).toBeLessThan(result.ms / 4); // relative: on a loaded machine the main thread's own steps (the query, the writes) take a while too
    expect(ticks).toBeGreaterThan(result.ms / 5 / 10);
    expect(trainedAt! - started).toBeGreaterThanOrEqual(result.ms);

    expect(meta()).toMatchObject({ count: 6000, calls: 6000, version: 1 });
    expect(meta().training).toBeUndefined();
    // The calls written during the training came over (in the backlog, read by every query).
    expect((await store.knn({ vector: fresh, k: 1, nprobe: 1 }))[0]!.call.id).toBe('k9000');
    expect((await store.knn({ vector: moved, k: 1, nprobe: 1 }))[0]!.call.id).toBe('k5');
    expect((await store.knn({ vector: vectors.get('k6')!, k: 10 })).map((h) => h.call.id)).not.toContain('k6');
    const all = await store.knn({ vector: q, k: 200, exact: true });
    expect(new Set(all.map((h) => h.call.id)).size).toBe(200);
  }, 120_000);

  it('a failed training is a STORE_FAILED error and leaves the previous index answering', async () => {
    const centres = makeCentres(8, 16);
    const vectors = new Map<string, number[]>();
    const docs = Array.from({ length: 800 }, (_, i) => {
      const v = near(centres[i % 8]!);
      vectors.set(`k${i}`, v);
      return callDoc(i, v);
    });
    const { store, db, meta } = open({ exactBelow: 200, listSize: 10 });
    await putAll(store, docs.slice(0, 200));
    await store.warm!();
    expect(meta()).toMatchObject({ version: 1, trainedOn: 200, backlog: 0 });
    await putAll(store, docs.slice(200)); // 4× as many: a retraining is due
    // A real SQLite failure in the thread: the retraining's scratch table name is taken by a view.
    db.exec('CREATE VIEW call_ivf_vectors_next AS SELECT 1');
    await expect(store.warm!()).rejects.toMatchObject({ code: 'STORE_FAILED', message: expect.stringMatching(/^training the call vector index failed: .*view/i) });
    expect(meta()).toMatchObject({ count: 800, version: 1, trainedOn: 200, backlog: 600 });
    expect(meta().training).toBeUndefined();
    for (let qi = 0; qi < 8; qi++) {
      const q = near(centres[qi]!, 0.1);
      const hits = await store.knn({ vector: q, k: 5, nprobe: 64 }); // every list + the backlog: the exact answer
      expect(hits.map((h) => h.call.id)).toEqual(bruteForce(vectors, q, 5));
    }
    db.exec('DROP VIEW call_ivf_vectors_next');
    await store.warm!();
    expect(meta()).toMatchObject({ version: 2, trainedOn: 800, backlog: 0 });
  });

  it('takes over the call vectors of a file written before the index (the former call_vectors table)', async () => {
    const centres = makeCentres(4, 8);
    const vectors = new Map<string, number[]>();
    const docs = Array.from({ length: 40 }, (_, i) => {
      const v = near(centres[i % 4]!);
      vectors.set(`k${i}`, v);
      return callDoc(i, v);
    });
    const { store, db } = open({ exactBelow: 1000, listSize: 10 });
    await putAll(store, docs);
    // What such a file held: the vectors in call_vectors (n, model, dims, vector), no index rows.
    db.exec(`INSERT INTO call_vectors (n, model, dims, vector) SELECT key / ${MAX_SEGMENTS}, 'test', length(vector) / 4, vector FROM call_ivf_vectors;
      DELETE FROM call_ivf_vectors; DELETE FROM call_ivf_vector_meta;`);
    const file = db.name;
    await store.close(); // closed again (a no-op) by the cleanup, which also removes the folder
    const reopened = new SqliteCallStore(file, { index: searchTokens, query: tokenize }, { analytics: 'sqlite' });
    try {
      const q = near(centres[2]!, 0.1);
      expect((await reopened.knn({ vector: q, k: 5 })).map((h) => h.call.id)).toEqual(bruteForce(vectors, q, 5));
      const again = (reopened as unknown as { db: Database.Database }).db;
      expect(again.prepare('SELECT count(*) FROM call_vectors').pluck().get()).toBe(0);
      expect(again.prepare(`SELECT value FROM call_ivf_vector_meta WHERE name = 'calls'`).pluck().get()).toBe(40);
    } finally {
      await reopened.close();
    }
  });
});
