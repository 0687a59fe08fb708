import type { CallDoc, Role } from '../../core/schemas.ts';
import { CallScopeError } from '../../core/errors.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import type { Filter } from '../../indexer/query-model.ts';
import { bucketLabel, bucketStart, fixedOffsetMs, instantMs } from '../../indexer/time-zone.ts';
import { bucketStarts, type Interval } from '../calendar.ts';
import type { ClusterDb } from './cluster-db.ts';
import { type ClusterItem, type ClusterModel, type ClusterOptions, fitClusters, joinClusters, OTHER, reclusterStable, representatives } from './clusterer.ts';
import { clusterTerms, labelOf } from './ctfidf.ts';
import { textFeatures } from './text-features.ts';

/**
 * Clusters of what one role says in the calls of the store (customer pain points by default).
 * One model per role is fitted on every call's segments and persisted; a request only joins the
 * segments the model has not seen and then describes the clusters from the calls its filter (and
 * the asker's scope) keeps: sizes, shares, terms, quotes and trends never use calls out of scope.
 */
export type SegmentItem = ClusterItem & { callId: string; segmentId: string; recordedAt: string | null };

/** At most this many calls are read per request; beyond it the request must be narrowed. */
export const MAX_CALLS = 50_000;
const PAGE = 500;
const SHANGHAI = fixedOffsetMs('Asia/Shanghai');

export const modelName = (role: Role) => `segments:${role}`;
const itemId = (callId: string, segmentId: string) => `${callId}:${segmentId}`;

/** A segment worth clustering says something: at least one content word. */
function segmentItems(doc: CallDoc, role: Role): SegmentItem[] {
  return doc.segments
    .filter((s) => s.role === role && textFeatures(s.textMasked).words.length > 0)
    .map((s) => ({ id: itemId(doc.id, s.id), text: s.textMasked, callId: doc.id, segmentId: s.id, recordedAt: doc.recordedAt }));
}

/** Every call the filter keeps, paged through the store's cursor. */
export async function callsOf(store: CallStore, filter: Filter): Promise<CallDoc[]> {
  const out: CallDoc[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.query({ filter, size: PAGE, ...(after ? { after } : {}) });
    out.push(...page.items.map((h) => h.call));
    if (out.length > MAX_CALLS) throw new CallScopeError('BAD_REQUEST', `more than ${MAX_CALLS} calls match: narrow the dates or filters`);
    if (!page.next || page.items.length === 0) return out;
    after = page.next;
  }
}

export type ModelState = { model: ClusterModel; fitted: 'existing' | 'fitted' | 'refitted'; stability: number | null };

/**
 * The role's model: the stored one, or fitted on all calls when there is none (or when another k
 * is asked for, then re-fitted keeping ids). Unseen segments of `docs` join it incrementally.
 */
export async function ensureModel(db: ClusterDb, store: CallStore, role: Role, opts: { k?: number | undefined; refit?: boolean } = {}): Promise<ModelState> {
  const name = modelName(role);
  const existing = db.model(name);
  const wantsK = opts.k !== undefined && existing !== null && existing.params.k !== opts.k;
  if (existing && !wantsK && !opts.refit) return { model: existing, fitted: 'existing', stability: null };
  const items = (await callsOf(store, {})).flatMap((d) => segmentItems(d, role));
  const options: ClusterOptions = { ...(opts.k !== undefined ? { k: opts.k } : existing?.params.k ? { k: existing.params.k } : {}), minSize: 3 };
  if (!existing) {
    const { model, assignments } = fitClusters(items, options);
    db.save(name, model, assignments, true);
    return { model, fitted: 'fitted', stability: null };
  }
  const r = reclusterStable({ model: existing, assignments: db.assignments(name) }, items, options);
  db.save(name, r.model, r.assignments, true);
  return { model: r.model, fitted: 'refitted', stability: r.stability };
}

/** Cluster of each segment item; unseen ones join the model (which is saved). */
export function assignItems(db: ClusterDb, role: Role, model: ClusterModel, items: readonly SegmentItem[]): Map<string, string> {
  const name = modelName(role);
  const known = db.lookup(name, items.map((i) => i.id));
  const unseen = items.filter((i) => !known.has(i.id));
  if (unseen.length > 0) {
    const joined = joinClusters(model, unseen);
    db.save(name, model, joined, false);
    for (const [id, c] of joined) known.set(id, c);
  }
  return known;
}

export type ClusterView = {
  id: string;
  label: string;
  terms: string[];
  size: number;
  share: number;
  trend: Array<{ period: string; count: number }>;
  quotes: Array<{ callId: string; segmentId: string; text: string }>;
};
export type ClustersView = { method: string; total: number; interval: Interval; clusters: ClusterView[] };

function intervalFor(from: string | undefined, to: string | undefined, dates: string[]): { interval: Interval; from: string; to: string } | null {
  const days = dates.map((d) => bucketLabel(bucketStart(instantMs(d), 'day', SHANGHAI), SHANGHAI)).sort();
  const lo = from ?? days[0];
  const hiDay = days[days.length - 1];
  const hi = to ?? (hiDay ? bucketLabel(instantMs(hiDay) + 86_400_000, SHANGHAI) : undefined);
  if (!lo || !hi) return null;
  const span = (instantMs(hi) - instantMs(lo)) / 86_400_000;
  return { interval: span <= 62 ? 'day' : span <= 366 ? 'week' : 'month', from: lo, to: hi };
}

/** The clusters as the 聚类 page shows them, for the segments of `docs`. */
export function describeClusters(model: ClusterModel, items: readonly SegmentItem[], assignment: ReadonlyMap<string, string>, range: { from?: string | undefined; to?: string | undefined }): ClustersView {
  const members = new Map<string, SegmentItem[]>();
  for (const it of items) {
    const c = assignment.get(it.id) ?? OTHER;
    const list = members.get(c);
    if (list) list.push(it);
    else members.set(c, [it]);
  }
  const total = items.length;
  const order = [...members.keys()].sort((a, b) => (a === OTHER ? 1 : b === OTHER ? -1 : members.get(b)!.length - members.get(a)!.length || (a < b ? -1 : 1)));
  const terms = clusterTerms(order.map((c) => members.get(c)!.map((it) => textFeatures(it.text).words)));
  const span = intervalFor(range.from, range.to, items.flatMap((i) => (i.recordedAt ? [i.recordedAt] : [])));
  const periods = span ? bucketStarts(bucketLabel(bucketStart(instantMs(span.from), span.interval, SHANGHAI), SHANGHAI), span.to, span.interval) : [];
  const clusters = order.map((id, i): ClusterView => {
    const its = members.get(id)!;
    const counts = new Map(periods.map((p) => [p, 0]));
    for (const it of its) {
      if (!it.recordedAt || !span) continue;
      const p = bucketLabel(bucketStart(instantMs(it.recordedAt), span.interval, SHANGHAI), SHANGHAI);
      if (counts.has(p)) counts.set(p, counts.get(p)! + 1);
    }
    const quotes = id === OTHER ? its.slice(0, 3) : (representatives(model, id, its, 3) as SegmentItem[]);
    return {
      id,
      label: id === OTHER ? '其他' : labelOf(terms[i]!),
      terms: terms[i]!,
      size: its.length,
      share: total ? its.length / total : 0,
      trend: [...counts].map(([period, count]) => ({ period, count })),
      quotes: quotes.map((q) => ({ callId: q.callId, segmentId: q.segmentId, text: q.text })),
    };
  });
  return { method: model.method, total, interval: span?.interval ?? 'day', clusters };
}

export { segmentItems };
