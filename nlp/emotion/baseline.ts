import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';
import type { EmotionLabel } from './labels.ts';

export const DEFAULT_BASELINE_LEXICON = path.join(path.dirname(fileURLToPath(import.meta.url)), 'baseline-lexicon.yaml');

const Words = z.array(z.coerce.string().min(1)).min(1);
const BaselineLexiconFile = z.object({ version: z.coerce.string(), negators: Words, positive: Words, negative: Words, angry: Words });
type BaselineLexiconFile = z.infer<typeof BaselineLexiconFile>;

function count(text: string, words: string[], negators: string[]): { plain: number; negated: number } {
  let plain = 0;
  let negated = 0;
  for (const w of words) {
    for (let at = text.indexOf(w); at >= 0; at = text.indexOf(w, at + w.length)) {
      if (at > 0 && negators.includes(text[at - 1]!)) negated++;
      else plain++;
    }
  }
  return { plain, negated };
}

/** The word-counting baseline: no training, a fixed rule over three word lists. */
export class LexiconBaseline {
  constructor(private readonly lexicon: BaselineLexiconFile) {}

  static load(file = DEFAULT_BASELINE_LEXICON): LexiconBaseline {
    let raw: unknown;
    try {
      raw = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CallScopeError('CONFIG_INVALID', `baseline lexicon ${file}: ${(err as Error).message}`);
    }
    const parsed = BaselineLexiconFile.safeParse(raw);
    if (!parsed.success) throw new CallScopeError('CONFIG_INVALID', `baseline lexicon ${file}: ${parsed.error.issues[0]?.message}`);
    return new LexiconBaseline(parsed.data);
  }

  label(text: string): EmotionLabel {
    const { negators, positive, negative, angry } = this.lexicon;
    if (count(text, angry, negators).plain > 0) return 'angry';
    const pos = count(text, positive, negators);
    const neg = count(text, negative, negators);
    const positives = pos.plain;
    const negatives = neg.plain + pos.negated;
    if (positives > negatives) return 'positive';
    if (negatives > positives) return 'negative';
    return 'neutral';
  }

  /** One-hot scores, so the baseline runs through the same evaluation as the model. */
  scores(text: string): Record<EmotionLabel, number> {
    const label = this.label(text);
    const scores: Record<EmotionLabel, number> = { negative: 0, neutral: 0, positive: 0, angry: 0 };
    scores[label] = 1;
    return scores;
  }
}
