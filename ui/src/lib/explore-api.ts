// The analysis endpoints (/api/analytics/*, /api/clusters) as the exploration pages use them.
// Parameters are the flat strings of the page URL, passed through unchanged (see api/analytics-params.ts).
import { getJson, query, type CallPage } from './api.ts';
import type { ClustersView, FitProgress } from '../../../analytics/cluster/call-clusters.ts';

export type Params = Record<string, string>;

export type MetricValue =
  | { kind: 'count'; count: number }
  | { kind: 'rate'; numerator: number; denominator: number; rate: number | null }
  | { kind: 'mean'; n: number; mean: number | null };
export type Metrics = Record<string, MetricValue>;

export type TrendPoint = { bucket: string; previousBucket: string; current: Metrics; previous: Metrics };
export type Trend = {
  interval: 'day' | 'week' | 'month';
  current: { from: string; to: string; totals: Metrics };
  previous: { from: string; to: string; totals: Metrics };
  points: TrendPoint[];
};
export type Overview = {
  trend: Trend;
  breakdowns: Record<string, Array<{ key: string; metrics: Metrics }>>;
  topFailingCheckpoints: Array<{ checkpointId: string; name: string; failed: number; applicable: number; rate: number | null }>;
};
export type Comparison = {
  a: { label: string; calls: number };
  b: { label: string; calls: number };
  confidence: number;
  metrics: Array<{
    name: string;
    a: MetricValue;
    b: MetricValue;
    difference: number | null;
    test: { name: string; statistic: number; pValue: number; df?: number } | null;
    interval: { low: number; high: number } | null;
    sampleSizes: { a: number; b: number };
  }>;
};
export type HotTopics = {
  current: { from: string; to: string; calls: number };
  baseline: { from: string; to: string; calls: number };
  topics: Array<{ source: 'tags' | 'flags' | 'words' | 'terms' | 'phrases'; key: string; role?: string; current: { calls: number; share: number }; baseline: { calls: number; share: number }; ratio: number | null; new: boolean; g2: number; pValue: number }>;
  sampled?: { current: number; baseline: number };
};
export type OverIndex = {
  calls: number;
  targetCalls: number;
  rate: number | null;
  tested: number;
  rows: Array<{ dimension: string; value: string; calls: number; targetCalls: number; rate: number; lift: number; support: number; pValue: number; qValue: number; significant: boolean }>;
};
type Cell = { calls: number; targetCalls: number; share: number; rate: number | null };
export type ChangeDecomposition = {
  before: { calls: number; targetCalls: number; rate: number };
  after: { calls: number; targetCalls: number; rate: number };
  change: number;
  contributions: Array<{ value: string; before: Cell; after: Cell; mixEffect: number; rateEffect: number; total: number }>;
};
/** GET /api/clusters answers 202 with this while the model is first fitted (a background job). */
export type ClustersComputing = { status: 'computing'; k: number | null } & FitProgress;
export type Clusters = ClustersView;

const get = <T>(path: string, p: Params, signal?: AbortSignal) => getJson<T>(`${path}${query(p)}`, signal);

export const explore = {
  overview: (p: Params, s?: AbortSignal) => get<Overview>('/api/analytics/overview', p, s),
  trend: (p: Params, s?: AbortSignal) => get<Trend>('/api/analytics/trend', p, s),
  compare: (p: Params, s?: AbortSignal) => get<Comparison>('/api/analytics/compare', p, s),
  hotTopics: (p: Params, s?: AbortSignal) => get<HotTopics>('/api/analytics/hot-topics', p, s),
  rootCause: (p: Params, s?: AbortSignal) => get<OverIndex>('/api/analytics/root-cause', p, s),
  change: (p: Params, s?: AbortSignal) => get<ChangeDecomposition>('/api/analytics/root-cause/change', p, s),
  calls: (p: Params, s?: AbortSignal) => get<CallPage>('/api/analytics/calls', p, s),
  values: (p: Params, s?: AbortSignal) => get<{ field: string; items: Array<{ value: string; calls: number }> }>('/api/analytics/values', p, s),
  clusters: (p: Params, s?: AbortSignal) => get<Clusters | ClustersComputing>('/api/clusters', p, s),
  clusterCalls: (id: string, p: Params, s?: AbortSignal) => get<CallPage>(`/api/clusters/${encodeURIComponent(id)}/calls`, p, s),
};

/** The number of a metric value: a count, a rate (0–1) or a mean; null when undefined. */
export function valueOf(m: MetricValue | undefined): number | null {
  if (!m) return null;
  if (m.kind === 'count') return m.count;
  if (m.kind === 'rate') return m.rate;
  return m.mean;
}
