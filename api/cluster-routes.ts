import { Hono } from 'hono';
import { z } from 'zod';
import { type ClusterDb } from '../analytics/cluster/cluster-db.ts';
import { ClusterJobs, clusteredItems, clusteredRows, describeClusters } from '../analytics/cluster/call-clusters.ts';
import { CallScopeError } from '../core/errors.ts';
import { Role } from '../core/schemas.ts';
import type { CallStore } from '../indexer/call-store.ts';
import type { Filter } from '../indexer/query-model.ts';
import { type ApiEnv, withScope } from './actor.ts';
import { toSummary } from './summary.ts';
import { parseRequest } from './validate.ts';

const day = z.iso.date({ message: 'a date is YYYY-MM-DD' });
const text = z.string().trim().min(1).max(200);

/** The call-list filters of /api/calls that clusters are narrowed by, and which role's words to cluster. */
export const ClusterFilters = z.object({
  from: day.optional().describe('first day of recording (China time), inclusive'),
  to: day.optional().describe('day after the last day of recording, exclusive'),
  branch: text.optional(),
  team: text.optional(),
  product: text.optional(),
  channel: text.optional(),
  agentId: text.optional(),
  role: Role.default('customer').describe('whose utterances are clustered'),
  k: z.coerce.number().int().min(2).max(200).optional().describe('number of clusters; chosen by silhouette when absent'),
});
export const ClusterCallsQuery = ClusterFilters.extend({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(/^\d{1,9}$/, 'cursor is the `next` of the previous page').optional(),
});
const ClusterId = z.string().regex(/^(c\d{1,9}|other)$/, 'a cluster id is c<number> or other');

function filterOf(q: z.infer<typeof ClusterFilters>): Filter {
  const terms: NonNullable<Filter['terms']> = {};
  for (const key of ['branch', 'team', 'product', 'channel', 'agentId'] as const) {
    const v = q[key];
    if (v !== undefined) terms[key] = [v];
  }
  const f: Filter = {};
  if (Object.keys(terms).length) f.terms = terms;
  if (q.from || q.to) f.dates = { recordedAt: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } };
  return f;
}

/**
 * Clusters of what customers (or agents) say, over the calls a filter keeps (docs/clusters.md).
 * The model is fitted in the background (ClusterJobs) on a sample of all calls and persisted; until
 * it exists a request answers 202 `{ status: 'computing', stage, done, total }`. What a response
 * shows comes only from the calls in the asker's scope.
 */
export function clusterRoutes(store: CallStore, db: ClusterDb, jobs = new ClusterJobs(db, store)): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  async function scoped(q: z.infer<typeof ClusterFilters>, scope: Parameters<typeof withScope>[1]) {
    const state = await jobs.model(q.role, q.k);
    if ('computing' in state) return { done: false as const, computing: state.computing };
    const refs = await store.refs(withScope(filterOf(q), scope));
    return { done: true as const, model: state.model, refs };
  }
  const computing = (progress: object) => ({ status: 'computing', ...progress });

  app.get('/clusters', async (c) => {
    const q = parseRequest(ClusterFilters, c.req.query());
    const r = await scoped(q, c.get('actor').scope);
    if (!r.done) return c.json(computing(r.computing), 202);
    const items = await clusteredItems(db, store, q.role, r.model, r.refs);
    return c.json(describeClusters(r.model, items, null, { from: q.from, to: q.to }));
  });

  app.get('/clusters/:id/calls', async (c) => {
    const id = parseRequest(ClusterId, c.req.param('id'), 'id');
    const q = parseRequest(ClusterCallsQuery, c.req.query());
    const r = await scoped(q, c.get('actor').scope);
    if (!r.done) return c.json(computing(r.computing), 202);
    if (id !== 'other' && !r.model.clusters.some((x) => x.id === id)) throw new CallScopeError('NOT_FOUND', `no cluster ${id}`);
    const rows = await clusteredRows(db, store, q.role, r.model, r.refs);
    // Newest recording first, then id (the store's default order).
    const calls = r.refs.filter((ref) => rows.get(ref.id)?.segments.some(([, cluster]) => cluster === id)).sort((a, b) => (b.recordedMs ?? -Infinity) - (a.recordedMs ?? -Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const offset = q.cursor ? Number(q.cursor) : 0;
    const ids = calls.slice(offset, offset + q.limit).map((ref) => ref.id);
    const docs = ids.length ? (await store.query({ filter: { ids }, size: ids.length })).items.map((h) => h.call) : [];
    const byId = new Map(docs.map((d) => [d.id, d]));
    const next = offset + q.limit < calls.length ? String(offset + q.limit) : null;
    return c.json({ total: calls.length, items: ids.flatMap((i) => (byId.has(i) ? [toSummary(byId.get(i)!)] : [])), next });
  });

  return app;
}
