import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';
import { checkTokens, keywordTokenVariants } from './pinyin-tokens.ts';

/**
 * What to spot. `term` is the lexicon term a hit reports (投诉); `form` is the spoken form
 * (我要投诉 is a form of 投诉). `threshold` overrides the default trigger threshold for this keyword:
 * lower finds more (and more false alarms), higher finds fewer.
 */
export const KeywordSpec = z.object({
  term: z.string().min(1),
  form: z.string().min(1),
  lexicon: z.string().min(1).optional(),
  threshold: z.number().gt(0).lt(1).optional(),
  /** sherpa-onnx's per-keyword boosting score (`:score`), default from the spotter options. */
  boost: z.number().positive().optional(),
});
export type KeywordSpec = z.infer<typeof KeywordSpec>;

export const DEFAULT_KWS_THRESHOLD = 0.25;
export const DEFAULT_KWS_BOOST = 1.0;

const lexiconDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'nlp', 'lexicons');

const LexiconTerms = z.object({
  id: z.string().min(1),
  /** The name scorecards and segment hits use (`lexicon: sensitive`); the file id when absent. */
  lexicon: z.string().min(1).optional(),
  terms: z.array(
    z.object({
      term: z.coerce.string().min(1),
      synonyms: z.array(z.coerce.string().min(1)).default([]),
      /** Optional per-term trigger threshold for keyword spotting (the NLP lexicon loader ignores it). */
      kwsThreshold: z.number().gt(0).lt(1).optional(),
    }),
  ),
});

/** Every term and synonym of the named lexicons (file ids, e.g. `sensitive-words`) as keywords, tagged with the lexicon's name (`sensitive`) as segment hits are. */
export function keywordsFromLexicons(ids: string[], dir = lexiconDir): KeywordSpec[] {
  const available = readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
  const out: KeywordSpec[] = [];
  for (const id of ids) {
    if (!available.includes(id)) {
      throw new CallScopeError('BAD_REQUEST', `no lexicon "${id}" (available: ${available.join(', ')})`);
    }
    const file = LexiconTerms.parse(parse(readFileSync(path.join(dir, `${id}.yaml`), 'utf8')));
    for (const t of file.terms) {
      for (const form of [t.term, ...t.synonyms]) {
        const spec: KeywordSpec = { term: t.term, form, lexicon: file.lexicon ?? file.id };
        if (t.kwsThreshold !== undefined) spec.threshold = t.kwsThreshold;
        out.push(spec);
      }
    }
  }
  return out;
}

/**
 * `投诉,12378#0.15,银保监会` → specs; `#t` sets that keyword's threshold. A form a lexicon knows
 * reports the lexicon's term (监管局 → 金融监管局).
 */
export function parseKeywordList(list: string, known: KeywordSpec[] = []): KeywordSpec[] {
  return list
    .split(/[,，]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const m = /^(.+?)(?:#([0-9.]+))?$/.exec(item)!;
      const form = m[1]!.trim();
      const threshold = m[2] === undefined ? undefined : Number(m[2]);
      if (threshold !== undefined && !(threshold > 0 && threshold < 1)) {
        throw new CallScopeError('BAD_REQUEST', `keyword "${item}": the threshold after # must be between 0 and 1`);
      }
      const base = known.find((k) => k.form === form);
      const spec: KeywordSpec = { term: base?.term ?? form, form };
      if (base?.lexicon) spec.lexicon = base.lexicon;
      const t = threshold ?? base?.threshold;
      if (t !== undefined) spec.threshold = t;
      return spec;
    });
}

/** Reads `tokens.txt` (`<token> <id>` per line). */
export function readTokenSet(tokensFile: string): Set<string> {
  return new Set(
    readFileSync(tokensFile, 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0])
      .filter((t): t is string => Boolean(t)),
  );
}

/**
 * The sherpa-onnx keywords text: one line per pronunciation, `tokens :boost #threshold @id`.
 * The `@` name is the spec's index, so a hit maps back to its spec exactly (forms may repeat
 * across lexicons with other terms).
 */
export function keywordsBuffer(specs: KeywordSpec[], known: ReadonlySet<string>): string {
  const lines: string[] = [];
  for (const [i, spec] of specs.entries()) {
    for (const tokens of keywordTokenVariants(spec.form)) {
      checkTokens(spec.form, tokens, known);
      let line = tokens.join(' ');
      if (spec.boost !== undefined) line += ` :${spec.boost}`;
      if (spec.threshold !== undefined) line += ` #${spec.threshold}`;
      lines.push(`${line} @k${i}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
