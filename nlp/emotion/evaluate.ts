import { CORPORA, EMOTION_CORPUS, type CorpusName, type Item } from './corpora.ts';
import { unhappiness, type EmotionLabel } from './labels.ts';
import { classificationMetrics } from './metrics.ts';

export type Scorer = (text: string) => Record<EmotionLabel, number>;
export type CorpusResult = { corpus: CorpusName; n: number; accuracy: number; macroF1: number };

/**
 * Binary sentiment sets are scored as positive vs (negative + angry), neutral left out of the decision;
 * SMP2020 is scored on the four mapped labels by argmax.
 */
export function predictFor(corpus: CorpusName, scores: Record<EmotionLabel, number>): EmotionLabel {
  if (corpus !== EMOTION_CORPUS) return scores.positive >= unhappiness(scores) ? 'positive' : 'negative';
  let best: EmotionLabel = 'neutral';
  for (const [label, p] of Object.entries(scores) as Array<[EmotionLabel, number]>) if (p > scores[best]) best = label;
  return best;
}

export function evaluate(items: Item[], scorer: Scorer): CorpusResult[] {
  const results: CorpusResult[] = [];
  for (const corpus of CORPORA) {
    const part = items.filter((i) => i.corpus === corpus);
    if (!part.length) continue;
    const predicted = part.map((i) => predictFor(corpus, scorer(i.text)));
    results.push({ corpus, ...classificationMetrics(part.map((i) => i.label), predicted) });
  }
  return results;
}
