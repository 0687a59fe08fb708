import type { SegmentKnnQuery } from '../query-model.ts';
import type { Tokenizer } from '../text-terms.ts';
import { filterDsl, type Dsl } from './dsl.ts';

/**
 * Segment kNN as Elasticsearch DSL. Segment vectors live in the call document's `segments` nested
 * objects (`segments.vector`): kNN over a nested dense_vector returns parent documents ranked by
 * their best passage, with the passage in inner_hits — exactly "the k calls whose nearest segment is
 * closest" — and a filter over the top-level fields or the nested `segments.role` is a pre-filter.
 * A separate segment index would need every call field copied onto each segment to filter on it,
 * and a second write per call to keep in step on update and delete.
 */

/** The nearest segment of each hit: its position in the call's `segments`, no source. */
const INNER_HITS = { name: 'nearest_segment', size: 1, _source: false };

function filtersOf(q: SegmentKnnQuery, tokenizer: Tokenizer): Dsl[] {
  const top = filterDsl(q.filter, tokenizer);
  // Each filter is either over the top-level fields or over the nested segment (Elasticsearch's rule for nested kNN).
  return [...('match_all' in top ? [] : [top]), ...(q.role ? [{ term: { 'segments.role': q.role } }] : [])];
}

/** Approximate (HNSW): the search API's top-level knn section over the nested vector. */
export function segmentKnnDsl(q: SegmentKnnQuery, tokenizer: Tokenizer): Dsl {
  const filter = filtersOf(q, tokenizer);
  return {
    field: 'segments.vector',
    query_vector: q.vector,
    k: q.k,
    num_candidates: Math.min(10_000, Math.max(100, q.k * 10)),
    ...(filter.length ? { filter } : {}),
    inner_hits: INNER_HITS,
  };
}

/**
 * Exact (the reference): a nested query scoring every segment with a script (cosineSimilarity + 1,
 * the documented form: scores may not be negative), the call scored by its best segment.
 */
export function exactSegmentKnnQuery(q: SegmentKnnQuery, tokenizer: Tokenizer): Dsl {
  const top = filterDsl(q.filter, tokenizer);
  const segment: Dsl[] = [{ exists: { field: 'segments.vector' } }, ...(q.role ? [{ term: { 'segments.role': q.role } }] : [])];
  const nested = {
    nested: {
      path: 'segments',
      score_mode: 'max',
      query: {
        script_score: {
          query: { bool: { filter: segment } },
          script: { source: "cosineSimilarity(params.query_vector, 'segments.vector') + 1.0", params: { query_vector: q.vector } },
        },
      },
      inner_hits: INNER_HITS,
    },
  };
  return 'match_all' in top ? nested : { bool: { must: [nested], filter: [top] } };
}

type InnerHits = { inner_hits?: Record<string, { hits: { hits: Array<{ _nested?: { offset: number }; _score?: number | null }> } }> };

/** The position in `segments` of a hit's nearest segment and its cosine similarity. */
export function nearestSegmentOf(hit: InnerHits, exact: boolean): { offset: number; similarity: number } | null {
  const inner = hit.inner_hits?.[INNER_HITS.name]?.hits.hits[0];
  if (!inner?._nested) return null;
  const score = inner._score ?? 0;
  // knn scores cosine as (1 + cos) / 2; the exact script adds 1.
  return { offset: inner._nested.offset, similarity: exact ? score - 1 : 2 * score - 1 };
}
