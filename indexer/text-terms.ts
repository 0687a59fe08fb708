import type { CallDoc, Role, Segment } from '../core/schemas.ts';
import type { SegmentMatch } from './call-store.ts';
import type { TextQuery } from './query-model.ts';

/** How a store cuts text into words: `index` for stored segments (with sub-words), `query` for what a user typed. */
export type Tokenizer = { index(text: string): string[]; query(text: string): string[] };

/**
 * The terms both engines index and match: jieba words, lower-cased, split at anything that is not a
 * letter or digit — exactly what FTS5's unicode61 (diacritics kept) and Elasticsearch's whitespace
 * tokenizer + lowercase filter then see in the space-joined string.
 */
export function normaliseTerms(words: string[]): string[] {
  const out: string[] = [];
  const kinds = (charKinds ??= charKindTable());
  for (const w of words) {
    // By code unit: a word of CJK ideographs, ASCII letters and digits (and breaks between them) is
    // cut here; any other letter or digit sends the whole word through the regex path.
    const mark = out.length;
    let start = -1;
    let upper = false;
    let i = 0;
    for (; i < w.length; i++) {
      const kind = kinds[w.charCodeAt(i)]!;
      if (kind === BREAK) {
        if (start >= 0) out.push(upper ? w.slice(start, i).toLowerCase() : w.slice(start, i));
        start = -1;
        upper = false;
      } else if (kind === OTHER) break;
      else {
        if (start < 0) start = i;
        if (kind === UPPER) upper = true;
      }
    }
    if (i < w.length) {
      out.length = mark;
      normaliseWord(w, out);
    } else if (start >= 0) {
      const t = start === 0 ? w : w.slice(start);
      out.push(upper ? t.toLowerCase() : t);
    }
  }
  return out;
}

/** The general path (and the definition the fast one must agree with): lower-case, split at every non-letter, non-digit. */
function normaliseWord(w: string, out: string[]): void {
  if (WHOLE_TERM.test(w)) out.push(w.toLowerCase());
  else for (const t of w.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (t.length > 0) out.push(t);
}
const WHOLE_TERM = /^[\p{L}\p{N}]+$/u;

/** Code unit kinds: a break (no letter or digit), kept as is, A–Z, or anything the regex path must decide. */
const BREAK = 0;
const KEEP = 1;
const UPPER = 2;
const OTHER = 3;
let charKinds: Uint8Array | undefined;
function charKindTable(): Uint8Array {
  const kinds = new Uint8Array(0x10000).fill(OTHER);
  const letterOrDigit = /[\p{L}\p{N}]/u;
  for (let c = 0; c < 0x80; c++) kinds[c] = c >= 0x41 && c <= 0x5a ? UPPER : letterOrDigit.test(String.fromCharCode(c)) ? KEEP : BREAK;
  // CJK Unified Ideographs (all letters, without case).
  for (let c = 0x4e00; c <= 0x9fff; c++) if (letterOrDigit.test(String.fromCharCode(c))) kinds[c] = KEEP;
  // Full-width and CJK punctuation that is no letter or digit.
  for (const [from, to] of [[0x2000, 0x206f], [0x3000, 0x303f], [0xff00, 0xffef]] as const) {
    for (let c = from; c <= to; c++) if (!letterOrDigit.test(String.fromCharCode(c))) kinds[c] = BREAK;
  }
  return kinds;
}

export const indexTerms = (tokenizer: Pick<Tokenizer, 'index'>, text: string): string[] => normaliseTerms(tokenizer.index(text));
export const queryTerms = (tokenizer: Tokenizer, text: string): string[] => normaliseTerms(tokenizer.query(text));

export type TextLeaf = { kind: 'words' | 'phrase'; terms: string[]; role: Role | undefined };

/** The leaves of a text query that must be present (outside any `not`): they decide which segments are shown. */
export function positiveLeaves(q: TextQuery, tokenizer: Tokenizer, negated = false): TextLeaf[] {
  if ('and' in q) return q.and.flatMap((c) => positiveLeaves(c, tokenizer, negated));
  if ('or' in q) return q.or.flatMap((c) => positiveLeaves(c, tokenizer, negated));
  if ('not' in q) return positiveLeaves(q.not, tokenizer, !negated);
  if (negated) return [];
  return [leafOf(q, tokenizer)];
}

export function leafOf(q: { words: string; role?: Role | undefined } | { phrase: string; role?: Role | undefined }, tokenizer: Tokenizer): TextLeaf {
  const kind = 'words' in q ? 'words' : 'phrase';
  const terms = queryTerms(tokenizer, 'words' in q ? q.words : q.phrase);
  return { kind, terms, role: q.role };
}

function containsSequence(haystack: string[], needle: string[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Does this segment satisfy the leaf (role, then every word / the words in order)? */
export function segmentMatchesLeaf(segment: Segment, terms: string[], leaf: TextLeaf): boolean {
  if (leaf.terms.length === 0) return false;
  if (leaf.role && segment.role !== leaf.role) return false;
  if (leaf.kind === 'phrase') return containsSequence(terms, leaf.terms);
  const set = new Set(terms);
  return leaf.terms.every((t) => set.has(t));
}

/** The segments a reader should see for a text query: those satisfying one of its positive leaves. */
/** The positive leaves of a query, cut once for all the calls of a page (the same query object). */
const leavesOfQuery = new WeakMap<TextQuery, { tokenizer: Tokenizer; leaves: TextLeaf[] }>();
function cachedPositiveLeaves(q: TextQuery, tokenizer: Tokenizer): TextLeaf[] {
  const hit = leavesOfQuery.get(q);
  if (hit && hit.tokenizer === tokenizer) return hit.leaves;
  const leaves = positiveLeaves(q, tokenizer);
  leavesOfQuery.set(q, { tokenizer, leaves });
  return leaves;
}

export function matchingSegments(segments: Segment[], q: TextQuery, tokenizer: Tokenizer): Segment[] {
  const leaves = cachedPositiveLeaves(q, tokenizer);
  return segments.filter((s) => {
    // Every indexed term is a piece of the lower-cased text: a segment missing one of a leaf's
    // terms as a substring cannot match it, and is not cut by jieba at all (most segments of a page).
    const lower = s.textMasked.toLowerCase();
    const candidates = leaves.filter((leaf) => (!leaf.role || s.role === leaf.role) && leaf.terms.length > 0 && leaf.terms.every((t) => lower.includes(t)));
    if (candidates.length === 0) return false;
    const terms = indexTerms(tokenizer, s.textMasked);
    return candidates.some((leaf) => segmentMatchesLeaf(s, terms, leaf));
  });
}

/** The segments of a call that matched a text query, as search results show them (masked text). */
export function searchMatches(call: CallDoc, q: TextQuery | undefined, tokenizer: Tokenizer): SegmentMatch[] {
  if (!q) return [];
  return matchingSegments(call.segments, q, tokenizer).map((s) => ({ segmentId: s.id, role: s.role, start: s.start, end: s.end, text: s.textMasked }));
}
