import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import { Role } from '../core/schemas.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { Filter, type Agg, type AggResult } from '../indexer/query-model.ts';
import { parseInput } from './metrics.ts';
import { gSquared2x2 } from './stats.ts';
import { periodTermCounts } from './term-discovery.ts';

const instant = z.iso.date().or(z.iso.datetime({ offset: true }));
const Period = z.object({ from: instant, to: instant }).strict();

/**
 * Hot topics: labels (taxonomy tags, review flags) and words said by a role that rise in a period
 * against a baseline period. The store counts labels with a terms aggregation; it has no term
 * counts over the text, so words are either candidates the caller names (a lexicon, a watch list),
 * counted by the store as calls where one segment of the role holds the word, or — with `discover` —
 * found here (term-discovery.ts): the role's masked text of the calls of both periods cut into jieba
 * words and adjacent word pairs, each counted once per call.
 */
export const HotTopicsRequest = z
  .object({
    filter: Filter.default({}),
    current: Period,
    baseline: Period,
    labels: z.array(z.enum(['tags', 'flags'])).max(2).default(['tags']),
    words: z
      .array(z.object({ word: z.string().trim().min(1).max(50), role: Role.optional() }).strict())
      .max(100)
      .default([]),
    /**
     * Find rising terms (`source: 'terms'`) and two-word phrases (`'phrases'`) in the text of `role`
     * (every role when absent). Off unless asked: it cuts the text of every call of both periods (up
     * to `maxCalls` each, a systematic sample beyond) — once per call, then kept in the store's
     * TermCache while the call's text is unchanged — where labels and named words are one aggregation.
     */
    discover: z
      .object({
        role: Role.optional(),
        phrases: z.boolean().default(true),
        maxCalls: z.number().int().min(10).max(100_000).default(20_000),
        /** At most this many terms and this many phrases, highest G² first. */
        limit: z.number().int().min(1).max(500).default(50),
      })
      .strict()
      .optional(),
    /** A topic needs at least this many calls in the current period. */
    minCount: z.number().int().min(1).default(5),
    size: z.number().int().min(1).max(1000).default(1000),
  })
  .strict();
export type HotTopicsRequest = z.input<typeof HotTopicsRequest>;

export type HotTopic = {
  source: 'tags' | 'flags' | 'words' | 'terms' | 'phrases';
  key: string;
  role?: Role;
  current: { calls: number; share: number };
  baseline: { calls: number; share: number };
  /** current share / baseline share (Infinity when new). */
  ratio: number;
  /** No baseline call had it. */
  new: boolean;
  /** Log-likelihood ratio of the 2×2 table period × has-topic, and its χ²₁ p-value. */
  g2: number;
  pValue: number;
};

export type HotTopics = {
  current: { calls: number };
  baseline: { calls: number };
  topics: HotTopic[];
  /** Discovery read a sample: how many calls of each period it cut (the shares of terms and phrases are of these). */
  sampled?: { current: number; baseline: number };
};

/** Topics whose share of calls rose, with at least `minCount` current calls, highest G² first. */
export async function hotTopics(store: CallStore, input: HotTopicsRequest): Promise<HotTopics> {
  const req = parseInput(HotTopicsRequest, input, 'hot topics request');
  if (req.labels.length === 0 && req.words.length === 0 && !req.discover) throw new CallScopeError('BAD_REQUEST', 'hot topics need labels, words or discover');
  const periodAgg = (name: string, p: { from: string; to: string }): Agg => {
    const aggs: Record<string, Agg> = {};
    for (const field of req.labels) aggs[`${name}_${field}`] = { type: 'terms', field, size: req.size };
    req.words.forEach((w, i) => {
      aggs[`${name}_word${i}`] = { type: 'filter', filter: { text: { words: w.word, ...(w.role ? { role: w.role } : {}) } } };
    });
    return { type: 'filter', filter: { dates: { recordedAt: { gte: p.from, lt: p.to } } }, aggs };
  };
  const result = await store.aggregate({ filter: req.filter, aggs: { current: periodAgg('current', req.current), baseline: periodAgg('baseline', req.baseline) } });
  const current = asFilter(result.aggs.current);
  const baseline = asFilter(result.aggs.baseline);
  const n1 = current.count;
  const n0 = baseline.count;

  const candidates: Candidate[] = [];
  for (const field of req.labels) {
    const base = new Map(asTerms(baseline.aggs[`baseline_${field}`]).buckets.map((b) => [b.key, b.count]));
    for (const b of asTerms(current.aggs[`current_${field}`]).buckets) candidates.push({ source: field, key: b.key, a: b.count, b: base.get(b.key) ?? 0 });
  }
  req.words.forEach((w, i) => {
    candidates.push({
      source: 'words',
      key: w.word,
      ...(w.role ? { role: w.role } : {}),
      a: asFilter(current.aggs[`current_word${i}`]).count,
      b: asFilter(baseline.aggs[`baseline_word${i}`]).count,
    });
  });

  const topics = rising(candidates, n1, n0, req.minCount);
  let sampled: HotTopics['sampled'];
  if (req.discover) {
    const d = req.discover;
    const [cur, base] = await Promise.all([
      periodTermCounts(store, req.filter, req.current, d.role, d.maxCalls),
      periodTermCounts(store, req.filter, req.baseline, d.role, d.maxCalls),
    ]);
    if (cur.calls < cur.total || base.calls < base.total) sampled = { current: cur.calls, baseline: base.calls };
    const found = (source: 'terms' | 'phrases', now: Map<string, number>, before: Map<string, number>) => {
      const list = [...now].map(([key, a]) => ({ source, key, ...(d.role ? { role: d.role } : {}), a, b: before.get(key) ?? 0 }));
      return rising(list, cur.calls, base.calls, req.minCount).sort(byG2).slice(0, d.limit);
    };
    topics.push(...found('terms', cur.terms, base.terms));
    if (d.phrases) topics.push(...found('phrases', cur.phrases, base.phrases));
  }
  topics.sort(byG2);
  return { current: { calls: n1 }, baseline: { calls: n0 }, topics, ...(sampled ? { sampled } : {}) };
}

type Candidate = { source: HotTopic['source']; key: string; role?: Role; a: number; b: number };

const byG2 = (x: HotTopic, y: HotTopic) => y.g2 - x.g2 || x.key.localeCompare(y.key) || x.source.localeCompare(y.source);

/** Candidates held by `a` of `n1` current and `b` of `n0` baseline calls whose share rose, with at least `minCount` current calls. */
function rising(candidates: Candidate[], n1: number, n0: number, minCount: number): HotTopic[] {
  const topics: HotTopic[] = [];
  for (const c of candidates) {
    if (c.a < minCount || n0 === 0 || c.a / n1 <= c.b / n0) continue;
    const g = gSquared2x2(c.a, n1 - c.a, c.b, n0 - c.b);
    topics.push({
      source: c.source,
      key: c.key,
      ...(c.role ? { role: c.role } : {}),
      current: { calls: c.a, share: c.a / n1 },
      baseline: { calls: c.b, share: c.b / n0 },
      ratio: c.b === 0 ? Infinity : c.a / n1 / (c.b / n0),
      new: c.b === 0,
      g2: g.statistic,
      pValue: g.pValue,
    });
  }
  return topics;
}

function asFilter(r: AggResult | undefined): Extract<AggResult, { type: 'filter' }> {
  if (r?.type !== 'filter') throw new CallScopeError('INTERNAL', 'hot topics: the store returned no filter aggregation');
  return r;
}

function asTerms(r: AggResult | undefined): Extract<AggResult, { type: 'terms' }> {
  if (r?.type !== 'terms') throw new CallScopeError('INTERNAL', 'hot topics: the store returned no terms aggregation');
  return r;
}
