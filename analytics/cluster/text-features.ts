import { tokenize } from '../../nlp/segmenter.ts';
import { isStopword } from '../../nlp/stopwords.ts';

/**
 * What the clustering sees of a text. Short texts share few whole words, so the mixture model also
 * gets Han characters and character bigrams (a title about 基金 and one about 基民 share 基);
 * labels use whole jieba words only, which read as terms to a person.
 */
export type TextFeatures = {
  /** Features of the mixture model and of the TF-IDF vectors (prefixed by kind: w: word, c: Han character, b: bigram). */
  features: string[];
  /** Words for the cluster labels (c-TF-IDF). */
  words: string[];
};

const HAN_RUN = /\p{Script=Han}+/gu;
const HAN = /\p{Script=Han}/u;
const NUMBER = /^[\d.,%:/-]+$/;

/** English function words (the project's stop-word list is Chinese); written for CallScope. */
const ENGLISH_STOPWORDS = new Set(
  `a an the and or but if then so to of in on at by for with from into about as is am are was were be been being
  i me my we our you your he she it its they them their this that these those there here what which who whom
  do does did doing have has had having can could would should will shall may might must not no nor only
  just than too very also again any some all each both more most other such own same s t don't i'm i've
  it's can't didn't doesn't isn't wasn't haven't how when where why please get got`.split(/\s+/),
);

/** Not a number, a stop word or an English function word (a lone Latin letter neither). */
export function isContentWord(w: string): boolean {
  if (NUMBER.test(w) || isStopword(w) || ENGLISH_STOPWORDS.has(w)) return false;
  return HAN.test(w) || w.length > 1;
}

export function textFeatures(text: string): TextFeatures {
  const t = text.normalize('NFKC').toLowerCase();
  const words = tokenize(t).filter(isContentWord);
  const features = words.map((w) => `w:${w}`);
  const latin = words.filter((w) => !HAN.test(w));
  for (let i = 0; i + 1 < latin.length; i++) features.push(`b:${latin[i]} ${latin[i + 1]}`);
  for (const m of t.matchAll(HAN_RUN)) {
    const run = m[0];
    for (const ch of run) if (!isStopword(ch)) features.push(`c:${ch}`);
    for (let i = 0; i + 1 < run.length; i++) features.push(`b:${run.slice(i, i + 2)}`);
  }
  return { features, words: words.filter((w) => !HAN.test(w) || w.length > 1) };
}
