import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dict', 'stopwords.txt');
let words: string[] | undefined;
let lookup: Set<string> | undefined;

/**
 * CallScope's own stop words (`nlp/dict/stopwords.txt`), NFKC-normalised and lower-cased, sorted.
 * The lists in ../shared/data are dev-only resources with no licence, so nothing shipped uses them.
 */
export function stopwordList(): string[] {
  words ??= [
    ...new Set(
      readFileSync(FILE, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim().normalize('NFKC').toLowerCase())
        .filter((l) => l && !l.startsWith('#')),
    ),
  ].sort();
  return words;
}

/** Function words and fillers: dropped from hot terms and clustering, never from search. */
export function isStopword(word: string): boolean {
  lookup ??= new Set(stopwordList());
  return lookup.has(word);
}
