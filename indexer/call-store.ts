import { z } from 'zod';
import type { CallDoc, Role, Score } from '../core/schemas.ts';
import { CallStatus, Role as RoleSchema } from '../core/schemas.ts';
import type { AggregateRequest, AggregateResult, Filter, KnnQuery, SegmentKnnQuery, StoreQuery, TotalRelation } from './query-model.ts';

export type { Tokenizer } from './text-terms.ts';

const optionalText = z.string().trim().min(1).optional();

/** The query model every store translates. No SQL or DSL leaves indexer/. */
export const CallQuery = z.object({
  status: CallStatus.optional(),
  agentId: optionalText,
  team: optionalText,
  branch: optionalText,
  product: optionalText,
  channel: optionalText,
  minScore: z.coerce.number().optional(),
  maxScore: z.coerce.number().optional(),
  passed: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type CallQuery = z.infer<typeof CallQuery>;

export const SearchQuery = CallQuery.extend({
  q: z.string().trim().min(1, 'q (the text to search for) is required').max(200),
  role: RoleSchema.optional(),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export type SegmentMatch = { segmentId: string; role: Role; start: number; end: number; text: string };
export type SearchHit = { call: CallDoc; matches: SegmentMatch[] };
/** `totalRelation` 'gte': there are more than `total` (the count stopped at the query's trackTotalHits). */
export type Page<T> = { total: number; totalRelation?: TotalRelation; items: T[] };
/** A page of `query`: the calls, the segments that matched its text (if any), and the cursor of the next page. */
export type QueryPage = { total: number; totalRelation: TotalRelation; items: SearchHit[]; next: string | null };
export type KnnHit = { call: CallDoc; similarity: number };
/** A call and its segment nearest to the query vector (`segment.text` is the masked text). */
export type SegmentKnnHit = { call: CallDoc; segment: SegmentMatch; similarity: number };

/** A segment kNN hit from a stored call and the index of its nearest segment; hits sort by similarity, then call id. */
export function segmentKnnHit(call: CallDoc, segmentIndex: number, similarity: number): SegmentKnnHit {
  const s = call.segments[segmentIndex]!;
  return { call, segment: { segmentId: s.id, role: s.role, start: s.start, end: s.end, text: s.textMasked }, similarity };
}
export const bySimilarity = (a: { call: CallDoc; similarity: number }, b: { call: CallDoc; similarity: number }) =>
  b.similarity - a.similarity || (a.call.id < b.call.id ? -1 : a.call.id > b.call.id ? 1 : 0);

/** The document as stored for reading: segment embeddings live in the vector index only. */
export function withoutSegmentEmbeddings(doc: CallDoc): CallDoc {
  if (!doc.nlp?.segmentEmbeddings) return doc;
  const { segmentEmbeddings: _, ...nlp } = doc.nlp;
  return { ...doc, nlp };
}
/**
 * What an analysis needs to know of a call without reading its document: its id, recording time
 * (epoch ms, null when unknown) and the hash of its segment text (a cache of anything derived from
 * the text is valid while the hash is the same).
 */
export type CallRef = { id: string; recordedMs: number | null; textHash: string };
/** `refs` returns at most this many calls; more is an error asking to narrow the filter. */
export const MAX_REFS = 1_000_000;

type Query = (input: z.input<typeof StoreQuery>) => Promise<QueryPage>;

/** The HTTP API's list, the same on every engine: a `query` page of documents. */
export async function listPage(query: Query, q: CallQuery): Promise<Page<CallDoc>> {
  const page = await query({ filter: filterOfCallQuery(q), size: q.limit, offset: q.offset });
  return { total: page.total, totalRelation: page.totalRelation, items: page.items.map((h) => h.call) };
}

/** The HTTP API's search: the words of `q` in one segment (of `role`), newest recording first, on every engine. */
export async function searchPage(query: Query, q: SearchQuery): Promise<Page<SearchHit>> {
  const text = { words: q.q, ...(q.role ? { role: q.role } : {}) };
  const page = await query({ filter: { ...filterOfCallQuery(q), text }, size: q.limit, offset: q.offset });
  return { total: page.total, totalRelation: page.totalRelation, items: page.items };
}

/** The list filters of the HTTP API, in the query model. */
export function filterOfCallQuery(q: CallQuery): Filter {
  const terms: NonNullable<Filter['terms']> = {};
  if (q.status) terms.status = [q.status];
  for (const key of ['agentId', 'team', 'branch', 'product', 'channel'] as const) {
    const v = q[key];
    if (v !== undefined) terms[key] = [v];
  }
  const filter: Filter = {};
  if (Object.keys(terms).length) filter.terms = terms;
  if (q.minScore !== undefined || q.maxScore !== undefined) {
    filter.ranges = { score: { ...(q.minScore !== undefined ? { gte: q.minScore } : {}), ...(q.maxScore !== undefined ? { lte: q.maxScore } : {}) } };
  }
  if (q.passed !== undefined) filter.booleans = { passed: q.passed };
  if (q.from !== undefined || q.to !== undefined) {
    filter.dates = { recordedAt: { ...(q.from !== undefined ? { gte: q.from } : {}), ...(q.to !== undefined ? { lt: q.to } : {}) } };
  }
  return filter;
}

/** A call's new grades (see CallStore.putGrades). */
export type Grade = {
  id: string;
  baseHash: string;
  docHash: string;
  scores: Score[];
  scoreVersion: string;
  /** `JSON.stringify(scores)` when the caller has it already (the record store's copy): not serialised twice. */
  scoresJson?: string;
};

/** A document with grades stored beside it: the grades replace the ones inside. */
export function withGrade(doc: CallDoc, grade: Pick<Grade, 'scores' | 'scoreVersion'> | null | undefined): CallDoc {
  return grade ? { ...doc, scores: grade.scores, versions: { ...doc.versions, score: grade.scoreVersion } } : doc;
}

/** Whether a stored docHash was built from the inputs a grade was computed for. */
export function sameBase(storedDocHash: string | null | undefined, baseHash: string): boolean {
  return storedDocHash != null && storedDocHash.startsWith(`${baseHash}.`);
}

export interface CallStore {
  /** Inserts or replaces a call; `docHash` lets the pipeline skip unchanged documents. */
  put(doc: CallDoc, docHash: string): Promise<void>;
  /** Bulk put: the same as `put` for each document, in one write. */
  putMany(docs: ReadonlyArray<{ doc: CallDoc; docHash: string }>): Promise<void>;
  /**
   * Replaces the grades (`scores`, `versions.score`) of indexed calls without rewriting their
   * documents: a re-score touches a few rows, not every document. A grade applies only where the
   * indexed `docHash` is `<baseHash>.<anything>` — the document was built from the same transcript,
   * NLP output and metadata; the ids it did not apply to (absent, or built from other inputs) are
   * returned, for the caller to put whole.
   */
  putGrades(grades: ReadonlyArray<Grade>): Promise<string[]>;
  get(id: string): Promise<CallDoc | null>;
  docHash(id: string): Promise<string | null>;
  delete(id: string): Promise<void>;
  list(query: CallQuery): Promise<Page<CallDoc>>;
  /** Full-text search over masked segment text; hits grouped by call, best call first. */
  search(query: SearchQuery): Promise<Page<SearchHit>>;
  /** Calls matching a filter (text, metadata, tags, checkpoints, scores, emotion, dates), sorted, cursor-paged. */
  query(q: z.input<typeof StoreQuery>): Promise<QueryPage>;
  /** Every call the filter keeps as a CallRef, oldest recording first (calls without one last), ties by id; no document is read. */
  refs(filter: Filter): Promise<CallRef[]>;
  /** Terms, date histograms (calendar intervals in a time zone), filters, stats and percentiles, nested. */
  aggregate(req: z.input<typeof AggregateRequest>): Promise<AggregateResult>;
  /** The calls whose embedding is nearest (cosine) to a vector, among those the filter keeps. */
  knn(q: z.input<typeof KnnQuery>): Promise<KnnHit[]>;
  /** The calls whose segment embeddings hold the nearest utterance to a vector, best first, with that segment. */
  knnSegments(q: z.input<typeof SegmentKnnQuery>): Promise<SegmentKnnHit[]>;
  /** The stored embedding of one segment of a call (the query of "utterances like this one"), or null. */
  segmentVector(callId: string, segmentId: string): Promise<number[] | null>;
  counts(): Promise<{ calls: number; failed: number }>;
  /** Optional: prepares what the first query would otherwise build (the embedded store's DuckDB mirror). */
  warm?(): Promise<void>;
  /** Every document, oldest recording first (export, reindex). */
  all(): AsyncIterable<CallDoc>;
  close(): Promise<void>;
}
