import { z } from 'zod';
import type { CallDoc, Role } from '../core/schemas.ts';
import { CallStatus, Role as RoleSchema } from '../core/schemas.ts';

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
export type Page<T> = { total: number; items: T[] };

export interface CallStore {
  /** Inserts or replaces a call; `docHash` lets the pipeline skip unchanged documents. */
  put(doc: CallDoc, docHash: string): Promise<void>;
  /** Bulk put: the same as `put` for each document, in one write. */
  putMany(docs: ReadonlyArray<{ doc: CallDoc; docHash: string }>): Promise<void>;
  get(id: string): Promise<CallDoc | null>;
  docHash(id: string): Promise<string | null>;
  delete(id: string): Promise<void>;
  list(query: CallQuery): Promise<Page<CallDoc>>;
  /** Full-text search over masked segment text; hits grouped by call, best call first. */
  search(query: SearchQuery): Promise<Page<SearchHit>>;
  counts(): Promise<{ calls: number; failed: number }>;
  /** Every document, oldest recording first (export, reindex). */
  all(): AsyncIterable<CallDoc>;
  close(): Promise<void>;
}
