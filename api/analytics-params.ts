import { z } from 'zod';
import { complaintFilter, negativeEmotionRate } from '../analytics/metrics.ts';
import { Role } from '../core/schemas.ts';
import type { Filter } from '../indexer/query-model.ts';
import { KeywordField } from '../indexer/query-model.ts';

/**
 * Query-string parameters of the analysis endpoints (flat strings, as a shareable URL carries
 * them) and their translation into the store's filter. Lists are comma-separated.
 */
const day = z.iso.date({ message: 'a date is YYYY-MM-DD' });
const list = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().min(1).max(200)).min(1).max(50));
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Dimensions a call list can be narrowed by (single-valued keyword fields of the query model). */
export const FILTER_DIMENSIONS = ['branch', 'team', 'product', 'channel', 'agentId', 'region', 'customerSegment'] as const satisfies readonly KeywordField[];

export const FilterParams = z.object({
  from: day.optional().describe('first day of recording (China time), inclusive'),
  to: day.optional().describe('day after the last day of recording, exclusive'),
  branch: list.optional(),
  team: list.optional(),
  product: list.optional(),
  channel: list.optional(),
  agentId: list.optional(),
  region: list.optional(),
  customerSegment: list.optional(),
  tag: list.optional().describe('taxonomy tags, any of them'),
  flag: list.optional().describe('review flags, any of them'),
  failedCheckpoint: z.string().trim().min(1).max(100).optional().describe('the call failed this checkpoint'),
  passed: bool.optional(),
  complaint: bool.optional().describe('complaint (threat flag, escalation) or not'),
  negativeEmotion: bool.optional().describe('the customer ends the call negative or not'),
  maxScore: z.coerce.number().optional().describe('score below this (exclusive)'),
  word: z.string().trim().min(1).max(50).optional().describe('a word said in one segment (jieba words)'),
  role: Role.optional().describe('whose segment holds `word`'),
});
export type FilterParams = z.infer<typeof FilterParams>;

const NEGATIVE_LABELS = (() => {
  const m = negativeEmotionRate();
  return m.kind === 'rate' ? (m.target.terms?.customerEmotionEnd ?? []) : [];
})();

/** ANDs a filter that uses `not` into `f` without losing either's exclusions. */
function andNot(f: Filter, extra: Filter): void {
  if (extra.not) f.not = [...(f.not ?? []), ...extra.not];
}

/** The store filter of the flat parameters (without the actor's scope: see withScope). */
export function filterOfParams(p: FilterParams): Filter {
  const f: Filter = {};
  const terms: NonNullable<Filter['terms']> = {};
  for (const key of FILTER_DIMENSIONS) {
    const v = p[key];
    if (v) terms[key] = v;
  }
  if (p.negativeEmotion === true) terms.customerEmotionEnd = NEGATIVE_LABELS;
  if (Object.keys(terms).length) f.terms = terms;
  if (p.from || p.to) f.dates = { recordedAt: { ...(p.from ? { gte: p.from } : {}), ...(p.to ? { lt: p.to } : {}) } };
  if (p.tag) f.tags = { any: p.tag };
  if (p.flag) f.flags = { any: p.flag };
  if (p.failedCheckpoint) f.checkpoints = [{ checkpointId: p.failedCheckpoint, outcome: ['failed'] }];
  if (p.passed !== undefined) f.booleans = { passed: p.passed };
  if (p.maxScore !== undefined) f.ranges = { score: { lt: p.maxScore } };
  if (p.word) f.text = { words: p.word, ...(p.role ? { role: p.role } : {}) };
  if (p.complaint === true) andNot(f, complaintFilter());
  if (p.complaint === false) f.not = [...(f.not ?? []), complaintFilter()];
  if (p.negativeEmotion === false) f.not = [...(f.not ?? []), { terms: { customerEmotionEnd: NEGATIVE_LABELS } }];
  return f;
}

/** The parameters that start with `prefix.` (one cohort of a comparison), without the prefix. */
export function prefixed(query: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v;
  return out;
}

/** The parameters that carry no `x.` prefix. */
export function unprefixed(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([k]) => !k.includes('.')));
}

export const Interval = z.enum(['day', 'week', 'month']);

export const OverviewParams = FilterParams.extend({
  from: day.describe('first day of the window, a bucket start (Monday for weeks, the 1st for months)'),
  to: day.describe('day after the window, a bucket start'),
  interval: Interval.default('day'),
});

export const TrendParams = OverviewParams.extend({
  metrics: list
    .pipe(z.array(z.enum(['calls', 'avgScore', 'passRate', 'complaintRate', 'negativeEmotionRate', 'avgDuration', 'avgSilenceRatio'])))
    .optional()
    .describe('default: calls,avgScore,passRate,complaintRate,negativeEmotionRate'),
  checkpoint: z.string().trim().min(1).max(100).optional().describe('adds the failure rate of this checkpoint'),
});

export const PageParams = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
});
export const CallsParams = FilterParams.extend(PageParams.shape);

export const CompareParams = z.object({
  meanTest: z.enum(['welch', 'mann-whitney']).default('welch'),
  confidence: z.coerce.number().gt(0.5).lt(1).default(0.95),
  'a.label': z.string().trim().min(1).max(100).default('A'),
  'b.label': z.string().trim().min(1).max(100).default('B'),
});

export const TargetParams = z.object({
  target: z.enum(['complaint', 'negativeEmotion', 'failedCheckpoint', 'lowScore']).default('complaint'),
  checkpoint: z.string().trim().min(1).max(100).optional().describe('with target=failedCheckpoint'),
  threshold: z.coerce.number().default(60).describe('with target=lowScore: a score below this'),
});

export const RootCauseParams = FilterParams.extend(TargetParams.shape).extend({
  dimensions: list.pipe(z.array(z.union([KeywordField, z.enum(['tags', 'flags'])])).max(10)).optional().describe('default: branch,team,agentId,product,channel'),
  minCalls: z.coerce.number().int().min(1).default(20),
  alpha: z.coerce.number().gt(0).lt(1).default(0.05),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const ChangeParams = FilterParams.omit({ from: true, to: true })
  .extend(TargetParams.shape)
  .extend({
    dimension: KeywordField.default('branch'),
    beforeFrom: day,
    beforeTo: day,
    afterFrom: day,
    afterTo: day,
  });

export const HotTopicsParams = FilterParams.omit({ from: true, to: true }).extend({
  from: day.describe('current period, first day'),
  to: day.describe('current period, day after'),
  baselineFrom: day.optional().describe('default: the same number of days right before `from`'),
  baselineTo: day.optional().describe('default: `from`'),
  labels: list.pipe(z.array(z.enum(['tags', 'flags'])).max(2)).optional().describe('default: tags,flags'),
  words: list.optional().describe('candidate words counted in segments of `wordRole`'),
  wordRole: Role.optional().describe('whose segments hold `words` and discovered terms (default: every role)'),
  minCount: z.coerce.number().int().min(1).default(5),
  discover: bool.default(false).describe('also find rising jieba words (source terms) and word pairs (source phrases) in the masked text of `wordRole`; cuts the calls of both periods (once per call, then cached)'),
  phrases: bool.default(true).describe('with `discover`: word pairs too'),
  maxCalls: z.coerce.number().int().min(10).max(100_000).default(20_000).describe('with `discover`: calls counted per period; beyond, a systematic sample (reported as `sampled`)'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('with `discover`: at most this many terms and this many phrases'),
});
