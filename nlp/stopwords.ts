import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dict', 'stopwords.txt');
let words: Set<string> | undefined;

/** Function words and fillers: dropped from hot terms and clustering, never from search. */
export function isStopword(word: string): boolean {
  words ??= new Set(
    readFileSync(FILE, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  );
  return words.has(word);
}
