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
  for (const w of words) {
    if (WHOLE_TERM.test(w)) out.push(w.toLowerCase());
    else for (const t of w.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (t.length > 0) out.push(t);
  }
  return out;
}
const WHOLE_TERM = /^[\p{L}\p{N}]+$/u;

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
