import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterDb } from '../../analytics/cluster/cluster-db.ts';
import { modelName } from '../../analytics/cluster/call-clusters.ts';
import type { Actor } from '../../api/actor.ts';
import { clusterRoutes } from '../../api/cluster-routes.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { ACTORS, mountAs } from '../as-actor.ts';
import { topicCalls as calls } from '../cluster-fixtures.ts';
import { tempDir, tempStoreWith } from '../helpers.ts';

type CallsPage = { total: number; items: Array<{ id: string; meta: { product: string } }>; next: string | null };
type View = { method: string; total: number; clusters: Array<{ id: string; label: string; terms: string[]; size: number; share: number; trend: Array<{ period: string; count: number }>; quotes: Array<{ callId: string; segmentId: string; text: string }> }> };

const tmp = tempDir('callscope-cluster-api-');
let store: CallStore;
let closeStore: () => Promise<void>;
let db: ClusterDb;
const docs = calls(1, 20, 1);
const topicOf = new Map(docs.map((d) => [d.id, d.meta.product!]));

function app(actor: Actor = ACTORS.analyst) {
  return mountAs(actor, clusterRoutes(store, db));
}
async function get<T>(url: string, actor?: Actor): Promise<{ status: number; body: T }> {
  const res = await app(actor).request(url);
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  ({ store, close: closeStore } = await tempStoreWith(docs));
  db = ClusterDb.inDataDir(path.join(tmp.dir, 'data'));
});
afterAll(async () => {
  db.close();
  await closeStore();
  tmp.cleanup();
});

describe('GET /api/clusters', () => {
  it('clusters the customer utterances into the four topics, with shares, daily trend and quotes from the calls', async () => {
    const { status, body } = await get<View>('/api/clusters?from=2026-05-01&to=2026-05-11&k=4');
    expect(status).toBe(200);
    expect(body.method).toMatch(/gsdmm/);
    expect(body.total).toBe(160);
    expect(body.clusters.map((c) => c.size)).toEqual([40, 40, 40, 40]);
    expect(body.clusters.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 12);
    for (const c of body.clusters) {
      expect(c.trend.map((p) => p.period)).toEqual(Array.from({ length: 10 }, (_, i) => `2026-05-${String(i + 1).padStart(2, '0')}`));
      expect(c.trend.reduce((s, p) => s + p.count, 0)).toBe(c.size);
      expect(c.quotes).toHaveLength(3);
      const topics = new Set(c.quotes.map((q) => topicOf.get(q.callId)));
      expect(topics.size).toBe(1);
      expect(c.label).toBe(c.terms.slice(0, 3).join(' / '));
    }
  });

  it('counts only the calls in the asker\'s scope and in the filter', async () => {
    const shanghai: Actor = { userId: 'u-sh', name: '上海', role: 'analyst', scope: { kind: 'branches', branches: ['上海分行'] }, canUnmask: false };
    const { body } = await get<View>('/api/clusters?k=4', shanghai);
    expect(body.total).toBe(80);
    const inBranch = new Set(docs.filter((d) => d.meta.branch === '上海分行').map((d) => d.id));
    for (const c of body.clusters) for (const q of c.quotes) expect(inBranch.has(q.callId)).toBe(true);
    const narrowed = await get<View>('/api/clusters?k=4&from=2026-05-01&to=2026-05-03');
    expect(narrowed.body.total).toBe(docs.filter((d) => d.recordedAt! < '2026-05-03').length * 2);
  });

  it('new calls join the stored clusters without a re-fit', async () => {
    const before = db.model(modelName('customer'))!;
    const later = calls(1000, 5, 7);
    await store.putMany(later.map((doc) => ({ doc, docHash: doc.id })));
    const { body } = await get<View>('/api/clusters?k=4');
    expect(body.total).toBe(160 + 40);
    expect(body.clusters.map((c) => c.size)).toEqual([50, 50, 50, 50]);
    expect(db.model(modelName('customer'))!.createdAt).toBe(before.createdAt);
    for (const d of later) topicOf.set(d.id, d.meta.product!);
  });

  it.each([
    ['/api/clusters?k=abc', 400],
    ['/api/clusters?k=1', 400],
    ['/api/clusters?from=2026-13-01', 400],
    ['/api/clusters?role=boss', 400],
    ['/api/clusters/xyz/calls', 400],
    ['/api/clusters/c99/calls', 404],
    ['/api/clusters/c1/calls?cursor=abc', 400],
  ])('%s → %i with an error body', async (url, code) => {
    const { status, body } = await get<{ error: { code: string; message: string } }>(url);
    expect(status).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
  });
});

describe('GET /api/clusters/:id/calls', () => {
  it('lists the calls of a cluster as call summaries, paged by cursor', async () => {
    const { body: view } = await get<View>('/api/clusters?k=4');
    const c = view.clusters[0]!;
    const topic = topicOf.get(c.quotes[0]!.callId)!;
    const expected = [...topicOf].filter(([, t]) => t === topic).map(([id]) => id).sort();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: { status: number; body: CallsPage } = await get<CallsPage>(
        `/api/clusters/${c.id}/calls?k=4&limit=20${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(status).toBe(200);
      expect(body.total).toBe(expected.length);
      expect(body.items.length).toBeLessThanOrEqual(20);
      for (const it of body.items) expect(it.meta.product).toBe(topic);
      seen.push(...body.items.map((i) => i.id));
      cursor = body.next;
    } while (cursor);
    expect(seen.sort()).toEqual(expected);
  });
});
