import type { CallDoc, Role } from '../../core/schemas.ts';
import type { CallRef, CallStore } from '../../indexer/call-store.ts';
import { bucketLabel, bucketStart, fixedOffsetMs, instantMs } from '../../indexer/time-zone.ts';
import { bucketStarts, type Interval } from '../calendar.ts';
import type { CallSegments, ClusterDb } from './cluster-db.ts';
import { type ClusterItem, type ClusterModel, type ClusterOptions, joinClusters, OTHER, representatives } from './clusterer.ts';
import { fitInThread } from './fit-in-thread.ts';
import { clusterTerms, labelOf } from './ctfidf.ts';
import { textFeatures } from './text-features.ts';

/**
 * Clusters of what one role says in the calls of the store (customer pain points by default).
 * One model per role is fitted (a background job: `ClusterJobs`) on a systematic sample of the
 * segments of every call — at most MAX_FIT_ITEMS — and every other segment joins it; each call's
 * clustered segments are kept in the ClusterDb (`call_segments`, keyed by the call's text hash). A
 * request lists the calls its filter (and the asker's scope) keeps with `CallStore.refs`, reads
 * their segments from the ClusterDb (cutting only calls new or changed since) and describes the
 * clusters from them: sizes, shares, terms, quotes and trends never use calls out of scope.
 */
export type SegmentItem = ClusterItem & { callId: string; segmentId: string; recordedAt: string | null; words?: readonly string[]; cluster?: string };

/** The model is fitted on at most this many segments (a systematic sample over recording time); the others join it. */
export const MAX_FIT_ITEMS = 6000;
/** Quotes are the members closest to the centroid among at most this many of a cluster (a systematic sample). */
export const QUOTE_POOL = 50;
const PAGE = 500;
/** Segments joined per step of a fit job (the event loop gets a turn between steps). */
const JOIN_STEP = 5000;
const SHANGHAI = fixedOffsetMs('Asia/Shanghai');

export const modelName = (role: Role) => `segments:${role}`;
const itemId = (callId: string, segmentId: string) => `${callId}:${segmentId}`;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A segment worth clustering says something: at least one content word (kept for the labels). */
function segmentItems(doc: CallDoc, role: Role): SegmentItem[] {
  return doc.segments.flatMap((s) => {
    if (s.role !== role) return [];
    const { words } = textFeatures(s.textMasked);
    return words.length > 0 ? [{ id: itemId(doc.id, s.id), text: s.textMasked, callId: doc.id, segmentId: s.id, recordedAt: doc.recordedAt, words }] : [];
  });
}

/** Every (total / n)-th element, in order: n spread over the whole list. */
function systematic<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const step = xs.length / n;
  return Array.from({ length: n }, (_, i) => xs[Math.floor(i * step)]!);
}

type CallItems = { ref: CallRef; items: SegmentItem[] };

/** The role's clusterable segments of these calls, read from the store in pages of ids (the event loop gets a turn between pages). */
async function readCallItems(store: CallStore, refs: readonly CallRef[], role: Role, onPage?: (done: number) => void): Promise<CallItems[]> {
  const out: CallItems[] = [];
  const refOf = new Map(refs.map((r) => [r.id, r]));
  for (let i = 0; i < refs.length; i += PAGE) {
    const page = await store.query({ filter: { ids: refs.slice(i, i + PAGE).map((r) => r.id) }, size: PAGE });
    for (const { call } of page.items) out.push({ ref: refOf.get(call.id)!, items: segmentItems(call, role) });
    onPage?.(Math.min(i + PAGE, refs.length));
    await nextTurn();
  }
  return out;
}

function rowOf(c: CallItems, assignment: ReadonlyMap<string, string>): CallSegments {
  return {
    callId: c.ref.id,
    textHash: c.ref.textHash,
    recordedMs: c.ref.recordedMs,
    segments: c.items.map((it) => [it.segmentId, assignment.get(it.id) ?? OTHER, (it.words ?? []).join(' '), it.text]),
  };
}

export type ModelState = { model: ClusterModel; fitted: 'existing' | 'fitted' | 'refitted'; stability: number | null };
export type FitProgress = { stage: 'reading' | 'fitting' | 'joining' | 'saving'; done: number; total: number };

/** Whether the stored model serves a request for `k` (absent: any k). */
function serves(model: ClusterModel | null, k: number | undefined): model is ClusterModel {
  return model !== null && (k === undefined || model.params.k === k);
}

/**
 * Fits the role's model on a sample of every stored call's segments (re-fits keeping ids when a
 * model exists: another k, or `refit`), joins every other segment and stores each call's segments.
 * Long on a big store (reads every call): run it as a ClusterJobs job, or await it from the CLI.
 */
export async function fitStoreModel(db: ClusterDb, store: CallStore, role: Role, opts: { k?: number | undefined } = {}, onProgress?: (p: FitProgress) => void): Promise<ModelState> {
  await nextTurn(); // listing every call takes a while: the request that starts the job answers first
  const name = modelName(role);
  const existing = db.model(name);
  const refs = await store.refs({});
  onProgress?.({ stage: 'reading', done: 0, total: refs.length });
  const calls = await readCallItems(store, refs, role, (done) => onProgress?.({ stage: 'reading', done, total: refs.length }));
  const all = calls.flatMap((c) => c.items);
  const sample = systematic(all, MAX_FIT_ITEMS);
  onProgress?.({ stage: 'fitting', done: 0, total: sample.length });
  await nextTurn();
  const k = opts.k ?? existing?.params.k ?? undefined;
  const options: ClusterOptions = { ...(k ? { k } : {}), minSize: 3 };
  const previous = existing ? { model: existing, assignments: db.assignments(name) } : undefined;
  const fitted = await fitInThread({ items: sample, options, ...(previous ? { previous } : {}) }, (done, total) => onProgress?.({ stage: 'fitting', done, total }));
  const state: ModelState = { model: fitted.model, fitted: previous ? 'refitted' : 'fitted', stability: fitted.stability };
  const assignments = fitted.assignments;
  const rest = all.filter((it) => !assignments.has(it.id));
  for (let i = 0; i < rest.length; i += JOIN_STEP) {
    onProgress?.({ stage: 'joining', done: i, total: rest.length });
    await nextTurn();
    for (const [id, c] of joinClusters(state.model, rest.slice(i, i + JOIN_STEP))) assignments.set(id, c);
  }
  onProgress?.({ stage: 'saving', done: 0, total: calls.length });
  db.save(name, state.model, assignments, true);
  db.putCallSegments(name, calls.map((c) => rowOf(c, assignments)), true);
  return state;
}

/** The role's model: the stored one when it serves `k`, else fitted (or re-fitted) now. */
export async function ensureModel(db: ClusterDb, store: CallStore, role: Role, opts: { k?: number | undefined; refit?: boolean } = {}): Promise<ModelState> {
  const existing = db.model(modelName(role));
  if (serves(existing, opts.k) && !opts.refit) return { model: existing, fitted: 'existing', stability: null };
  return fitStoreModel(db, store, role, { k: opts.k });
}

/**
 * Fit jobs, one at a time per role, in the background of a server: a request that needs a model
 * waits for its job up to `waitMs`, then answers "computing" with the job's progress.
 */
export class ClusterJobs {
  private readonly jobs = new Map<Role, { k: number | undefined; progress: FitProgress; done: Promise<ModelState> }>();

  constructor(
    private readonly db: ClusterDb,
    private readonly store: CallStore,
    private readonly waitMs = 2000,
  ) {}

  /** The model for `role` and `k`, or the progress of the job computing it (started if none runs). */
  async model(role: Role, k: number | undefined): Promise<{ model: ClusterModel } | { computing: FitProgress & { k: number | null } }> {
    const existing = this.db.model(modelName(role));
    let job = this.jobs.get(role);
    if (serves(existing, k) && !job) return { model: existing };
    if (!job) {
      const progress: FitProgress = { stage: 'reading', done: 0, total: 0 };
      const done = fitStoreModel(this.db, this.store, role, { k }, (p) => Object.assign(progress, p));
      job = { k, progress, done };
      this.jobs.set(role, job);
      const finished = () => this.jobs.delete(role);
      done.then(finished, finished);
    }
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([job.done.then((s) => s.model), new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), this.waitMs)))]).finally(() => clearTimeout(timer));
    if (waited && serves(waited, k)) return { model: waited };
    return { computing: { ...job.progress, k: job.k ?? null } };
  }
}

/**
 * The stored segments (ClusterDb rows) of the calls `refs` names: calls new or changed since (another
 * text hash) are read from the store, cut, joined to the model (which is saved) and stored first.
 */
export async function clusteredRows(db: ClusterDb, store: CallStore, role: Role, model: ClusterModel, refs: readonly CallRef[]): Promise<Map<string, CallSegments>> {
  const name = modelName(role);
  const stored = db.callSegments(name, refs.map((r) => r.id));
  const stale = refs.filter((r) => stored.get(r.id)?.textHash !== r.textHash);
  const changed = stale.filter((r) => stored.has(r.id)).map((r) => r.id);
  if (changed.length) db.forgetCalls(name, changed);
  if (stale.length) {
    const fresh = await readCallItems(store, stale, role);
    const assigned = assignItems(db, role, model, fresh.flatMap((c) => c.items));
    const rows = fresh.map((c) => rowOf(c, assigned));
    db.putCallSegments(name, rows, false);
    for (const r of rows) stored.set(r.callId, r);
  }
  return stored;
}

/** The role's segments of the calls `refs` names, each with its cluster (see clusteredRows). */
export async function clusteredItems(db: ClusterDb, store: CallStore, role: Role, model: ClusterModel, refs: readonly CallRef[]): Promise<SegmentItem[]> {
  const stored = await clusteredRows(db, store, role, model, refs);
  const items: SegmentItem[] = [];
  for (const ref of refs) {
    const row = stored.get(ref.id);
    if (!row) continue; // deleted since refs
    const recordedAt = ref.recordedMs === null ? null : new Date(ref.recordedMs).toISOString(); // the store's, current even if the row is older
    for (const [segmentId, cluster, words, text] of row.segments) {
      items.push({ id: itemId(row.callId, segmentId), text, callId: row.callId, segmentId, recordedAt, words: words ? words.split(' ') : [], cluster });
    }
  }
  return items;
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

function intervalFor(from: string | undefined, to: string | undefined, dates: readonly number[]): { interval: Interval; from: string; to: string } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const d of dates) {
    if (d < min) min = d;
    if (d > max) max = d;
  }
  const lo = from ?? (dates.length ? bucketLabel(bucketStart(min, 'day', SHANGHAI), SHANGHAI) : undefined);
  const hi = to ?? (dates.length ? bucketLabel(bucketStart(max, 'day', SHANGHAI) + 86_400_000, SHANGHAI) : undefined);
  if (!lo || !hi) return null;
  const span = (instantMs(hi) - instantMs(lo)) / 86_400_000;
  return { interval: span <= 62 ? 'day' : span <= 366 ? 'week' : 'month', from: lo, to: hi };
}

/** The clusters as the 聚类 page shows them, for these segments (their `cluster`, else the one `assignment` gives). */
export function describeClusters(model: ClusterModel, items: readonly SegmentItem[], assignment: ReadonlyMap<string, string> | null, range: { from?: string | undefined; to?: string | undefined }): ClustersView {
  const members = new Map<string, SegmentItem[]>();
  for (const it of items) {
    const c = it.cluster ?? assignment?.get(it.id) ?? OTHER;
    const list = members.get(c);
    if (list) list.push(it);
    else members.set(c, [it]);
  }
  const total = items.length;
  const order = [...members.keys()].sort((a, b) => (a === OTHER ? 1 : b === OTHER ? -1 : members.get(b)!.length - members.get(a)!.length || (a < b ? -1 : 1)));
  const terms = clusterTerms(order.map((c) => members.get(c)!.map((it) => it.words ?? textFeatures(it.text).words)));
  const recordedMs = new Map<string, number>();
  for (const it of items) if (it.recordedAt && !recordedMs.has(it.recordedAt)) recordedMs.set(it.recordedAt, instantMs(it.recordedAt));
  const span = intervalFor(range.from, range.to, [...recordedMs.values()]);
  // The period of each Shanghai day, worked out once per day rather than once per segment.
  const periodOfDay = new Map<number, string>();
  const periodOf = (ms: number) => {
    const day = Math.floor((ms + SHANGHAI) / 86_400_000);
    let p = periodOfDay.get(day);
    if (p === undefined) periodOfDay.set(day, (p = bucketLabel(bucketStart(ms, span!.interval, SHANGHAI), SHANGHAI)));
    return p;
  };
  const periods = span ? bucketStarts(bucketLabel(bucketStart(instantMs(span.from), span.interval, SHANGHAI), SHANGHAI), span.to, span.interval) : [];
  const clusters = order.map((id, i): ClusterView => {
    const its = members.get(id)!;
    const counts = new Map(periods.map((p) => [p, 0]));
    for (const it of its) {
      if (!it.recordedAt || !span) continue;
      const p = periodOf(recordedMs.get(it.recordedAt)!);
      if (counts.has(p)) counts.set(p, counts.get(p)! + 1);
    }
    const quotes = id === OTHER ? its.slice(0, 3) : (representatives(model, id, systematic(its, QUOTE_POOL), 3) as SegmentItem[]);
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

