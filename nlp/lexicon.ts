import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import { Role, type Hit } from '../core/schemas.ts';
import { AhoCorasick } from './aho-corasick.ts';
import { foldChar, foldHomophones, soundAlikeFits } from './homophones.ts';
import { wordBoundaries } from './segmenter.ts';

const LexiconFile = z.object({
  id: z.string().min(1),
  version: z.coerce.string(),
  lexicon: z.string().min(1),
  roles: z.array(Role).min(1),
  terms: z
    .array(
      z.object({
        term: z.coerce.string().min(1),
        category: z.string().optional(),
        synonyms: z.array(z.coerce.string().min(1)).default([]),
        notFollowedBy: z.array(z.string().min(1)).default([]),
        notPrecededBy: z.array(z.string().min(1)).default([]),
      }),
    )
    .min(1),
});

type Entry = { term: string; forms: Set<string>; category: string | undefined; notFollowedBy: string[]; notPrecededBy: string[] };

/** Punctuation and spaces are dropped before matching: ASR and vendors punctuate differently. */
const IGNORED = /[\s\p{P}\p{S}]/u;

type Normalized = { text: string; chars: string[]; offsets: number[]; folded: string[] };
/** Every lexicon matches the same segment in turn: normalise it once. */
let lastNormalized: Normalized | undefined;

/** A term as matching sees it: punctuation and spaces dropped. */
export function normalizeTerm(term: string): string {
  return [...term].filter((c) => !IGNORED.test(c)).join('');
}

/**
 * The text's code points without punctuation and spaces, with each one's offset in the text (plus
 * the end), and the same code points homophone-folded (what matching compares).
 */
export function normalize(text: string): Normalized {
  if (lastNormalized?.text === text) return lastNormalized;
  const chars: string[] = [];
  const offsets: number[] = [];
  let pos = 0;
  for (const ch of text) {
    if (!IGNORED.test(ch)) {
      chars.push(ch);
      offsets.push(pos);
    }
    pos += ch.length;
  }
  offsets.push(pos);
  lastNormalized = { text, chars, offsets, folded: chars.map(foldChar) };
  return lastNormalized;
}

/** What `normalize` keeps of each UTF-16 unit (BMP text): '' when ignored, else the folded character. */
const keptByCode: Array<string | undefined> = [];

/**
 * `normalize(text).folded.join('')` without building its arrays: a quick look for whether a term can
 * match at all, about six times cheaper (scorecard phrases test every segment this way first).
 */
export function normalizedFolded(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A surrogate pair is one code point of two units: the plain path handles it.
    if (code >= 0xd800 && code <= 0xdfff) return normalize(text).folded.join('');
    let kept = keptByCode[code];
    if (kept === undefined) {
      const ch = text[i]!;
      kept = keptByCode[code] = IGNORED.test(ch) ? '' : foldChar(ch);
    }
    out += kept;
  }
  return out;
}

export class Lexicon {
  readonly id: string;
  readonly version: string;
  readonly name: string;
  readonly roles: ReadonlySet<Role>;
  readonly categories: ReadonlySet<string>;
  private readonly matcher: AhoCorasick<Entry>;

  constructor(file: z.infer<typeof LexiconFile>) {
    this.id = file.id;
    this.version = file.version;
    this.name = file.lexicon;
    this.roles = new Set(file.roles);
    this.categories = new Set(file.terms.map((t) => t.category).filter((c): c is string => c !== undefined));
    const patterns: Array<[string, Entry]> = [];
    for (const t of file.terms) {
      const forms = [t.term, ...t.synonyms].map(normalizeTerm);
      const entry = {
        term: t.term,
        forms: new Set(forms),
        category: t.category,
        notFollowedBy: t.notFollowedBy.map((x) => foldHomophones(normalizeTerm(x))),
        notPrecededBy: t.notPrecededBy.map((x) => foldHomophones(normalizeTerm(x))),
      };
      for (const form of forms) patterns.push([foldHomophones(form), entry]);
    }
    this.matcher = new AhoCorasick(patterns);
  }

  static load(file: string): Lexicon {
    let raw: unknown;
    try {
      raw = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CallScopeError('CONFIG_INVALID', `lexicon ${file} is not valid YAML: ${(err as Error).message}`);
    }
    const parsed = LexiconFile.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new CallScopeError('CONFIG_INVALID', `lexicon ${file}: ${i?.path.join('.')}: ${i?.message}`);
    }
    return new Lexicon(parsed.data);
  }

  /**
   * Hits with offsets into the original text (code units), longest match first where matches
   * overlap, so 我也没有办法 is one hit, not two.
   */
  match(text: string): Hit[] {
    const { chars, offsets, folded } = normalize(text);
    const before = (i: number) => folded.slice(0, i).join('');
    const after = (i: number) => folded.slice(i).join('');
    const raw = this.matcher
      .search(folded)
      .filter((m) => !m.value.notFollowedBy.some((f) => after(m.end).startsWith(f)))
      .filter((m) => !m.value.notPrecededBy.some((p) => before(m.start).endsWith(p)))
      .sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const taken: Array<[number, number]> = [];
    const hits: Hit[] = [];
    let boundaries: Set<number> | undefined;
    for (const m of raw) {
      if (taken.some(([s, e]) => m.start < e && m.end > s)) continue;
      const start = offsets[m.start]!;
      const end = offsets[m.end - 1]! + (chars[m.end - 1]?.length ?? 1);
      const soundAlike = !m.value.forms.has(chars.slice(m.start, m.end).join(''));
      if (soundAlike && !soundAlikeFits(start, end, () => (boundaries ??= wordBoundaries(text)))) continue;
      taken.push([m.start, m.end]);
      const hit: Hit = { lexicon: this.name, term: m.value.term, start, end };
      if (m.value.category) hit.category = m.value.category;
      if (soundAlike) hit.soundAlike = true;
      hits.push(hit);
    }
    return hits.sort((a, b) => a.start - b.start);
  }
}
