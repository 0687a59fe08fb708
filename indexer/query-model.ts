import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import { Role } from '../core/schemas.ts';

/**
 * The query model both stores translate (SQLite SQL in indexer/sqlite/, Elasticsearch DSL in
 * indexer/elasticsearch/). Field names are the CallDoc's, flattened; nothing here knows an engine.
 */

/** Single-valued keyword fields of a call: filters, terms aggregations. */
export const KEYWORD_FIELDS = [
  'status',
  'callId',
  'agentId',
  'agentName',
  'team',
  'branch',
  'region',
  'product',
  'channel',
  'direction',
  'customerId',
  'customerSegment',
  'language',
  'category',
  'reviewStatus',
  'scorecardId',
  'customerEmotionStart',
  'customerEmotionEnd',
  'customerEmotionWorst',
  'agentEmotionStart',
  'agentEmotionEnd',
  'agentEmotionWorst',
] as const;
export const KeywordField = z.enum(KEYWORD_FIELDS);
export type KeywordField = z.infer<typeof KeywordField>;

/** Multi-valued keyword fields: a call counts in the bucket of each of its values. */
export const LABEL_FIELDS = ['tags', 'flags'] as const;
export const LabelField = z.enum(LABEL_FIELDS);
export type LabelField = z.infer<typeof LabelField>;

/** Numeric fields: ranges, stats, percentiles, sorting. `score` is the first scorecard's total. */
export const NUMERIC_FIELDS = [
  'score',
  'durationSec',
  'silenceRatio',
  'talkRatio',
  'longestSilenceSec',
  'overlapSec',
  'agentSpeechRate',
  'customerSpeechRate',
  'agentInterruptions',
  'customerInterruptions',
  'sensitiveHits',
  'forbiddenHits',
] as const;
export const NumericField = z.enum(NUMERIC_FIELDS);
export type NumericField = z.infer<typeof NumericField>;

export const DATE_FIELDS = ['recordedAt', 'ingestedAt'] as const;
export const DateField = z.enum(DATE_FIELDS);
export type DateField = z.infer<typeof DateField>;

export const BOOLEAN_FIELDS = ['passed', 'vetoed', 'complaintEscalated'] as const;
export const BooleanField = z.enum(BOOLEAN_FIELDS);
export type BooleanField = z.infer<typeof BooleanField>;

/** A custom metadata key (meta.custom.<key>): letters, digits, _ and -. */
export const CustomKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a custom field is a letter then letters, digits, _ or -');

const text = z.string().trim().min(1);
const oneOrMany = z.union([text, z.array(text).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

/**
 * Range bounds beyond ±2^53 mean "unbounded" for every numeric field we keep; clamped so an engine
 * never sees a whole number outside a 64-bit integer (SQLite binds those as INTEGER and refuses).
 */
const bound = z.number().transform((n) => Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n)));

export const Range = z
  .object({ gte: bound.optional(), gt: bound.optional(), lte: bound.optional(), lt: bound.optional() })
  .strict()
  .refine((r) => Object.keys(r).length > 0, 'a range needs gte, gt, lte or lt');
export type Range = z.infer<typeof Range>;

const instant = z.iso.datetime({ offset: true }).or(z.iso.date());
export const DateRange = z
  .object({ gte: instant.optional(), lt: instant.optional() })
  .strict()
  .refine((r) => r.gte !== undefined || r.lt !== undefined, 'a date range needs gte or lt');
export type DateRange = z.infer<typeof DateRange>;

export const LabelSet = z
  .object({ any: z.array(text).min(1).optional(), all: z.array(text).min(1).optional(), none: z.array(text).min(1).optional() })
  .strict();
export type LabelSet = z.infer<typeof LabelSet>;

export const CheckpointOutcome = z.enum(['passed', 'failed', 'not_applicable']);
export type CheckpointOutcome = z.infer<typeof CheckpointOutcome>;

/**
 * Full text over masked segment text, matched on jieba words. A leaf is true for a call when one
 * segment (of `role`, if given) holds all its words (`words`) or the words in order (`phrase`);
 * and/or/not combine leaves at the call level ("customer said 投诉 and the agent never said 抱歉").
 */
export type TextQuery =
  | { words: string; role?: Role | undefined }
  | { phrase: string; role?: Role | undefined }
  | { and: TextQuery[] }
  | { or: TextQuery[] }
  | { not: TextQuery };
export const TextQuery: z.ZodType<TextQuery> = z.lazy(() =>
  z.union([
    z.object({ words: text.max(200), role: Role.optional() }).strict(),
    z.object({ phrase: text.max(200), role: Role.optional() }).strict(),
    z.object({ and: z.array(TextQuery).min(1).max(16) }).strict(),
    z.object({ or: z.array(TextQuery).min(1).max(16) }).strict(),
    z.object({ not: TextQuery }).strict(),
  ]),
);

const customValue = z.union([z.string(), z.number(), z.boolean()]);

/** Every condition is ANDed; `not` excludes calls matching any of its filters. */
export type Filter = {
  ids?: string[] | undefined;
  terms?: Partial<Record<KeywordField, string[]>> | undefined;
  tags?: LabelSet | undefined;
  flags?: LabelSet | undefined;
  checkpoints?: Array<{ checkpointId: string; outcome: CheckpointOutcome[] }> | undefined;
  ranges?: Partial<Record<NumericField, Range>> | undefined;
  dates?: Partial<Record<DateField, DateRange>> | undefined;
  booleans?: Partial<Record<BooleanField, boolean>> | undefined;
  custom?: Record<string, Array<string | number | boolean> | Range> | undefined;
  text?: TextQuery | undefined;
  not?: Filter[] | undefined;
};
export const Filter: z.ZodType<Filter, unknown> = z.lazy(() =>
  z
    .object({
      ids: z.array(text).min(1).max(10_000).optional(),
      terms: z.partialRecord(KeywordField, oneOrMany).optional(),
      tags: LabelSet.optional(),
      flags: LabelSet.optional(),
      checkpoints: z
        .array(z.object({ checkpointId: text, outcome: z.union([CheckpointOutcome, z.array(CheckpointOutcome).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])) }).strict())
        .optional(),
      ranges: z.partialRecord(NumericField, Range).optional(),
      dates: z.partialRecord(DateField, DateRange).optional(),
      booleans: z.partialRecord(BooleanField, z.boolean()).optional(),
      custom: z
        .record(CustomKey, z.union([Range, customValue.transform((v) => [v]), z.array(customValue).min(1)]))
        .optional(),
      text: TextQuery.optional(),
      not: z.array(Filter).min(1).optional(),
    })
    .strict(),
) as z.ZodType<Filter, unknown>;

export const SortField = z.union([NumericField, DateField]);
export type SortField = z.infer<typeof SortField>;
export const Sort = z.object({ field: SortField, order: z.enum(['asc', 'desc']).default('desc') }).strict();
export type Sort = z.infer<typeof Sort>;

/** `total` is exact up to this many calls by default; beyond it, `totalRelation` is 'gte' (Elasticsearch's track_total_hits). */
export const DEFAULT_TRACK_TOTAL_HITS = 10_000;

/** A page of calls: sorted (ties broken by id), paged by `after` (the previous page's cursor) or `offset`. */
export const StoreQuery = z
  .object({
    filter: Filter.default({}),
    sort: z.array(Sort).max(3).default([{ field: 'recordedAt', order: 'desc' }]),
    size: z.number().int().min(0).max(500).default(50),
    after: z.string().min(1).optional(),
    offset: z.number().int().min(0).max(10_000).optional(),
    /** Count the total exactly up to this many calls (`true`: always exactly; slower for common words). */
    trackTotalHits: z.union([z.literal(true), z.number().int().min(1)]).default(DEFAULT_TRACK_TOTAL_HITS),
  })
  .strict()
  .refine((q) => q.after === undefined || q.offset === undefined, 'use after or offset, not both');
export type StoreQuery = z.infer<typeof StoreQuery>;

/** Bucket by any keyword, label, checkpoint outcome (`checkpoint:<id>`) or custom (`custom:<key>`) field. */
export const TermsField = z.union([
  KeywordField,
  LabelField,
  z.string().regex(/^checkpoint:.+$/),
  z.string().regex(/^custom:[A-Za-z][A-Za-z0-9_-]{0,63}$/),
]);
export type TermsField = z.infer<typeof TermsField>;

export const CALENDAR_INTERVALS = ['day', 'week', 'month', 'quarter', 'year'] as const;

export type Agg =
  | { type: 'terms'; field: TermsField; size: number; aggs?: Record<string, Agg> | undefined }
  | {
      type: 'date_histogram';
      field: DateField;
      interval: (typeof CALENDAR_INTERVALS)[number];
      timeZone: string;
      aggs?: Record<string, Agg> | undefined;
    }
  | { type: 'filter'; filter: Filter; aggs?: Record<string, Agg> | undefined }
  | { type: 'stats'; field: NumericField }
  | { type: 'percentiles'; field: NumericField; percents: number[] };

const aggName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'an aggregation name is a letter then letters, digits or _');
export const Agg: z.ZodType<Agg, unknown> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('terms'), field: TermsField, size: z.number().int().min(1).max(1000).default(10), aggs: z.record(aggName, Agg).optional() }).strict(),
    z
      .object({
        type: z.literal('date_histogram'),
        field: DateField.default('recordedAt'),
        interval: z.enum(CALENDAR_INTERVALS),
        timeZone: z.string().default('Asia/Shanghai'),
        aggs: z.record(aggName, Agg).optional(),
      })
      .strict(),
    z.object({ type: z.literal('filter'), filter: Filter, aggs: z.record(aggName, Agg).optional() }).strict(),
    z.object({ type: z.literal('stats'), field: NumericField }).strict(),
    z
      .object({ type: z.literal('percentiles'), field: NumericField, percents: z.array(z.number().min(0).max(100)).min(1).max(20).default([1, 5, 25, 50, 75, 95, 99]) })
      .strict(),
  ]),
) as z.ZodType<Agg, unknown>;

export const AggregateRequest = z
  .object({ filter: Filter.default({}), aggs: z.record(aggName, Agg).refine((a) => Object.keys(a).length > 0, 'at least one aggregation') })
  .strict();
export type AggregateRequest = z.infer<typeof AggregateRequest>;

export type Bucket = { key: string; count: number; aggs: Record<string, AggResult> };
export type DateBucket = { key: number; keyAsString: string; count: number; aggs: Record<string, AggResult> };
export type AggResult =
  | { type: 'terms'; buckets: Bucket[]; otherCount: number }
  | { type: 'date_histogram'; buckets: DateBucket[] }
  | { type: 'filter'; count: number; aggs: Record<string, AggResult> }
  | { type: 'stats'; count: number; min: number | null; max: number | null; avg: number | null; sum: number; /** Σx²: a variance (Welch's test) without reading each call. */ sumOfSquares: number }
  | { type: 'percentiles'; values: Record<string, number | null> };
export type AggregateResult = { total: number; aggs: Record<string, AggResult> };

/** Nearest calls to a vector (cosine), among the calls the filter keeps. */
export const KnnQuery = z
  .object({
    vector: z.array(z.number()).min(2).max(4096),
    k: z.number().int().min(1).max(200).default(10),
    filter: Filter.default({}),
    /** Read every vector (the reference) instead of the approximate index. */
    exact: z.boolean().default(false),
    /** Approximate search effort on the embedded engine: the IVF lists read (as SegmentKnnQuery). */
    nprobe: z.number().int().min(1).max(4096).optional(),
  })
  .strict();
export type KnnQuery = z.infer<typeof KnnQuery>;

/**
 * Nearest utterances to a vector (cosine) over segment embeddings, among the calls the filter keeps
 * (and segments of `role`): the k calls whose nearest segment is closest, each with that segment —
 * Elasticsearch's nested kNN semantics, so both engines return the same thing. Pre-filter: every
 * hit matches the filter, and k hits come back whenever k calls match.
 */
export const SegmentKnnQuery = z
  .object({
    vector: z.array(z.number()).min(2).max(4096),
    k: z.number().int().min(1).max(200).default(10),
    filter: Filter.default({}),
    role: Role.optional(),
    /** Read every vector (the reference) instead of the approximate index. */
    exact: z.boolean().default(false),
    /**
     * Approximate search effort on the embedded engine: the IVF lists read (default 8–16 of
     * ~N/4,000; more is closer to exact and slower). Elasticsearch reads num_candidates = max(100, 10k).
     */
    nprobe: z.number().int().min(1).max(4096).optional(),
  })
  .strict();
export type SegmentKnnQuery = z.infer<typeof SegmentKnnQuery>;

/** A counted total against the cap: exact below it, "at least the cap" above it. */
export function cappedTotal(count: number, cap: number | true): { total: number; totalRelation: TotalRelation } {
  return cap !== true && count > cap ? { total: cap, totalRelation: 'gte' } : { total: count, totalRelation: 'eq' };
}
export type TotalRelation = 'eq' | 'gte';

/** Parses a store request, turning schema errors into BAD_REQUEST with the fields named. */
export function parseStoreInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new CallScopeError('BAD_REQUEST', `invalid ${what}: ${issues}`);
}
