import type { CallDoc } from '../../core/schemas.ts';
import { indexTerms, type Tokenizer } from '../text-terms.ts';
import { packJson, segmentTextHash } from './call-row.ts';

/**
 * The CPU-heavy, database-free part of writing a call: its text hash, its compressed document and
 * (when its text changed) the jieba words of each segment. Computed in the writing thread, or in
 * prepare threads (prepare-pool.ts) while the writing thread inserts the previous calls.
 */
export type PreparedWrite = {
  textHash: string;
  packed: Buffer;
  /** Space-joined index terms of each segment; null when the text is the one already indexed. */
  segmentTerms: string[] | null;
};

/** The index terms of each segment of a call, space-joined (what its FTS5 row holds). */
export function segmentTerms(doc: Pick<CallDoc, 'segments'>, tokenizer: Pick<Tokenizer, 'index'>): string[] {
  return doc.segments.map((s) => indexTerms(tokenizer, s.textMasked).join(' '));
}

/** `json` is JSON.stringify(doc); `indexedTextHash` the text hash the index holds for this id, if any. */
export function prepareWrite(doc: CallDoc, json: string, indexedTextHash: string | null, tokenizer: Pick<Tokenizer, 'index'>): PreparedWrite {
  const textHash = segmentTextHash(doc);
  return { textHash, packed: packJson(json), segmentTerms: textHash === indexedTextHash ? null : segmentTerms(doc, tokenizer) };
}
