import { z } from 'zod';
import type { CallStore } from '../indexer/call-store.ts';
import { Filter, type AggResult } from '../indexer/query-model.ts';
import { metricAggs, Metrics, parseInput, readMetrics, type Metric, type MetricValue } from './metrics.ts';
import { valuesOf } from './metric-values.ts';
import { describe, mannWhitneyU, newcombeInterval, twoProportionZTest, welchTTest, type Interval, type Sample } from './stats.ts';

const Cohort = z.object({ label: z.string().trim().min(1).max(100), filter: Filter }).strict();

export const CompareRequest = z
  .object({
    a: Cohort,
    b: Cohort,
    metrics: Metrics,
    confidence: z.number().gt(0.5).lt(1).default(0.95),
    /** Means: Welch's t (difference of means with its interval) or Mann-Whitney U (no interval). */
    meanTest: z.enum(['welch', 'mann-whitney']).default('welch'),
    /** Mann-Whitney reads every call's value; a larger cohort is refused rather than silently sampled. (Welch works from the store's Σx, Σx².) */
    maxCallsForMeanTest: z.number().int().min(2).max(200_000).default(50_000),
  })
  .strict();
export type CompareRequest = z.input<typeof CompareRequest>;

export type MetricComparison = {
  name: string;
  a: MetricValue;
  b: MetricValue;
  /** a − b (rates: proportions; means: units of the field; counts: calls). */
  difference: number | null;
  test: { name: 'two-proportion z' | 'welch t' | 'mann-whitney u'; statistic: number; pValue: number; df?: number } | null;
  /** Confidence interval of the difference: Newcombe hybrid score for rates, Welch for means. */
  interval: Interval | null;
  sampleSizes: { a: number; b: number };
};

export type Comparison = { a: { label: string; calls: number }; b: { label: string; calls: number }; confidence: number; metrics: MetricComparison[] };

/** Two cohorts side by side: each metric, a − b, a significance test fit for the metric, its interval and sample sizes. */
export async function compare(store: CallStore, input: CompareRequest): Promise<Comparison> {
  const req = parseInput(CompareRequest, input, 'comparison request');
  const aggs = metricAggs(req.metrics);
  const withAggs = Object.keys(aggs).length > 0;
  const summarise = async (filter: Filter) => {
    const r = withAggs ? await store.aggregate({ filter, aggs }) : { total: (await store.query({ filter, size: 0 })).total, aggs: {} };
    return { total: r.total, values: readMetrics(req.metrics, r.total, r.aggs), aggs: r.aggs };
  };
  const [a, b] = await Promise.all([summarise(req.a.filter), summarise(req.b.filter)]);

  const metrics: MetricComparison[] = [];
  for (const [i, m] of req.metrics.entries()) {
    const samples = { a: sampleOf(a.aggs[`metric${i}`]), b: sampleOf(b.aggs[`metric${i}`]) };
    metrics.push(await compareMetric(store, req, m, a.values[m.name]!, b.values[m.name]!, samples));
  }
  return { a: { label: req.a.label, calls: a.total }, b: { label: req.b.label, calls: b.total }, confidence: req.confidence, metrics };
}

/**
 * n, mean and variance of a numeric fact from the store's stats (Σx and Σx²), so Welch's test needs
 * no per-call read. (metricAggs names a mean metric's stats `metric<i>` under the default prefix.)
 */
function sampleOf(r: AggResult | undefined): Sample | null {
  if (r?.type !== 'stats' || r.count < 2) return null;
  const mean = r.sum / r.count;
  return { n: r.count, mean, variance: Math.max(0, (r.sumOfSquares - r.sum * mean) / (r.count - 1)) };
}

async function compareMetric(
  store: CallStore,
  req: z.output<typeof CompareRequest>,
  m: Metric,
  a: MetricValue,
  b: MetricValue,
  samples: { a: Sample | null; b: Sample | null },
): Promise<MetricComparison> {
  if (a.kind === 'count' && b.kind === 'count') {
    return { name: m.name, a, b, difference: a.count - b.count, test: null, interval: null, sampleSizes: { a: a.count, b: b.count } };
  }
  if (a.kind === 'rate' && b.kind === 'rate') {
    const sampleSizes = { a: a.denominator, b: b.denominator };
    if (a.rate === null || b.rate === null) return { name: m.name, a, b, difference: null, test: null, interval: null, sampleSizes };
    const z = twoProportionZTest(a.numerator, a.denominator, b.numerator, b.denominator);
    return {
      name: m.name,
      a,
      b,
      difference: a.rate - b.rate,
      test: { name: 'two-proportion z', ...z },
      interval: newcombeInterval(a.numerator, a.denominator, b.numerator, b.denominator, req.confidence),
      sampleSizes,
    };
  }
  if (a.kind === 'mean' && b.kind === 'mean' && m.kind === 'mean') {
    const sampleSizes = { a: a.n, b: b.n };
    const difference = a.mean !== null && b.mean !== null ? a.mean - b.mean : null;
    if (a.n < 2 || b.n < 2) return { name: m.name, a, b, difference, test: null, interval: null, sampleSizes };
    if (req.meanTest === 'welch' && samples.a && samples.b) {
      const w = welchTTest(samples.a, samples.b, req.confidence);
      return { name: m.name, a, b, difference, test: { name: 'welch t', statistic: w.statistic, pValue: w.pValue, df: w.df }, interval: w.interval, sampleSizes };
    }
    const [va, vb] = await Promise.all([
      valuesOf(store, req.a.filter, m.field, req.maxCallsForMeanTest),
      valuesOf(store, req.b.filter, m.field, req.maxCallsForMeanTest),
    ]);
    if (req.meanTest === 'mann-whitney') {
      return { name: m.name, a, b, difference, test: { name: 'mann-whitney u', ...mannWhitneyU(va, vb) }, interval: null, sampleSizes };
    }
    const w = welchTTest(describe(va), describe(vb), req.confidence);
    return { name: m.name, a, b, difference, test: { name: 'welch t', statistic: w.statistic, pValue: w.pValue, df: w.df }, interval: w.interval, sampleSizes };
  }
  return { name: m.name, a, b, difference: null, test: null, interval: null, sampleSizes: { a: 0, b: 0 } };
}
