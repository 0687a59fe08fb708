import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { Filter, KeywordField, LabelField, type Agg, type AggResult } from '../indexer/query-model.ts';
import { parseInput } from './metrics.ts';
import { benjaminiHochberg, twoProportionZTest } from './stats.ts';

/** Calls without a value, or beyond the `size` biggest values, are counted here so shares add up to 1. */
export const REMAINDER = '(other)';

const DEFAULT_DIMENSIONS: KeywordField[] = ['branch', 'team', 'agentId', 'product', 'channel'];

const TargetFields = { target: Filter, base: Filter.optional() };

export const OverIndexRequest = z
  .object({
    filter: Filter.default({}),
    ...TargetFields,
    /** Keyword fields, or `tags`/`flags` (a call counts under each of its labels; each label is tested against the calls without it). */
    dimensions: z.array(z.union([KeywordField, LabelField])).min(1).max(10).default(DEFAULT_DIMENSIONS),
    /** Values with fewer calls (in the base) are not tested: too small to say anything. */
    minCalls: z.number().int().min(1).default(20),
    /** False discovery rate for Benjamini–Hochberg over every value tested in every dimension. */
    alpha: z.number().gt(0).lt(1).default(0.05),
    size: z.number().int().min(1).max(1000).default(1000),
  })
  .strict();
export type OverIndexRequest = z.input<typeof OverIndexRequest>;

export type OverIndexRow = {
  dimension: KeywordField | LabelField;
  value: string;
  /** Calls with this value (in the base), and how many of them hit the target. */
  calls: number;
  targetCalls: number;
  rate: number;
  /** rate / overall rate. */
  lift: number;
  /** Share of all target calls that carry this value. */
  support: number;
  /** Two-sided two-proportion z-test of this value against every other call. */
  pValue: number;
  /** Benjamini–Hochberg adjusted p over all values tested. */
  qValue: number;
  significant: boolean;
};

export type OverIndex = { calls: number; targetCalls: number; rate: number | null; tested: number; rows: OverIndexRow[] };

/** Which dimension values over-index on the target: lift, support, z-test, BH correction. Rows with lift > 1, most significant first. */
export async function overIndexing(store: CallStore, input: OverIndexRequest): Promise<OverIndex> {
  const req = parseInput(OverIndexRequest, input, 'root-cause request');
  // Every aggregation name is unique in the request (see metricAggs on the store's name clash).
  const dimensionAggs: Record<string, Agg> = {};
  req.dimensions.forEach((field, i) => {
    dimensionAggs[`values${i}`] = { type: 'terms', field, size: req.size, aggs: { [`hit${i}`]: { type: 'filter', filter: req.target } } };
  });
  const result = await store.aggregate({
    filter: req.filter,
    aggs: { base: { type: 'filter', filter: req.base ?? {}, aggs: { targetAll: { type: 'filter', filter: req.target }, ...dimensionAggs } } },
  });
  const base = asFilter(result.aggs.base);
  const calls = base.count;
  const targetCalls = asFilter(base.aggs.targetAll).count;
  if (calls === 0) return { calls, targetCalls, rate: null, tested: 0, rows: [] };
  const rate = targetCalls / calls;

  const tested: Array<Omit<OverIndexRow, 'qValue' | 'significant'>> = [];
  req.dimensions.forEach((dimension, i) => {
    for (const b of asTerms(base.aggs[`values${i}`]).buckets) {
      if (b.count < req.minCalls || b.count >= calls) continue;
      const hit = asFilter(b.aggs[`hit${i}`]).count;
      const test = twoProportionZTest(hit, b.count, targetCalls - hit, calls - b.count);
      tested.push({
        dimension,
        value: b.key,
        calls: b.count,
        targetCalls: hit,
        rate: hit / b.count,
        lift: rate > 0 ? hit / b.count / rate : 0,
        support: targetCalls > 0 ? hit / targetCalls : 0,
        pValue: test.pValue,
      });
    }
  });
  const q = benjaminiHochberg(tested.map((t) => t.pValue));
  const rows = tested
    .map((t, i) => ({ ...t, qValue: q[i]!, significant: q[i]! <= req.alpha && t.lift > 1 }))
    .filter((r) => r.lift > 1)
    .sort((a, b) => a.qValue - b.qValue || b.lift - a.lift);
  return { calls, targetCalls, rate, tested: tested.length, rows };
}

const Period = z.object({ from: z.iso.date().or(z.iso.datetime({ offset: true })), to: z.iso.date().or(z.iso.datetime({ offset: true })) }).strict();

export const ChangeRequest = z
  .object({
    filter: Filter.default({}),
    ...TargetFields,
    dimension: KeywordField,
    before: Period,
    after: Period,
    size: z.number().int().min(1).max(1000).default(1000),
  })
  .strict();
export type ChangeRequest = z.input<typeof ChangeRequest>;

export type PeriodCell = { calls: number; targetCalls: number; share: number; rate: number | null };
export type Contribution = { value: string; before: PeriodCell; after: PeriodCell; mixEffect: number; rateEffect: number; total: number };
export type ChangeDecomposition = {
  before: { calls: number; targetCalls: number; rate: number };
  after: { calls: number; targetCalls: number; rate: number };
  change: number;
  /** Largest absolute contribution first; `total`s sum to `change` (up to float rounding). */
  contributions: Contribution[];
};

/**
 * How much each value of a dimension contributes to the change of the target rate between two
 * periods. With shares w = n/N and rates r = t/n per value, R = Σ w·r and, exactly,
 *
 *   R₁ − R₀ = Σᵢ (w₁ᵢ − w₀ᵢ)·(r̄ᵢ − R̄)  +  Σᵢ (r₁ᵢ − r₀ᵢ)·w̄ᵢ        (mix effect + rate effect)
 *
 * where r̄ᵢ, w̄ᵢ, R̄ are the two periods' means (symmetric, so the split does not depend on which
 * period is "base"). Subtracting R̄ changes no sum because Σ(w₁ − w₀) = 0, and it makes a value's
 * mix effect mean "volume moved towards a value with an above-average rate". A value seen in only
 * one period takes that period's rate for the other (no rate effect; its volume is all mix). Calls
 * without a value or beyond `size` are one REMAINDER value, so shares sum to 1 and the sum is exact.
 */
export async function changeDecomposition(store: CallStore, input: ChangeRequest): Promise<ChangeDecomposition> {
  const req = parseInput(ChangeRequest, input, 'change decomposition request');
  const periodAgg = (name: string, p: { from: string; to: string }): Agg => ({
    type: 'filter',
    filter: { dates: { recordedAt: { gte: p.from, lt: p.to } } },
    aggs: {
      [`${name}Base`]: {
        type: 'filter',
        filter: req.base ?? {},
        aggs: {
          [`${name}Hit`]: { type: 'filter', filter: req.target },
          [`${name}Values`]: { type: 'terms', field: req.dimension, size: req.size, aggs: { [`${name}ValueHit`]: { type: 'filter', filter: req.target } } },
        },
      },
    },
  });
  const result = await store.aggregate({ filter: req.filter, aggs: { before: periodAgg('before', req.before), after: periodAgg('after', req.after) } });
  const cells = (name: string) => {
    const base = asFilter(asFilter(result.aggs[name]).aggs[`${name}Base`]);
    const targetCalls = asFilter(base.aggs[`${name}Hit`]).count;
    const byValue = new Map<string, { calls: number; targetCalls: number }>();
    for (const b of asTerms(base.aggs[`${name}Values`]).buckets) byValue.set(b.key, { calls: b.count, targetCalls: asFilter(b.aggs[`${name}ValueHit`]).count });
    const listedCalls = [...byValue.values()].reduce((s, c) => s + c.calls, 0);
    const listedTarget = [...byValue.values()].reduce((s, c) => s + c.targetCalls, 0);
    if (base.count > listedCalls) byValue.set(REMAINDER, { calls: base.count - listedCalls, targetCalls: targetCalls - listedTarget });
    return { calls: base.count, targetCalls, byValue };
  };
  const before = cells('before');
  const after = cells('after');
  if (before.calls === 0 || after.calls === 0) {
    throw new CallScopeError('BAD_REQUEST', `no calls in the ${before.calls === 0 ? 'before' : 'after'} period for this filter`);
  }
  const r0 = before.targetCalls / before.calls;
  const r1 = after.targetCalls / after.calls;
  const meanRate = (r0 + r1) / 2;

  const values = new Set([...before.byValue.keys(), ...after.byValue.keys()]);
  const contributions: Contribution[] = [];
  for (const value of values) {
    const b = before.byValue.get(value) ?? { calls: 0, targetCalls: 0 };
    const a = after.byValue.get(value) ?? { calls: 0, targetCalls: 0 };
    const w0 = b.calls / before.calls;
    const w1 = a.calls / after.calls;
    const rb = b.calls > 0 ? b.targetCalls / b.calls : null;
    const ra = a.calls > 0 ? a.targetCalls / a.calls : null;
    const rate0 = rb ?? ra!;
    const rate1 = ra ?? rb!;
    const mixEffect = (w1 - w0) * ((rate0 + rate1) / 2 - meanRate);
    const rateEffect = (rate1 - rate0) * ((w0 + w1) / 2);
    contributions.push({
      value,
      before: { calls: b.calls, targetCalls: b.targetCalls, share: w0, rate: rb },
      after: { calls: a.calls, targetCalls: a.targetCalls, share: w1, rate: ra },
      mixEffect,
      rateEffect,
      total: mixEffect + rateEffect,
    });
  }
  contributions.sort((x, y) => Math.abs(y.total) - Math.abs(x.total) || x.value.localeCompare(y.value));
  return {
    before: { calls: before.calls, targetCalls: before.targetCalls, rate: r0 },
    after: { calls: after.calls, targetCalls: after.targetCalls, rate: r1 },
    change: r1 - r0,
    contributions,
  };
}

function asFilter(r: AggResult | undefined): Extract<AggResult, { type: 'filter' }> {
  if (r?.type !== 'filter') throw new CallScopeError('INTERNAL', 'root cause: the store returned no filter aggregation');
  return r;
}

function asTerms(r: AggResult | undefined): Extract<AggResult, { type: 'terms' }> {
  if (r?.type !== 'terms') throw new CallScopeError('INTERNAL', 'root cause: the store returned no terms aggregation');
  return r;
}
