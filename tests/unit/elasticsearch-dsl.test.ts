import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { ElasticsearchCallStore } from '../../indexer/elasticsearch-store.ts';
import { aggResultOf, aggsDsl, cosineOfScore, exactKnnQuery, filterDsl, knnDsl, queryBodyDsl, sortDsl, totalOfHits } from '../../indexer/elasticsearch/dsl.ts';
import { esDocument, esGradeUpdate } from '../../indexer/elasticsearch/es-document.ts';
import { indexTemplate } from '../../indexer/elasticsearch/mapping.ts';
import { openStore } from '../../indexer/open-store.ts';
import { Agg, Filter, KnnQuery, StoreQuery } from '../../indexer/query-model.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { contractCalls } from '../contract/store-fixtures.ts';
import { tempDir } from '../helpers.ts';

/**
 * Golden requests: each expected body is written by hand from Elasticsearch's reference pages
 * (Query DSL: bool, terms, range, nested, match with operator, match_phrase; aggregations: terms
 * with an order array, date_histogram with calendar_interval/time_zone/format/min_doc_count,
 * filter, stats, percentiles; the search API's top-level knn section and sort with missing).
 */
const tokenizer = { index: searchTokens, query: tokenize };
const filter = (f: unknown) => filterDsl(Filter.parse(f), tokenizer);
const aggs = (a: Record<string, unknown>) => aggsDsl(Object.fromEntries(Object.entries(a).map(([k, v]) => [k, Agg.parse(v)])), tokenizer);

describe('query model → Elasticsearch Query DSL', () => {
  it('no filter is match_all; one condition stands alone', () => {
    expect(filter({})).toEqual({ match_all: {} });
    expect(filter({ terms: { branch: '上海分行' } })).toEqual({ terms: { branch: ['上海分行'] } });
  });

  it('"customer said 投诉": a nested query on the segments with a role term and an AND match', () => {
    expect(filter({ text: { words: '投诉', role: 'customer' } })).toEqual({
      nested: {
        path: 'segments',
        query: { bool: { filter: [{ term: { 'segments.role': 'customer' } }, { match: { 'segments.tokens': { query: '投诉', operator: 'and' } } }] } },
      },
    });
  });

  it('a phrase is match_phrase on the jieba words, space-joined', () => {
    expect(filter({ text: { phrase: '年费减免' } })).toEqual({ nested: { path: 'segments', query: { match_phrase: { 'segments.tokens': { query: '年费 减免' } } } } });
  });

  it('AND / OR / NOT of text leaves are bool filter / should (minimum_should_match 1) / must_not at call level', () => {
    const leaf = (w: string) => ({ nested: { path: 'segments', query: { match: { 'segments.tokens': { query: w, operator: 'and' } } } } });
    expect(filter({ text: { and: [{ words: '违约金' }, { or: [{ words: '投诉' }, { not: { words: '抱歉' } }] }] } })).toEqual({
      bool: { filter: [leaf('违约金'), { bool: { should: [leaf('投诉'), { bool: { must_not: [leaf('抱歉')] } }], minimum_should_match: 1 } }] },
    });
  });

  it('every filter kind in one bool', () => {
    expect(
      filter({
        ids: ['c1'],
        terms: { product: ['信用卡', '理财'], customerEmotionEnd: 'angry' },
        tags: { any: ['fee.annual'], all: ['a', 'b'], none: ['card.limit'] },
        flags: { any: ['complaint_threat'] },
        checkpoints: [{ checkpointId: 'greeting', outcome: 'failed' }],
        ranges: { score: { gte: 60, lt: 90 } },
        dates: { recordedAt: { gte: '2026-03-03', lt: '2026-03-10T00:00:00Z' } },
        booleans: { vetoed: true },
        custom: { queue: 'Q1', waitSec: { gt: 60 } },
        not: [{ terms: { branch: ['北京分行'] } }],
      }),
    ).toEqual({
      bool: {
        filter: [
          { terms: { id: ['c1'] } },
          { terms: { product: ['信用卡', '理财'] } },
          { terms: { customerEmotionEnd: ['angry'] } },
          { terms: { tags: ['fee.annual'] } },
          { term: { tags: 'a' } },
          { term: { tags: 'b' } },
          { terms: { flags: ['complaint_threat'] } },
          { terms: { 'checkpoint.greeting': ['failed'] } },
          { range: { score: { gte: 60, lt: 90 } } },
          // 2026-03-03 is midnight in Shanghai: 2026-03-02T16:00:00Z.
          { range: { recordedAt: { gte: 1772467200000, lt: 1773100800000, format: 'epoch_millis' } } },
          { term: { vetoed: true } },
          { terms: { 'custom.queue': ['Q1'] } },
          { range: { 'custom.waitSec': { gt: 60 } } },
        ],
        must_not: [{ terms: { tags: ['card.limit'] } }, { terms: { branch: ['北京分行'] } }],
      },
    });
  });

  it('a page: track_total_hits is the query\'s cap (10,000 by default, true for exact), one extra hit for the next page', () => {
    expect(queryBodyDsl(StoreQuery.parse({ filter: { terms: { branch: '上海分行' } }, size: 20 }), tokenizer)).toEqual({
      query: { terms: { branch: ['上海分行'] } },
      sort: [{ recordedAt: { order: 'desc', missing: '_last' } }, { id: { order: 'asc' } }],
      size: 21,
      track_total_hits: 10000,
    });
    expect(queryBodyDsl(StoreQuery.parse({ trackTotalHits: true }), tokenizer).track_total_hits).toBe(true);
    expect(queryBodyDsl(StoreQuery.parse({ trackTotalHits: 500 }), tokenizer).track_total_hits).toBe(500);
  });

  it('hits.total with relation gte stays "at least"; an exact total above the cap is capped like the embedded engine', () => {
    expect(totalOfHits({ value: 10000, relation: 'gte' }, 10000)).toEqual({ total: 10000, totalRelation: 'gte' });
    expect(totalOfHits({ value: 42, relation: 'eq' }, 10000)).toEqual({ total: 42, totalRelation: 'eq' });
    expect(totalOfHits({ value: 12000, relation: 'eq' }, 10000)).toEqual({ total: 10000, totalRelation: 'gte' });
    expect(totalOfHits({ value: 12000, relation: 'eq' }, true)).toEqual({ total: 12000, totalRelation: 'eq' });
  });

  it('sorts with missing values last, then by id', () => {
    expect(sortDsl([{ field: 'score', order: 'desc' }])).toEqual([{ score: { order: 'desc', missing: '_last' } }, { id: { order: 'asc' } }]);
  });
});

describe('aggregations → DSL', () => {
  it('terms (count desc, key asc) with a filter and stats under it', () => {
    expect(aggs({ b: { type: 'terms', field: 'branch', size: 5, aggs: { t: { type: 'filter', filter: { flags: { any: ['complaint_threat'] } } }, s: { type: 'stats', field: 'score' } } } })).toEqual({
      b: {
        terms: { field: 'branch', size: 5, order: [{ _count: 'desc' }, { _key: 'asc' }] },
        aggs: { t: { filter: { terms: { flags: ['complaint_threat'] } } }, s: { extended_stats: { field: 'score' } } },
      },
    });
  });

  it('checkpoint and custom terms address their object fields', () => {
    expect(aggs({ c: { type: 'terms', field: 'checkpoint:empathy' }, q: { type: 'terms', field: 'custom:queue', size: 3 } })).toEqual({
      c: { terms: { field: 'checkpoint.empathy', size: 10, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
      q: { terms: { field: 'custom.queue', size: 3, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
    });
  });

  it('date histogram: calendar interval in Asia/Shanghai by default, dates as yyyy-MM-dd, no empty buckets', () => {
    expect(aggs({ d: { type: 'date_histogram', interval: 'month', aggs: { p: { type: 'percentiles', field: 'durationSec', percents: [50, 95] } } } })).toEqual({
      d: {
        date_histogram: { field: 'recordedAt', calendar_interval: 'month', time_zone: 'Asia/Shanghai', format: 'yyyy-MM-dd', min_doc_count: 1 },
        aggs: { p: { percentiles: { field: 'durationSec', percents: [50, 95] } } },
      },
    });
  });

  it('one name (and one object) under several parents: each place is its own named sub-aggregation, read back per place', () => {
    const threats = { type: 'filter', filter: { flags: { any: ['complaint_threat'] } } };
    const request = { threats, b: { type: 'terms', field: 'branch', aggs: { threats } } };
    const threatsDsl = { filter: { terms: { flags: ['complaint_threat'] } } };
    expect(aggs(request)).toEqual({ threats: threatsDsl, b: { terms: { field: 'branch', size: 10, order: [{ _count: 'desc' }, { _key: 'asc' }] }, aggs: { threats: threatsDsl } } });
    const parsed = Agg.parse(request.b);
    const response = { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [{ key: '上海分行', doc_count: 2, threats: { doc_count: 1 } }, { key: '广州分行', doc_count: 2, threats: { doc_count: 0 } }] };
    expect(aggResultOf(parsed, response)).toEqual({
      type: 'terms',
      otherCount: 0,
      buckets: [
        { key: '上海分行', count: 2, aggs: { threats: { type: 'filter', count: 1, aggs: {} } } },
        { key: '广州分行', count: 2, aggs: { threats: { type: 'filter', count: 0, aggs: {} } } },
      ],
    });
    expect(aggResultOf(Agg.parse(threats), { doc_count: 2 })).toEqual({ type: 'filter', count: 2, aggs: {} });
  });

  it('reads Elasticsearch responses back into the model (buckets, other count, stats, percentile keys like "50.0")', () => {
    const agg = Agg.parse({ type: 'date_histogram', interval: 'day', aggs: { b: { type: 'terms', field: 'branch', size: 1, aggs: { s: { type: 'stats', field: 'score' } } }, p: { type: 'percentiles', field: 'score', percents: [50] } } });
    const response = {
      buckets: [
        {
          key_as_string: '2026-03-02',
          key: 1772380800000,
          doc_count: 3,
          b: {
            doc_count_error_upper_bound: 0,
            sum_other_doc_count: 1,
            buckets: [{ key: '上海分行', doc_count: 2, s: { count: 2, min: 55, max: 90, avg: 72.5, sum: 145, sum_of_squares: 11125 } }],
          },
          p: { values: { '50.0': 75 } },
        },
      ],
    };
    expect(aggResultOf(agg, response)).toEqual({
      type: 'date_histogram',
      buckets: [
        {
          key: 1772380800000,
          keyAsString: '2026-03-02',
          count: 3,
          aggs: {
            b: { type: 'terms', otherCount: 1, buckets: [{ key: '上海分行', count: 2, aggs: { s: { type: 'stats', count: 2, min: 55, max: 90, avg: 72.5, sum: 145, sumOfSquares: 11125 } } }] },
            p: { type: 'percentiles', values: { '50': 75 } },
          },
        },
      ],
    });
    expect(aggResultOf(Agg.parse({ type: 'stats', field: 'score' }), { count: 0, min: null, max: null, avg: null, sum: 0 })).toEqual({ type: 'stats', count: 0, min: null, max: null, avg: null, sum: 0, sumOfSquares: 0 });
  });
});

describe('kNN → top-level knn section', () => {
  it('k, num_candidates (10 × k, at least 100), and the filter applied during the search', () => {
    expect(knnDsl(KnnQuery.parse({ vector: [1, 0, 0], k: 5, filter: { terms: { branch: ['北京分行'] } } }), tokenizer)).toEqual({
      field: 'embedding',
      query_vector: [1, 0, 0],
      k: 5,
      num_candidates: 100,
      filter: { terms: { branch: ['北京分行'] } },
    });
    expect(knnDsl(KnnQuery.parse({ vector: [1, 0], k: 50 }), tokenizer)).toEqual({ field: 'embedding', query_vector: [1, 0], k: 50, num_candidates: 500 });
  });

  it('exact: a script_score over the calls the filter keeps (cosineSimilarity + 1)', () => {
    expect(exactKnnQuery(KnnQuery.parse({ vector: [1, 0], k: 3, exact: true, filter: { terms: { branch: ['北京分行'] } } }), tokenizer)).toEqual({
      script_score: {
        query: { bool: { filter: [{ exists: { field: 'embedding' } }, { terms: { branch: ['北京分行'] } }] } },
        script: { source: "cosineSimilarity(params.query_vector, 'embedding') + 1.0", params: { query_vector: [1, 0] } },
      },
    });
  });

  it('turns the cosine _score ((1 + cos) / 2) back into the cosine', () => {
    expect(cosineOfScore(1)).toBe(1);
    expect(cosineOfScore(0.5)).toBe(0);
    expect(cosineOfScore(0.25)).toBe(-0.5);
  });
});

describe('index template and documents', () => {
  it('keyword / double / date / nested text with a whitespace analyzer / dense_vector, one shard', () => {
    const t = indexTemplate('callscope-calls');
    expect(t.index_patterns).toEqual(['callscope-calls-v*']);
    expect(t.template.settings.analysis.analyzer.jieba_words).toEqual({ type: 'custom', tokenizer: 'whitespace', filter: ['lowercase'] });
    const p = t.template.mappings.properties as Record<string, Record<string, unknown>>;
    expect(p.branch).toEqual({ type: 'keyword' });
    expect(p.score).toEqual({ type: 'double' });
    expect(p.recordedAt!.type).toBe('date');
    expect(p.segments).toMatchObject({ type: 'nested', properties: { tokens: { type: 'text', analyzer: 'jieba_words' }, role: { type: 'keyword' } } });
    expect(p.embedding).toMatchObject({ type: 'dense_vector', similarity: 'cosine', index: true });
    expect(p.doc).toEqual({ type: 'object', enabled: false });
  });

  it('a call as an Elasticsearch document: flattened fields, outcomes per checkpoint, pre-cut words', () => {
    const d = esDocument(contractCalls[1]!, 'h2', tokenizer);
    expect(d).toMatchObject({
      id: 'c2',
      branch: '上海分行',
      score: 55,
      passed: false,
      recordedAt: Date.parse('2026-03-03T07:00:00+08:00'),
      tags: ['fee.installment', 'service.attitude'],
      flags: ['complaint_threat'],
      checkpoint: { greeting: 'failed', empathy: 'failed', risk_disclosure: 'not_applicable' },
      custom: { queue: 'Q2', waitSec: 120 },
      customerEmotionEnd: 'angry',
      embedding: [0.1, 1, 0],
    });
    expect((d.segments as Array<{ role: string; tokens: string }>)[2]).toEqual({ id: 's2', role: 'customer', tokens: '你们 客服 态度 太差 了 我 要 投诉' });
  });

  it('new grades as a scripted update (bulk update action): no-op unless the stored docHash has the same base', () => {
    const scores = contractCalls[3]!.scores;
    const u = esGradeUpdate({ id: 'c1', baseHash: 'b1', docHash: 'b1.g2', scores, scoreVersion: 'card@2' }) as { script: { lang: string; source: string; params: Record<string, unknown> } };
    expect(u.script.lang).toBe('painless');
    expect(u.script.source).toContain("ctx._source.docHash.startsWith(params.base + '.')");
    expect(u.script.source).toContain("ctx.op = 'noop'");
    expect(u.script.params).toEqual({
      base: 'b1',
      docHash: 'b1.g2',
      fields: { scorecardId: 'card', score: 40, passed: false, vetoed: true },
      checkpoint: { greeting: 'passed', empathy: 'failed', risk_disclosure: 'failed' },
      scores,
      scoreVersion: 'card@2',
    });
  });
});

describe('selecting the engine', () => {
  it('CALLSCOPE_STORE=elasticsearch needs ELASTICSEARCH_URL', () => {
    expect(() => loadConfig({ CALLSCOPE_STORE: 'elasticsearch' })).toThrow(/ELASTICSEARCH_URL/);
    expect(() => loadConfig({ CALLSCOPE_STORE: 'opensearch' })).toThrow(/CALLSCOPE_STORE/);
  });

  it('opens SQLite by default and Elasticsearch when asked', async () => {
    const tmp = tempDir();
    try {
      const sqlite = openStore(loadConfig({ CALLSCOPE_DATA: tmp.dir }));
      expect(sqlite).toBeInstanceOf(SqliteCallStore);
      await sqlite.close();
      const es = openStore(loadConfig({ CALLSCOPE_DATA: tmp.dir, CALLSCOPE_STORE: 'elasticsearch', ELASTICSEARCH_URL: 'http://127.0.0.1:9', ELASTIC_PASSWORD: 'x' }));
      expect(es).toBeInstanceOf(ElasticsearchCallStore);
      await es.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('an unreachable cluster is STORE_UNAVAILABLE, not a crash', async () => {
    // Port 9 (discard) has no listener here: the real client gets ECONNREFUSED.
    const store = new ElasticsearchCallStore({ url: 'http://127.0.0.1:9', index: 'callscope-test' }, tokenizer);
    try {
      await expect(store.get('c1')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    } finally {
      await store.close();
    }
  });
});
