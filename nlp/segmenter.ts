import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Every line carries a frequency: @node-rs/jieba loads a bare word with frequency 0 and never cuts it whole. */
export const BANKING_DICT = path.join(here, 'dict', 'banking.dict.txt');

let jieba: Jieba | undefined;

function instance(): Jieba {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    jieba.loadDict(readFileSync(BANKING_DICT));
  }
  return jieba;
}

const isWord = (t: string) => /[\p{L}\p{N}]/u.test(t);

/** Words of a text, punctuation and spaces dropped. */
export function tokenize(text: string): string[] {
  return instance().cut(text, true).filter(isWord);
}

/**
 * Words plus their dictionary sub-words (信用卡年费 → 信用 信用卡 年费 信用卡年费), for recall in
 * full-text search — punctuation and spaces included: the index's only reader, normaliseTerms
 * (indexer/text-terms.ts), drops them anyway (filtering here cost a second regex test a word).
 */
export function searchTokens(text: string): string[] {
  return instance().cutForSearch(text, true);
}

/**
 * Where jieba's words start and end in the text (UTF-16 offsets, 0 and the length included): a short
 * sound-alike match must sit on these, or 预计今天 would contain 基金 (计今, ji jin).
 */
export function wordBoundaries(text: string): Set<number> {
  const out = new Set<number>([0]);
  let at = 0;
  for (const token of instance().cut(text, true)) out.add((at += token.length));
  return out;
}
