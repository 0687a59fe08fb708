import { describe, expect, it } from 'vitest';
import { esDocument } from '../../indexer/elasticsearch/es-document.ts';
import { indexTemplate } from '../../indexer/elasticsearch/mapping.ts';
import { exactSegmentKnnQuery, nearestSegmentOf, segmentKnnDsl } from '../../indexer/elasticsearch/segment-knn-dsl.ts';
import { SegmentKnnQuery } from '../../indexer/query-model.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { withSegmentVectors } from '../contract/segment-knn.contract.ts';
import { contractCalls } from '../contract/store-fixtures.ts';

/**
 * Golden requests for segment kNN, written by hand from Elasticsearch's reference pages: "Nested
 * kNN search" (top-level knn section over a nested dense_vector, inner_hits with _nested.offset,
 * filters over top-level fields or nested fields, each filter one or the other) and "Script score
 * query" (cosineSimilarity(params.query_vector, 'field') + 1.0 inside a nested query, score_mode max).
 */
const tokenizer = { index: searchTokens, query: tokenize };
const q = (input: unknown) => SegmentKnnQuery.parse(input);

describe('segment kNN → nested kNN over segments.vector', () => {
  it('the top-level knn section: k calls, num_candidates 10 × k (at least 100), the nearest segment as inner hit', () => {
    expect(segmentKnnDsl(q({ vector: [0, 1], k: 5 }), tokenizer)).toEqual({
      field: 'segments.vector',
      query_vector: [0, 1],
      k: 5,
      num_candidates: 100,
      inner_hits: { name: 'nearest_segment', size: 1, _source: false },
    });
  });

  it('a call filter and a role filter as two pre-filters: one over the call fields, one over the nested segment', () => {
    expect(segmentKnnDsl(q({ vector: [0, 1], k: 20, role: 'customer', filter: { terms: { branch: ['北京分行'] }, booleans: { passed: true } } }), tokenizer)).toEqual({
      field: 'segments.vector',
      query_vector: [0, 1],
      k: 20,
      num_candidates: 200,
      filter: [{ bool: { filter: [{ terms: { branch: ['北京分行'] } }, { term: { passed: true } }] } }, { term: { 'segments.role': 'customer' } }],
      inner_hits: { name: 'nearest_segment', size: 1, _source: false },
    });
  });

  it('exact: a nested script_score query (cosine + 1, never negative), best segment per call, call filter beside it', () => {
    expect(exactSegmentKnnQuery(q({ vector: [0, 1], k: 3, exact: true, role: 'agent', filter: { terms: { branch: ['北京分行'] } } }), tokenizer)).toEqual({
      bool: {
        must: [
          {
            nested: {
              path: 'segments',
              score_mode: 'max',
              query: {
                script_score: {
                  query: { bool: { filter: [{ exists: { field: 'segments.vector' } }, { term: { 'segments.role': 'agent' } }] } },
                  script: { source: "cosineSimilarity(params.query_vector, 'segments.vector') + 1.0", params: { query_vector: [0, 1] } },
                },
              },
              inner_hits: { name: 'nearest_segment', size: 1, _source: false },
            },
          },
        ],
        filter: [{ terms: { branch: ['北京分行'] } }],
      },
    });
  });

  it('reads the segment position and the cosine back from a response hit', () => {
    // The shape of a hit in the reference page's nested kNN response.
    const hit = { _id: 'c2', _score: 0.975, inner_hits: { nearest_segment: { hits: { hits: [{ _id: 'c2', _nested: { field: 'segments', offset: 2 }, _score: 0.975 }] } } } };
    expect(nearestSegmentOf(hit, false)).toEqual({ offset: 2, similarity: expect.closeTo(0.95, 10) });
    expect(nearestSegmentOf({ ...hit, inner_hits: { nearest_segment: { hits: { hits: [{ _nested: { offset: 0 }, _score: 1.7 }] } } } }, true)).toEqual({ offset: 0, similarity: expect.closeTo(0.7, 10) });
    expect(nearestSegmentOf({ _id: 'c1' } as never, false)).toBeNull();
  });

  it('maps segments.vector as a cosine dense_vector; the document keeps vectors in segments, not in doc', () => {
    const segments = (indexTemplate('a').template.mappings.properties.segments as { properties: Record<string, unknown> }).properties;
    expect(segments.vector).toEqual({ type: 'dense_vector', index: true, similarity: 'cosine', index_options: { type: 'hnsw' } });
    const call = withSegmentVectors(contractCalls[1]!, [[0, 0.8, 0.6, 0], [0, 0, 0, 0], [0, 0.95, 0.3122, 0]]);
    const d = esDocument(call, 'h', tokenizer) as { segments: Array<Record<string, unknown>>; doc: typeof call };
    expect(d.segments.map((s) => s.vector)).toEqual([[0, 0.8, 0.6, 0], undefined, [0, 0.95, 0.3122, 0]]);
    expect(d.doc.nlp!.segmentEmbeddings).toBeUndefined();
    expect(d.doc.segments).toEqual(call.segments);
  });
});
