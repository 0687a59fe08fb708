import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { Filter, KeywordField, type Agg, type AggResult } from '../indexer/query-model.ts';
import { allOf, averageOf, complaintRate, metricAggs, negativeEmotionRate, parseInput, readMetrics, type Metric, type MetricValue } from './metrics.ts';
import { trend, type Trend } from './trend.ts';

/** Passed among scored calls (a range on `score` keeps only calls that have one; see targets.ts). */
export const passRate = (name = 'passRate'): Metric => ({ kind: 'rate', name, target: { booleans: { passed: true } }, base: { ranges: { score: { gte: -1e15 } } } });

/** The headline metrics of the dashboard, in display order. */
export const OVERVIEW_METRICS: Metric[] = [{ kind: 'count', name: 'calls' }, averageOf('score', 'avgScore'), passRate(), complaintRate(), negativeEmotionRate()];

export const OverviewRequest = z
  .object({
    filter: Filter.default({}),
    interval: z.enum(['day', 'week', 'month']),
    from: z.iso.date(),
    to: z.iso.date(),
    breakdowns: z.array(KeywordField).max(5).default(['branch', 'team', 'product']),
    /** Values per breakdown, most calls first. */
    breakdownSize: z.number().int().min(1).max(200).default(20),
    /** Checkpoints listed, highest failure rate first. */
    checkpointSize: z.number().int().min(1).max(100).default(10),
  })
  .strict();
export type OverviewRequest = z.input<typeof OverviewRequest>;

export type BreakdownRow = { key: string; metrics: Record<string, MetricValue> };
export type CheckpointFailure = { checkpointId: string; name: string; failed: number; applicable: number; rate: number | null };

export type Overview = {
  /** Totals and points of the window and of the window right before it (period over period). */
  trend: Trend;
  /** Per value of each breakdown field, within the window. */
  breakdowns: Record<string, BreakdownRow[]>;
  topFailingCheckpoints: CheckpointFailure[];
};

/**
 * How many recent calls name the checkpoints: their first scorecard lists every checkpoint it has
 * (not-applicable ones included), so a few calls cover the scorecards in use.
 */
const CHECKPOINT_PROBE = 20;

/** The dashboard: headline metrics with their trend and previous period, breakdowns by branch/team/product, the checkpoints failed most. */
export async function overview(store: CallStore, input: OverviewRequest): Promise<Overview> {
  const req = parseInput(OverviewRequest, input, 'overview request');
  // The trend runs while the checkpoint probe (a plain query) is read.
  const [t, rest] = await Promise.all([
    trend(store, { filter: req.filter, interval: req.interval, from: req.from, to: req.to, metrics: OVERVIEW_METRICS }),
    breakdownsAndCheckpoints(store, req),
  ]);
  return { trend: t, ...rest };
}

async function breakdownsAndCheckpoints(store: CallStore, req: z.output<typeof OverviewRequest>): Promise<Omit<Overview, 'trend'>> {
  const window: Filter = { dates: { recordedAt: { gte: req.from, lt: req.to } } };

  // Checkpoint ids and names as the scorecards in use wrote them on the newest calls of the window.
  const probeFilter: Filter = req.filter.dates?.recordedAt ? allOf(req.filter, window) : { ...req.filter, dates: { ...req.filter.dates, ...window.dates } };
  const probe = await store.query({ filter: probeFilter, size: CHECKPOINT_PROBE });
  const names = new Map<string, string>();
  for (const { call } of probe.items) for (const item of call.scores[0]?.items ?? []) if (!names.has(item.checkpointId)) names.set(item.checkpointId, item.name);
  const checkpointIds = [...names.keys()];

  const aggs: Record<string, Agg> = {};
  req.breakdowns.forEach((field, i) => {
    aggs[`by${i}`] = { type: 'terms', field, size: req.breakdownSize, aggs: metricAggs(OVERVIEW_METRICS, `by${i}m`) };
  });
  // One terms aggregation per checkpoint (its outcomes): measured faster than 2 filters per checkpoint folded into one scan.
  checkpointIds.forEach((id, i) => {
    aggs[`cp${i}`] = { type: 'terms', field: `checkpoint:${id}`, size: 3 };
  });
  const result = await store.aggregate({ filter: req.filter, aggs: { window: { type: 'filter', filter: window, aggs } } });
  const w = result.aggs.window;
  if (w?.type !== 'filter') throw new CallScopeError('INTERNAL', 'overview: the store returned no window aggregation');

  const breakdowns: Record<string, BreakdownRow[]> = {};
  req.breakdowns.forEach((field, i) => {
    breakdowns[field] = asTerms(w.aggs[`by${i}`]).buckets.map((b) => ({ key: b.key, metrics: readMetrics(OVERVIEW_METRICS, b.count, b.aggs, `by${i}m`) }));
  });

  const topFailingCheckpoints = checkpointIds
    .map((checkpointId, i): CheckpointFailure => {
      const counts = new Map(asTerms(w.aggs[`cp${i}`]).buckets.map((b) => [b.key, b.count]));
      const failed = counts.get('failed') ?? 0;
      const applicable = failed + (counts.get('passed') ?? 0);
      return { checkpointId, name: names.get(checkpointId) ?? checkpointId, failed, applicable, rate: applicable > 0 ? failed / applicable : null };
    })
    .filter((c) => c.failed > 0)
    .sort((a, b) => (b.rate ?? 0) - (a.rate ?? 0) || b.failed - a.failed || a.checkpointId.localeCompare(b.checkpointId))
    .slice(0, req.checkpointSize);

  return { breakdowns, topFailingCheckpoints };
}

function asTerms(r: AggResult | undefined): Extract<AggResult, { type: 'terms' }> {
  if (r?.type !== 'terms') throw new CallScopeError('INTERNAL', 'overview: the store returned no terms aggregation');
  return r;
}
