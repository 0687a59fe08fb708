import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { Filter, type Agg, type AggResult } from '../indexer/query-model.ts';
import { addIntervals, bucketStarts, isBucketStart } from './calendar.ts';
import { metricAggs, Metrics, parseInput, readMetrics, type Metric, type MetricValue } from './metrics.ts';

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
 * A window's totals from its buckets: every call of the window is in exactly one bucket, so counts
 * and rate parts add up and a mean is the count-weighted mean of the bucket means (one query less
 * per metric than asking the store for the window again).
 */
function sumOfBuckets(metrics: readonly Metric[], count: number, buckets: Array<Record<string, MetricValue>>): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const m of metrics) {
    const values = buckets.map((b) => b[m.name]!);
    if (m.kind === 'count') out[m.name] = { kind: 'count', count };
    else if (m.kind === 'rate') {
      let numerator = 0;
      let denominator = 0;
      for (const v of values) if (v.kind === 'rate') (numerator += v.numerator), (denominator += v.denominator);
      out[m.name] = { kind: 'rate', numerator, denominator, rate: denominator > 0 ? numerator / denominator : null };
    } else {
      let n = 0;
      let sum = 0;
      for (const v of values) if (v.kind === 'mean' && v.mean !== null) (n += v.n), (sum += v.mean * v.n);
      out[m.name] = { kind: 'mean', n, mean: n > 0 ? sum / n : null };
    }
  }
  return out;
}

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
      histogram: { type: 'date_histogram', field: 'recordedAt', interval: req.interval, timeZone: 'Asia/Shanghai', aggs: metricAggs(req.metrics, `${name}Bucket`) },
    },
  });
  // Names differ per window and level: see metricAggs. The window is a sub-filter so a date range in the caller's filter still applies (both must hold).
  const result = await store.aggregate({ filter: req.filter, aggs: { current: windowAgg('current', req.from, req.to), previous: windowAgg('previous', previousFrom, req.from) } });

  const read = (name: string, r: AggResult | undefined, keys: string[]) => {
    if (r?.type !== 'filter') throw new CallScopeError('INTERNAL', 'trend: the store returned no window aggregation');
    const hist = r.aggs.histogram;
    const byKey = new Map(hist?.type === 'date_histogram' ? hist.buckets.map((b) => [b.keyAsString, b]) : []);
    const buckets = keys.map((k) => {
      const b = byKey.get(k);
      return readMetrics(req.metrics, b?.count ?? 0, b?.aggs, `${name}Bucket`);
    });
    return { totals: sumOfBuckets(req.metrics, r.count, buckets), buckets };
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
