import type { CallDoc } from '../../core/schemas.ts';
import { indexTerms, type Tokenizer } from '../text-terms.ts';
import { segmentTriples, textHashOf, type SegmentTriples } from './call-row.ts';
import { packDoc } from './doc-codec.ts';
import { SEGMENT_BREAK } from './schema.ts';

/** A call's text rows: its FTS5 row (one column a role) and its `call_words` line per segment. */
export type CallText = { agent: string; customer: string; unknown: string; words: string };

/**
 * The CPU-heavy, database-free part of writing a call: its text hash, its compressed document (packDoc) and
 * (when its text changed) its text rows from the jieba words of each segment. Computed in the
 * writing thread, or in prepare threads (prepare-pool.ts) while the writing thread inserts the previous calls.
 */
export type PreparedWrite = {
  textHash: string;
  packed: Buffer;
  /** Null when the text is the one already indexed. */
  text: CallText | null;
};

const JOIN = ` ${SEGMENT_BREAK} `;

/** The text rows of a call: each role's segments joined by SEGMENT_BREAK; one `role terms…` line a segment. */
export function callText(doc: Pick<CallDoc, 'segments'>, tokenizer: Pick<Tokenizer, 'index'>): CallText {
  return callTextOf(segmentTriples(doc), tokenizer);
}
function callTextOf(triples: SegmentTriples, tokenizer: Pick<Tokenizer, 'index'>): CallText {
  const byRole: Record<string, string[]> = { agent: [], customer: [], unknown: [] };
  const lines: string[] = [];
  for (let i = 0; i < triples.length; i += 3) {
    const role = triples[i + 1]!;
    const terms = indexTerms(tokenizer, triples[i + 2]!).join(' ');
    byRole[role]!.push(terms);
    lines.push(`${role} ${terms}`);
  }
  return { agent: byRole.agent!.join(JOIN), customer: byRole.customer!.join(JOIN), unknown: byRole.unknown!.join(JOIN), words: lines.join('\n') };
}

/**
 * Does one segment (of `role`, if given) of a call hold every term? `words` is the call's
 * `call_words` row. The FTS row only says the call's role column holds them all.
 */
export function wordsInOneSegment(words: string, role: string | null, terms: string[]): boolean {
  // Substring tests on each line (` term ` between spaces), no splitting: ~10 µs → less a candidate.
  for (let start = 0; start < words.length; ) {
    let end = words.indexOf('\n', start);
    if (end < 0) end = words.length;
    const space = words.indexOf(' ', start);
    if (role === null || (space - start === role.length && words.startsWith(role, start))) {
      const line = `${words.slice(space, end)} `;
      if (terms.every((t) => line.includes(` ${t} `))) return true;
    }
    start = end + 1;
  }
  return false;
}

/**
 * `serialized` is serializeDoc(doc) and `triples` segmentTriples(doc) (what the prepare threads
 * get); `indexedTextHash` the text hash the index holds for this id, if any.
 */
export function prepareWrite(
  serialized: Uint8Array,
  triples: SegmentTriples,
  dictionary: Buffer | null,
  indexedTextHash: string | null,
  tokenizer: Pick<Tokenizer, 'index'>,
): PreparedWrite {
  const textHash = textHashOf(triples);
  return { textHash, packed: packDoc(serialized, dictionary), text: textHash === indexedTextHash ? null : callTextOf(triples, tokenizer) };
}
