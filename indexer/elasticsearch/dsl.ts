import { CallScopeError } from '../../core/errors.ts';
import { cappedTotal, type Agg, type AggResult, type Filter, type KnnQuery, type LabelSet, type Sort, type StoreQuery, type TextQuery, type TotalRelation } from '../query-model.ts';
import { leafOf, type Tokenizer } from '../text-terms.ts';
import { instantMs } from '../time-zone.ts';

/**
 * The query model as Elasticsearch Query DSL. Pure functions: tests/unit/elasticsearch-dsl.test.ts
 * holds golden requests written from Elasticsearch's reference pages.
 */

export type Dsl = Record<string, unknown>;

const MATCH_ALL: Dsl = { match_all: {} };

function boolOf(filter: Dsl[], mustNot: Dsl[] = []): Dsl {
  if (filter.length === 0 && mustNot.length === 0) return MATCH_ALL;
  if (filter.length === 1 && mustNot.length === 0) return filter[0]!;
  return { bool: { ...(filter.length ? { filter } : {}), ...(mustNot.length ? { must_not: mustNot } : {}) } };
}

/** One leaf: a segment (nested document) of the role holding all the words, or the phrase. */
export function textLeafDsl(q: Parameters<typeof leafOf>[0], tokenizer: Tokenizer): Dsl {
  const leaf = leafOf(q, tokenizer);
  if (leaf.terms.length === 0) throw new CallScopeError('BAD_REQUEST', 'the search text contains no words');
  const words = leaf.terms.join(' ');
  const match: Dsl = leaf.kind === 'phrase' ? { match_phrase: { 'segments.tokens': { query: words } } } : { match: { 'segments.tokens': { query: words, operator: 'and' } } };
  const inner = leaf.role ? { bool: { filter: [{ term: { 'segments.role': leaf.role } }, match] } } : match;
  return { nested: { path: 'segments', query: inner } };
}

export function textDsl(q: TextQuery, tokenizer: Tokenizer): Dsl {
  if ('and' in q) return { bool: { filter: q.and.map((c) => textDsl(c, tokenizer)) } };
  if ('or' in q) return { bool: { should: q.or.map((c) => textDsl(c, tokenizer)), minimum_should_match: 1 } };
  if ('not' in q) return { bool: { must_not: [textDsl(q.not, tokenizer)] } };
  return textLeafDsl(q, tokenizer);
}

function labelDsl(field: 'tags' | 'flags', set: LabelSet): { filter: Dsl[]; mustNot: Dsl[] } {
  const filter: Dsl[] = [];
  if (set.any) filter.push({ terms: { [field]: set.any } });
  for (const v of set.all ?? []) filter.push({ term: { [field]: v } });
  return { filter, mustNot: set.none ? [{ terms: { [field]: set.none } }] : [] };
}

export function filterDsl(f: Filter, tokenizer: Tokenizer): Dsl {
  const filter: Dsl[] = [];
  const mustNot: Dsl[] = [];
  if (f.ids) filter.push({ terms: { id: f.ids } });
  for (const [field, values] of Object.entries(f.terms ?? {})) if (values?.length) filter.push({ terms: { [field]: values } });
  for (const [field, set] of [['tags', f.tags], ['flags', f.flags]] as const) {
    if (!set) continue;
    const l = labelDsl(field, set);
    filter.push(...l.filter);
    mustNot.push(...l.mustNot);
  }
  for (const cp of f.checkpoints ?? []) filter.push({ terms: { [`checkpoint.${cp.checkpointId}`]: cp.outcome } });
  for (const [field, r] of Object.entries(f.ranges ?? {})) if (r) filter.push({ range: { [field]: r } });
  for (const [field, r] of Object.entries(f.dates ?? {})) {
    if (!r) continue;
    filter.push({ range: { [field]: { ...(r.gte !== undefined ? { gte: instantMs(r.gte) } : {}), ...(r.lt !== undefined ? { lt: instantMs(r.lt) } : {}), format: 'epoch_millis' } } });
  }
  for (const [field, b] of Object.entries(f.booleans ?? {})) if (b !== undefined) filter.push({ term: { [field]: b } });
  for (const [key, cond] of Object.entries(f.custom ?? {})) {
    filter.push(Array.isArray(cond) ? { terms: { [`custom.${key}`]: cond } } : { range: { [`custom.${key}`]: cond } });
  }
  if (f.text) filter.push(textDsl(f.text, tokenizer));
  for (const n of f.not ?? []) mustNot.push(filterDsl(n, tokenizer));
  return boolOf(filter, mustNot);
}

/** The search body of a page of `query` (without the cursor): filter, sort, one extra hit to know if there is a next page, total tracked up to the cap. */
export function queryBodyDsl(q: StoreQuery, tokenizer: Tokenizer): Dsl {
  return { query: filterDsl(q.filter, tokenizer), sort: sortDsl(q.sort), size: q.size + 1, track_total_hits: q.trackTotalHits };
}

/** hits.total (an object since 7.0: value and relation 'eq' | 'gte') in the query model's terms, capped like the embedded engine. */
export function totalOfHits(total: number | { value: number; relation?: string } | undefined, cap: number | true): { total: number; totalRelation: TotalRelation } {
  if (typeof total === 'number') return cappedTotal(total, cap);
  if (total?.relation === 'gte') return { total: total.value, totalRelation: 'gte' };
  return cappedTotal(total?.value ?? 0, cap);
}

/** Field sort with missing values last, then id: the embedded store's order. */
export function sortDsl(sort: Sort[]): Dsl[] {
  return [...sort.map((s) => ({ [s.field]: { order: s.order, missing: '_last' } })), { id: { order: 'asc' } }];
}

const termsField = (field: string) =>
  field.startsWith('checkpoint:') ? `checkpoint.${field.slice('checkpoint:'.length)}` : field.startsWith('custom:') ? `custom.${field.slice('custom:'.length)}` : field;

export function aggsDsl(aggs: Record<string, Agg>, tokenizer: Tokenizer): Dsl {
  return Object.fromEntries(Object.entries(aggs).map(([name, agg]) => [name, aggDsl(agg, tokenizer)]));
}

function aggDsl(agg: Agg, tokenizer: Tokenizer): Dsl {
  const sub = 'aggs' in agg && agg.aggs ? { aggs: aggsDsl(agg.aggs, tokenizer) } : {};
  switch (agg.type) {
    case 'terms':
      return { terms: { field: termsField(agg.field), size: agg.size, order: [{ _count: 'desc' }, { _key: 'asc' }] }, ...sub };
    case 'date_histogram':
      return { date_histogram: { field: agg.field, calendar_interval: agg.interval, time_zone: agg.timeZone, format: 'yyyy-MM-dd', min_doc_count: 1 }, ...sub };
    case 'filter':
      return { filter: filterDsl(agg.filter, tokenizer), ...sub };
    case 'stats':
      return { extended_stats: { field: agg.field } };
    case 'percentiles':
      return { percentiles: { field: agg.field, percents: agg.percents } };
  }
}

type EsBucket = { key: string | number; key_as_string?: string; doc_count: number } & Record<string, unknown>;

/** An Elasticsearch aggregation response in the query model's shape. */
export function aggResultOf(agg: Agg, raw: Record<string, unknown>): AggResult {
  const children = (bucket: Record<string, unknown>) =>
    Object.fromEntries(Object.entries('aggs' in agg && agg.aggs ? agg.aggs : {}).map(([name, child]) => [name, aggResultOf(child, bucket[name] as Record<string, unknown>)]));
  switch (agg.type) {
    case 'terms': {
      const buckets = (raw.buckets as EsBucket[]).map((b) => ({ key: typeof b.key === 'number' && b.key_as_string !== undefined ? b.key_as_string : String(b.key), count: b.doc_count, aggs: children(b) }));
      return { type: 'terms', buckets, otherCount: Number(raw.sum_other_doc_count ?? 0) };
    }
    case 'date_histogram':
      return {
        type: 'date_histogram',
        buckets: (raw.buckets as EsBucket[]).map((b) => ({ key: Number(b.key), keyAsString: String(b.key_as_string), count: b.doc_count, aggs: children(b) })),
      };
    case 'filter':
      return { type: 'filter', count: Number(raw.doc_count), aggs: children(raw) };
    case 'stats': {
      const count = Number(raw.count ?? 0);
      return {
        type: 'stats',
        count,
        min: count ? Number(raw.min) : null,
        max: count ? Number(raw.max) : null,
        avg: count ? Number(raw.avg) : null,
        sum: Number(raw.sum ?? 0),
        sumOfSquares: count ? Number(raw.sum_of_squares ?? 0) : 0,
      };
    }
    case 'percentiles': {
      const values = (raw.values ?? {}) as Record<string, number | null>;
      const byNumber = new Map(Object.entries(values).map(([k, v]) => [Number(k), v]));
      return { type: 'percentiles', values: Object.fromEntries(agg.percents.map((p) => [String(p), byNumber.get(p) ?? null])) };
    }
  }
}

/** Top-level kNN section: the filter narrows candidates before the k nearest are taken. */
export function knnDsl(q: KnnQuery, tokenizer: Tokenizer): Dsl {
  const filter = filterDsl(q.filter, tokenizer);
  return {
    field: 'embedding',
    query_vector: q.vector,
    k: q.k,
    num_candidates: Math.min(10_000, Math.max(100, q.k * 10)),
    ...(filter === MATCH_ALL ? {} : { filter }),
  };
}

/**
 * Exact kNN (the reference, `exact: true`): every call the filter keeps scored by a script —
 * Elasticsearch's documented brute-force form, cosineSimilarity + 1 (scores may not be negative).
 */
export function exactKnnQuery(q: KnnQuery, tokenizer: Tokenizer): Dsl {
  const filter = filterDsl(q.filter, tokenizer);
  return {
    script_score: {
      query: { bool: { filter: [{ exists: { field: 'embedding' } }, ...(filter === MATCH_ALL ? [] : [filter])] } },
      script: { source: "cosineSimilarity(params.query_vector, 'embedding') + 1.0", params: { query_vector: q.vector } },
    },
  };
}

/** Elasticsearch's cosine _score is (1 + cos) / 2. */
export const cosineOfScore = (score: number) => 2 * score - 1;
