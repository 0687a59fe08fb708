import { Client, errors } from '@elastic/elasticsearch';
import type { z } from 'zod';
import { CallScopeError, messageOf } from '../core/errors.ts';
import { CallDoc } from '../core/schemas.ts';
import { bySimilarity, listPage, MAX_REFS, searchPage, segmentKnnHit, type CallQuery, type CallRef, type CallStore, type Grade, type KnnHit, type Page, type QueryPage, type SearchHit, type SearchQuery, type SegmentKnnHit } from './call-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { aggResultOf, aggsDsl, cosineOfScore, exactKnnQuery, filterDsl, knnDsl, queryBodyDsl, sortDsl, totalOfHits } from './elasticsearch/dsl.ts';
import { esDocument, esGradeUpdate } from './elasticsearch/es-document.ts';
import { indexName, indexTemplate, MAPPING_VERSION } from './elasticsearch/mapping.ts';
import { AggregateRequest, Filter as FilterSchema, KnnQuery, parseStoreInput, SegmentKnnQuery, StoreQuery, type AggregateResult, type Filter } from './query-model.ts';
import { exactSegmentKnnQuery, nearestSegmentOf, segmentKnnDsl } from './elasticsearch/segment-knn-dsl.ts';
import { searchMatches, type Tokenizer } from './text-terms.ts';

export type ElasticsearchStoreOptions = {
  url: string;
  username?: string | undefined;
  password?: string | null | undefined;
  /** The alias reads and writes go through; index versions behind it are `<alias>-v<n>`. */
  index: string;
  /**
   * When a single put/delete becomes visible to searches: 'wait_for' (default; the pipeline and
   * the contract read their own writes) or false (faster bulk loads, visible within a second).
   */
  refresh?: 'wait_for' | false;
};

type Source = { doc: CallDoc; docHash?: string };
/** Refs are read in pages of this many hits (ids and two fields each). */
const REFS_PAGE = 5000;

/**
 * The Elasticsearch engine: same query model, same results as the embedded store. Writes go to
 * the alias; `ensureIndex` installs the template and the current index version; `migrate` fills a
 * new version from the old one and swaps the alias in one atomic action (reads never stop).
 */
export class ElasticsearchCallStore implements CallStore {
  private readonly client: Client;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly opts: ElasticsearchStoreOptions,
    private readonly tokenizer: Tokenizer,
  ) {
    this.client = new Client({
      node: opts.url,
      ...(opts.password ? { auth: { username: opts.username ?? 'elastic', password: opts.password } } : {}),
      maxRetries: 3,
      requestTimeout: 60_000,
    });
  }

  private get alias(): string {
    return this.opts.index;
  }

  /** Every call goes through here: installs the template and index once, and names connection failures. */
  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      this.ready ??= this.ensureIndex();
      await this.ready;
      return await fn();
    } catch (err) {
      if (err instanceof CallScopeError) throw err;
      if (err instanceof errors.ConnectionError || err instanceof errors.TimeoutError) {
        this.ready = null;
        throw new CallScopeError('STORE_UNAVAILABLE', `Elasticsearch at ${this.opts.url} is unreachable (${what}): ${messageOf(err)}`);
      }
      if (err instanceof errors.ResponseError && err.statusCode === 400) {
        throw new CallScopeError('BAD_REQUEST', `Elasticsearch refused the ${what}: ${messageOf(err)}`);
      }
      throw new CallScopeError('STORE_FAILED', `Elasticsearch ${what} failed: ${messageOf(err)}`);
    }
  }

  /** Installs the index template and, when the alias does not exist yet, the current index version behind it. */
  async ensureIndex(): Promise<void> {
    await this.client.indices.putIndexTemplate(indexTemplate(this.alias) as never);
    if (await this.client.indices.existsAlias({ name: this.alias })) return;
    await this.client.indices.create({ index: indexName(this.alias), aliases: { [this.alias]: { is_write_index: true } } }, { ignore: [400] });
  }

  /** The index version the alias points to now. */
  async currentVersion(): Promise<number | null> {
    const res = await this.client.indices.getAlias({ name: this.alias }, { ignore: [404] });
    const names = Object.keys(res ?? {}).filter((n) => n.startsWith(`${this.alias}-v`));
    const versions = names.map((n) => Number(n.slice(`${this.alias}-v`.length))).filter(Number.isFinite);
    return versions.length ? Math.max(...versions) : null;
  }

  /**
   * Reindex without downtime: build `<alias>-v<MAPPING_VERSION>` from the version behind the alias,
   * then move the alias in one `_aliases` action. The old index is kept for the operator to delete.
   */
  async migrate(): Promise<{ from: number | null; to: number }> {
    const from = await this.currentVersion();
    if (from === MAPPING_VERSION) return { from, to: MAPPING_VERSION };
    await this.client.indices.putIndexTemplate(indexTemplate(this.alias) as never);
    const target = indexName(this.alias);
    await this.client.indices.create({ index: target }, { ignore: [400] });
    if (from !== null) {
      await this.client.reindex({ source: { index: indexName(this.alias, from) }, dest: { index: target }, wait_for_completion: true, refresh: true });
    }
    await this.client.indices.updateAliases({
      actions: [
        ...(from !== null ? [{ remove: { index: indexName(this.alias, from), alias: this.alias } }] : []),
        { add: { index: target, alias: this.alias, is_write_index: true } },
      ],
    });
    return { from, to: MAPPING_VERSION };
  }

  async put(doc: CallDoc, docHash: string): Promise<void> {
    await this.run('index', () =>
      this.client.index({ index: this.alias, id: doc.id, document: esDocument(doc, docHash, this.tokenizer), refresh: this.opts.refresh ?? 'wait_for' }),
    );
  }

  /**
   * Bulk indexing through the client's bulk helper: ~5 MB requests, two in flight (back-pressure:
   * the source is pulled only as fast as Elasticsearch accepts), 429s retried three times with a
   * wait; documents still refused are reported together as STORE_FAILED.
   */
  async putMany(docs: ReadonlyArray<{ doc: CallDoc; docHash: string }>): Promise<void> {
    if (docs.length === 0) return;
    const dropped: string[] = [];
    await this.run('bulk index', async () => {
      const stats = await this.client.helpers.bulk({
        datasource: docs as Array<{ doc: CallDoc; docHash: string }>,
        onDocument: ({ doc, docHash }) => [{ index: { _index: this.alias, _id: doc.id } }, esDocument(doc, docHash, this.tokenizer)],
        flushBytes: 5_000_000,
        concurrency: 2,
        retries: 3,
        wait: 2_000,
        refreshOnCompletion: this.opts.refresh === false ? false : this.alias,
        onDrop: (d) => dropped.push(`${d.document.doc.id}: ${d.error?.reason ?? `status ${d.status}`}`),
      });
      if (stats.aborted) throw new CallScopeError('STORE_FAILED', 'bulk indexing was aborted');
    });
    if (dropped.length) throw new CallScopeError('STORE_FAILED', `${dropped.length} of ${docs.length} calls were not indexed: ${dropped.slice(0, 3).join('; ')}`);
  }

  /** Scripted partial updates in one bulk request: 'noop' (other inputs) and 404 (absent) come back as not applied. */
  async putGrades(grades: ReadonlyArray<Grade>): Promise<string[]> {
    if (grades.length === 0) return [];
    const res = await this.run('grade update', () =>
      this.client.bulk({
        operations: grades.flatMap((g) => [{ update: { _index: this.alias, _id: g.id } }, esGradeUpdate(g)]),
        refresh: this.opts.refresh === false ? false : 'wait_for',
      }),
    );
    const notApplied: string[] = [];
    const failed: string[] = [];
    res.items.forEach((item, i) => {
      const r = item.update!;
      if (r.status === 404 || r.result === 'noop') notApplied.push(grades[i]!.id);
      else if (r.error) failed.push(`${grades[i]!.id}: ${r.error.reason ?? r.error.type}`);
    });
    if (failed.length) throw new CallScopeError('STORE_FAILED', `${failed.length} of ${grades.length} grade updates failed: ${failed.slice(0, 3).join('; ')}`);
    return notApplied;
  }

  private async source(id: string, fields: string[]): Promise<Partial<Source> | null> {
    return this.run('get', async () => {
      const res = await this.client.get<Partial<Source>>({ index: this.alias, id, _source_includes: fields }, { ignore: [404] });
      return res.found ? (res._source ?? null) : null;
    });
  }

  async get(id: string): Promise<CallDoc | null> {
    const src = await this.source(id, ['doc']);
    return src?.doc ? CallDoc.parse(src.doc) : null;
  }

  async docHash(id: string): Promise<string | null> {
    return (await this.source(id, ['docHash']))?.docHash ?? null;
  }

  async delete(id: string): Promise<void> {
    await this.run('delete', () => this.client.delete({ index: this.alias, id, refresh: this.opts.refresh ?? 'wait_for' }, { ignore: [404] }));
  }

  list(query: CallQuery): Promise<Page<CallDoc>> {
    return listPage((q) => this.query(q), query);
  }

  search(query: SearchQuery): Promise<Page<SearchHit>> {
    return searchPage((q) => this.query(q), query);
  }

  async query(input: z.input<typeof StoreQuery>): Promise<QueryPage> {
    const q = parseStoreInput(StoreQuery, input, 'query');
    const body = queryBodyDsl(q, this.tokenizer);
    const after = q.after ? decodeCursor(q.after, (body.sort as unknown[]).length) : undefined;
    const res = await this.run('search', () =>
      this.client.search<Source>({
        index: this.alias,
        ...(body as object),
        ...(after ? { search_after: after as never } : { from: q.offset ?? 0 }),
        _source: ['doc'],
      }),
    );
    const hits = res.hits.hits.slice(0, q.size);
    const items = hits.map((h) => {
      const call = CallDoc.parse(h._source!.doc);
      return { call, matches: searchMatches(call, q.filter.text, this.tokenizer) };
    });
    const last = hits[hits.length - 1];
    return { ...totalOfHits(res.hits.total, q.trackTotalHits), items, next: last && res.hits.hits.length > q.size ? encodeCursor(last.sort as unknown[]) : null };
  }

  async refs(input: Filter): Promise<CallRef[]> {
    const filter = parseStoreInput(FilterSchema, input, 'filter');
    const sort = sortDsl([{ field: 'recordedAt', order: 'asc' }]);
    const out: CallRef[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const res = await this.run('refs', () =>
        this.client.search<{ id: string; recordedAt: number | null; textHash: string }>({
          index: this.alias,
          query: filterDsl(filter, this.tokenizer) as never,
          sort: sort as never,
          size: REFS_PAGE,
          track_total_hits: false,
          _source: ['id', 'recordedAt', 'textHash'],
          ...(after ? { search_after: after as never } : {}),
        }),
      );
      for (const h of res.hits.hits) out.push({ id: h._source!.id, recordedMs: h._source!.recordedAt ?? null, textHash: h._source!.textHash });
      if (out.length > MAX_REFS) throw new CallScopeError('BAD_REQUEST', `more than ${MAX_REFS} calls match: narrow the filter`);
      if (res.hits.hits.length < REFS_PAGE) return out;
      after = res.hits.hits[res.hits.hits.length - 1]!.sort as unknown[];
    }
  }

  async aggregate(input: z.input<typeof AggregateRequest>): Promise<AggregateResult> {
    const req = parseStoreInput(AggregateRequest, input, 'aggregation request');
    const res = await this.run('aggregation', () =>
      this.client.search({ index: this.alias, size: 0, track_total_hits: true, query: filterDsl(req.filter, this.tokenizer), aggs: aggsDsl(req.aggs, this.tokenizer) as never }),
    );
    const raw = (res.aggregations ?? {}) as Record<string, Record<string, unknown>>;
    return { total: totalOf(res.hits.total), aggs: Object.fromEntries(Object.entries(req.aggs).map(([name, agg]) => [name, aggResultOf(agg, raw[name]!)])) };
  }

  async knn(input: z.input<typeof KnnQuery>): Promise<KnnHit[]> {
    const q = parseStoreInput(KnnQuery, input, 'kNN query');
    const body = q.exact ? { query: exactKnnQuery(q, this.tokenizer) } : { knn: knnDsl(q, this.tokenizer) };
    const res = await this.run('kNN search', () => this.client.search<Source>({ index: this.alias, ...(body as object), size: q.k, _source: ['doc'] }));
    // The exact script scores cosine + 1; knn scores (1 + cos) / 2.
    return res.hits.hits.map((h) => ({ call: CallDoc.parse(h._source!.doc), similarity: q.exact ? (h._score ?? 1) - 1 : cosineOfScore(h._score ?? 0) }));
  }

  async knnSegments(input: z.input<typeof SegmentKnnQuery>): Promise<SegmentKnnHit[]> {
    const q = parseStoreInput(SegmentKnnQuery, input, 'segment kNN query');
    const body = q.exact ? { query: exactSegmentKnnQuery(q, this.tokenizer) } : { knn: segmentKnnDsl(q, this.tokenizer) };
    const res = await this.run('segment kNN search', () => this.client.search<Source>({ index: this.alias, ...(body as object), size: q.k, _source: ['doc'] }));
    return res.hits.hits
      .flatMap((h) => {
        const nearest = nearestSegmentOf(h as never, q.exact);
        return nearest ? [segmentKnnHit(CallDoc.parse(h._source!.doc), nearest.offset, nearest.similarity)] : [];
      })
      .sort(bySimilarity);
  }

  async segmentVector(callId: string, segmentId: string): Promise<number[] | null> {
    type Segments = { segments?: Array<{ id: string; vector?: number[] }> };
    const res = await this.run('get', () => this.client.get<Segments>({ index: this.alias, id: callId, _source_includes: ['segments.id', 'segments.vector'] }, { ignore: [404] }));
    return (res.found && res._source?.segments?.find((s) => s.id === segmentId)?.vector) || null;
  }

  async counts(): Promise<{ calls: number; failed: number }> {
    return this.run('count', async () => {
      const [all, failed] = await Promise.all([
        this.client.count({ index: this.alias }),
        this.client.count({ index: this.alias, query: { term: { status: 'failed' } } }),
      ]);
      return { calls: all.count, failed: failed.count };
    });
  }

  /** Every document, oldest recording first, paged with search_after. */
  async *all(): AsyncIterable<CallDoc> {
    const sort = sortDsl([{ field: 'recordedAt', order: 'asc' }]);
    let after: unknown[] | undefined;
    for (;;) {
      const res = await this.run('scan', () =>
        this.client.search<Source>({ index: this.alias, query: { match_all: {} }, sort: sort as never, size: 500, _source: ['doc'], ...(after ? { search_after: after as never } : {}) }),
      );
      for (const h of res.hits.hits) yield CallDoc.parse(h._source!.doc);
      if (res.hits.hits.length < 500) return;
      after = res.hits.hits[res.hits.hits.length - 1]!.sort as unknown[];
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Deletes every index version and the template (tests). */
  async dropAll(): Promise<void> {
    // By name: clusters refuse wildcard deletes by default (action.destructive_requires_name).
    const existing = Object.keys((await this.client.indices.get({ index: `${this.alias}-v*` }, { ignore: [404] })) ?? {}).filter((n) => n.startsWith(`${this.alias}-v`));
    if (existing.length) await this.client.indices.delete({ index: existing });
    await this.client.indices.deleteIndexTemplate({ name: `${this.alias}-template` }, { ignore: [404] });
  }
}

function totalOf(total: number | { value: number } | undefined): number {
  return typeof total === 'number' ? total : (total?.value ?? 0);
}
