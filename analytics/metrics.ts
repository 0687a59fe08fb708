import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import { Filter, NumericField, type Agg, type AggResult } from '../indexer/query-model.ts';

/**
 * What trend and comparison measure, expressed as store aggregations:
 * - `count`: calls;
 * - `rate`: calls matching `target` among the calls matching `base` (default: every call);
 * - `mean`: average of a numeric fact (score, durationSec, silenceRatio…), over calls that have it.
 */
const metricName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a metric name is a letter then letters, digits or _');
export const Metric = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('count'), name: metricName }).strict(),
  z.object({ kind: z.literal('rate'), name: metricName, target: Filter, base: Filter.optional() }).strict(),
  z.object({ kind: z.literal('mean'), name: metricName, field: NumericField }).strict(),
]);
export type Metric = z.infer<typeof Metric>;
export const Metrics = z
  .array(Metric)
  .min(1)
  .max(20)
  .refine((ms) => new Set(ms.map((m) => m.name)).size === ms.length, 'metric names must be unique');

/** Calls matching any of the filters (the query model ANDs; OR is "not (none of them)"). */
export function anyOf(...filters: Filter[]): Filter {
  return filters.length === 1 ? filters[0]! : { not: [{ not: filters }] };
}

/** A call is a complaint when the NLP flagged a complaint threat, the metadata says escalated, or it carries one of `complaintTags`. */
export function complaintFilter(complaintTags: string[] = []): Filter {
  const parts: Filter[] = [{ flags: { any: ['complaint_threat'] } }, { booleans: { complaintEscalated: true } }];
  if (complaintTags.length) parts.push({ tags: { any: complaintTags } });
  return anyOf(...parts);
}

export const complaintRate = (complaintTags: string[] = []): Metric => ({ kind: 'rate', name: 'complaintRate', target: complaintFilter(complaintTags) });

/** Failed among the calls where the checkpoint applied (passed or failed). */
export const checkpointFailureRate = (checkpointId: string, name = 'checkpointFailureRate'): Metric => ({
  kind: 'rate',
  name,
  target: { checkpoints: [{ checkpointId, outcome: ['failed'] }] },
  base: { checkpoints: [{ checkpointId, outcome: ['passed', 'failed'] }] },
});

/** The customer's emotion at the end of the call is one of `labels` (the emotion model's negative classes). */
export const negativeEmotionRate = (labels: string[] = ['negative', 'angry']): Metric => ({
  kind: 'rate',
  name: 'negativeEmotionRate',
  target: { terms: { customerEmotionEnd: labels } },
});

export const averageOf = (field: NumericField, name = `avg_${field}`): Metric => ({ kind: 'mean', name, field });

export type MetricValue =
  | { kind: 'count'; count: number }
  | { kind: 'rate'; numerator: number; denominator: number; rate: number | null }
  | { kind: 'mean'; n: number; mean: number | null };

/**
 * Aggregation names carry a prefix chosen by the caller: the store (both embedded paths, 2026-11-26)
 * returns zeros for a filter aggregation whose name is used again elsewhere in the same request
 * (another level, or a sibling's sub-aggregations), so every use in one request needs its own prefix.
 */
const aggKey = (prefix: string, i: number) => `${prefix}${i}`;

/** Calls matching both filters (the query model ANDs the keys of one filter; `not` of the negations ANDs two whole filters). */
export function allOf(a: Filter, b: Filter): Filter {
  return { not: [{ not: [a] }, { not: [b] }] };
}

/**
 * The aggregations that compute `metrics` inside one bucket. A rate is two leaf filters, its base
 * (left out when it is every call: the bucket's count) and base-and-target: leaf filters under a
 * terms or histogram bucket are counted by the store in the bucket's own scan instead of a query each.
 */
export function metricAggs(metrics: readonly Metric[], prefix = 'metric'): Record<string, Agg> {
  const aggs: Record<string, Agg> = {};
  metrics.forEach((m, i) => {
    if (m.kind === 'rate') {
      if (m.base) aggs[aggKey(prefix, i)] = { type: 'filter', filter: m.base };
      aggs[`${aggKey(prefix, i)}hit`] = { type: 'filter', filter: m.base ? allOf(m.base, m.target) : m.target };
    } else if (m.kind === 'mean') aggs[aggKey(prefix, i)] = { type: 'stats', field: m.field };
  });
  return aggs;
}

/** Reads `metrics` from a bucket's count and sub-aggregations; `aggs` undefined means an empty bucket. */
export function readMetrics(metrics: readonly Metric[], count: number, aggs: Record<string, AggResult> | undefined, prefix = 'metric'): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  const filterCount = (name: string, key: string) => {
    const r = aggs?.[key];
    if (r !== undefined && r.type !== 'filter') throw new CallScopeError('INTERNAL', `metric ${name}: expected a filter aggregation`);
    return r?.count ?? 0;
  };
  metrics.forEach((m, i) => {
    const r = aggs?.[aggKey(prefix, i)];
    if (m.kind === 'count') out[m.name] = { kind: 'count', count };
    else if (m.kind === 'rate') {
      const denominator = m.base ? filterCount(m.name, aggKey(prefix, i)) : count;
      const numerator = filterCount(m.name, `${aggKey(prefix, i)}hit`);
      out[m.name] = { kind: 'rate', numerator, denominator, rate: denominator > 0 ? numerator / denominator : null };
    } else {
      if (r !== undefined && r.type !== 'stats') throw new CallScopeError('INTERNAL', `metric ${m.name}: expected a stats aggregation`);
      out[m.name] = { kind: 'mean', n: r?.count ?? 0, mean: r?.avg ?? null };
    }
  });
  return out;
}

/** Parses an analytics input, turning schema errors into BAD_REQUEST with the fields named. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new CallScopeError('BAD_REQUEST', `invalid ${what}: ${issues}`);
}
