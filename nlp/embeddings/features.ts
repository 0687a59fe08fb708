import { tokenize } from '../segmenter.ts';

/**
 * Sparse lexical features of a text: jieba words (stop-words and bare numbers dropped), Han
 * characters and Han-character bigrams (characters carry most topical signal in short titles), each feature-hashed to a signed bucket. Sign hashing makes colliding
 * features cancel in expectation instead of adding up.
 */
export interface HashedFeature {
  bucket: number;
  sign: 1 | -1;
  /** Raw term frequency in the text. */
  tf: number;
}

const HAN_RUN = /\p{Script=Han}+/gu;
const NUMBER = /^[\d.,%]+$/;

/** NFKC folds full-width forms; lowercase because users, ASR and vendors disagree on case. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 units, seeded by the feature kind, then a murmur finaliser. */
export function hashFeature(kind: number, s: string): number {
  let h = (0x811c9dc5 ^ Math.imul(kind + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

export const WORD = 0;
export const BIGRAM = 1;
export const CHAR = 2;

/** Distinct full hashes of a text's features with their counts. */
export function featureCounts(text: string, stopwords: ReadonlySet<string>): Map<number, number> {
  const counts = new Map<number, number>();
  const add = (h: number) => counts.set(h, (counts.get(h) ?? 0) + 1);
  const t = normalizeText(text);
  for (const w of tokenize(t)) {
    if (stopwords.has(w) || NUMBER.test(w)) continue;
    add(hashFeature(WORD, w));
  }
  for (const m of t.matchAll(HAN_RUN)) {
    const run = m[0];
    for (const ch of run) add(hashFeature(CHAR, ch));
    for (let i = 0; i + 1 < run.length; i++) add(hashFeature(BIGRAM, run.slice(i, i + 2)));
  }
  return counts;
}

export function hashedFeatures(text: string, stopwords: ReadonlySet<string>, buckets: number): HashedFeature[] {
  const mask = buckets - 1;
  const out: HashedFeature[] = [];
  for (const [h, tf] of featureCounts(text, stopwords)) {
    out.push({ bucket: h & mask, sign: h >>> 31 ? -1 : 1, tf });
  }
  return out;
}

/** Sublinear term frequency. */
export const sublinearTf = (tf: number) => 1 + Math.log(tf);
