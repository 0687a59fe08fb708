import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterJobs } from '../../analytics/cluster/call-clusters.ts';
import { ClusterDb } from '../../analytics/cluster/cluster-db.ts';
import { clusterRoutes } from '../../api/cluster-routes.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { ACTORS, mountAs } from '../as-actor.ts';
import { hex, topicCalls, topicTexts } from '../cluster-fixtures.ts';
import { tempDir, tempStoreWith } from '../helpers.ts';

type View = { total: number; clusters: Array<{ id: string; size: number }> };
type Computing = { status: 'computing'; stage: string; done: number; total: number; k: number | null };

/**
 * The 聚类 routes on a store whose model is fitted in the background (ClusterJobs that never wait):
 * 80 calls, 20 per topic (card: calls 1–20, transfer, loan, wealth: 61–80), two customer utterances each.
 */
const tmp = tempDir('callscope-cluster-jobs-');
let store: CallStore;
let closeStore: () => Promise<void>;
let db: ClusterDb;
/** Calls to `store.query` (documents read) since the last reset, through the routes. */
let documentReads = 0;

beforeAll(async () => {
  ({ store, close: closeStore } = await tempStoreWith(topicCalls(1, 20, 1)));
  db = ClusterDb.inDataDir(path.join(tmp.dir, 'data'));
  app = routes();
});
afterAll(async () => {
  db.close();
  await closeStore();
  tmp.cleanup();
});

function routes() {
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== 'query' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
      return (...args: unknown[]) => {
        documentReads++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return mountAs(ACTORS.analyst, clusterRoutes(counted, db, new ClusterJobs(db, counted, 0)));
}
let app: ReturnType<typeof routes>;
async function get<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await app.request(url);
  return { status: res.status, body: (await res.json()) as T };
}

describe('clusters fitted in the background', () => {
  it('answers 202 computing with the job progress until the model exists, then the clusters', async () => {
    const first = await get<Computing>('/api/clusters?k=4');
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'computing', k: 4 });
    expect(['reading', 'fitting', 'joining', 'saving']).toContain(first.body.stage);
    let res = first as { status: number; body: unknown };
    for (let i = 0; i < 600 && res.status === 202; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await get<unknown>('/api/clusters?k=4');
    }
    expect(res.status).toBe(200);
    const view = res.body as View;
    expect(view.total).toBe(160);
    expect(view.clusters.map((c) => c.size)).toEqual([40, 40, 40, 40]);
  });

  it('later requests read no call document (segments come from the ClusterDb)', async () => {
    documentReads = 0;
    const { status, body } = await get<View>('/api/clusters?k=4&from=2026-05-01&to=2026-05-06');
    expect(status).toBe(200);
    expect(body.total).toBe(80); // days 1–5 of 10: half the calls
    expect(documentReads).toBe(0);
  });

  it('a call whose text changed is clustered again', async () => {
    // Call 1 (card) now asks about wealth in both utterances: card 38 segments, wealth 42.
    const call1 = topicCalls(1, 20, 1)[0]!;
    expect(call1.id).toBe(hex(1));
    const [a, b] = topicTexts(2, 55, ['wealth']);
    const segments = call1.segments.map((s) => (s.id === 's1' ? { ...s, text: a!.text, textMasked: a!.text } : s.id === 's2' ? { ...s, text: b!.text, textMasked: b!.text } : s));
    await store.put({ ...call1, segments }, 'rewritten');
    const { body } = await get<View>('/api/clusters?k=4');
    expect(body.clusters.map((c) => c.size)).toEqual([42, 40, 40, 38]);
    const wealth = await get<{ items: Array<{ id: string }> }>(`/api/clusters/${body.clusters[0]!.id}/calls?k=4&limit=100`);
    expect(wealth.body.items.map((i) => i.id)).toContain(hex(1));
    const card = await get<{ items: Array<{ id: string }> }>(`/api/clusters/${body.clusters[3]!.id}/calls?k=4&limit=100`);
    expect(card.body.items.map((i) => i.id)).not.toContain(hex(1));
  });
});
