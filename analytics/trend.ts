import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { Filter, type Agg, type AggResult } from '../indexer/query-model.ts';
import { addIntervals, bucketStarts, isBucketStart } from './calendar.ts';
import { metricAggs, Metrics, parseInput, readMetrics, type MetricValue } from './metrics.ts';

const calendarDate = z.iso.date();

export const TrendRequest = z
  .object({
    filter: Filter.default({}),
    interval: z.enum(['day', 'week', 'month']),
    /** First local day of the window (China time), a bucket start: a Monday for weeks, the 1st for months. */
    from: calendarDate,
    /** The day after the window (exclusive), also a bucket start. */
    to: calendarDate,
    metrics: Metrics,
  })
  .strict();
export type TrendRequest = z.input<typeof TrendRequest>;

export type TrendPoint = {
  bucket: string;
  /** The bucket the same number of intervals earlier, in the previous window. */
  previousBucket: string;
  current: Record<string, MetricValue>;
  previous: Record<string, MetricValue>;
};

export type Trend = {
  interval: 'day' | 'week' | 'month';
  current: { from: string; to: string; totals: Record<string, MetricValue> };
  /** The window of the same number of buckets right before `from`. */
  previous: { from: string; to: string; totals: Record<string, MetricValue> };
  points: TrendPoint[];
};

/**
 * Metrics per day/week/month over [from, to) for any filter, with the previous window overlaid:
 * the same number of buckets immediately before, point i of one against point i of the other.
 * Buckets without calls are returned with zero counts (the store omits them).
 */
export async function trend(store: CallStore, input: TrendRequest): Promise<Trend> {
  const req = parseInput(TrendRequest, input, 'trend request');
  if (req.from >= req.to) throw new CallScopeError('BAD_REQUEST', `from (${req.from}) must be before to (${req.to})`);
  for (const d of [req.from, req.to]) {
    if (!isBucketStart(d, req.interval)) throw new CallScopeError('BAD_REQUEST', `${d} does not start a ${req.interval} (weeks start on Monday, months on the 1st)`);
  }
  const starts = bucketStarts(req.from, req.to, req.interval);
  const previousFrom = addIntervals(req.from, req.interval, -starts.length);
  const previousStarts = bucketStarts(previousFrom, req.from, req.interval);

  const windowAgg = (name: string, gte: string, lt: string): Agg => ({
    type: 'filter',
    filter: { dates: { recordedAt: { gte, lt } } },
    aggs: {
      ...metricAggs(req.metrics, `${name}Total`),
      histogram: { type: 'date_histogram', field: 'recordedAt', interval: req.interval, timeZone: 'Asia/Shanghai', aggs: metricAggs(req.metrics, `${name}Bucket`) },
    },
  });
  // Names differ per window and level: see metricAggs. The window is a sub-filter so a date range in the caller's filter still applies (both must hold).
  const result = await store.aggregate({ filter: req.filter, aggs: { current: windowAgg('current', req.from, req.to), previous: windowAgg('previous', previousFrom, req.from) } });

  const read = (name: string, r: AggResult | undefined, keys: string[]) => {
    if (r?.type !== 'filter') throw new CallScopeError('INTERNAL', 'trend: the store returned no window aggregation');
    const hist = r.aggs.histogram;
    const byKey = new Map(hist?.type === 'date_histogram' ? hist.buckets.map((b) => [b.keyAsString, b]) : []);
    return {
      totals: readMetrics(req.metrics, r.count, r.aggs, `${name}Total`),
      buckets: keys.map((k) => {
        const b = byKey.get(k);
        return readMetrics(req.metrics, b?.count ?? 0, b?.aggs, `${name}Bucket`);
      }),
    };
  };
  const current = read('current', result.aggs.current, starts);
  const previous = read('previous', result.aggs.previous, previousStarts);

  return {
    interval: req.interval,
    current: { from: req.from, to: req.to, totals: current.totals },
    previous: { from: previousFrom, to: req.from, totals: previous.totals },
    points: starts.map((bucket, i) => ({ bucket, previousBucket: previousStarts[i]!, current: current.buckets[i]!, previous: previous.buckets[i]! })),
  };
}
