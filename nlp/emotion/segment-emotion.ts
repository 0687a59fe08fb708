import { classify, type EmotionScores } from './classifier.ts';
import { EMOTION_LABELS, type EmotionLabel } from './labels.ts';

/**
 * Replies this short (对。/ 没有了。/ 好的) carry little emotion a text model can read; the model,
 * trained on Weibo posts and reviews, calls many of them angry. When the model is not confident
 * about such a reply it is neutral by rule, and it does not move the call-level summary.
 */
export const SHORT_REPLY_CHARS = 6;
export const SHORT_REPLY_MIN_CONFIDENCE = 0.6;

export type SegmentEmotion = { label: EmotionLabel; score: number; by: 'model' | 'rule'; scores: EmotionScores };

export function segmentEmotion(text: string): SegmentEmotion {
  const e = classify(text);
  const content = text.replace(/[\s\p{P}\p{S}]/gu, '');
  if (content.length <= SHORT_REPLY_CHARS && (e.label === 'neutral' || e.score < SHORT_REPLY_MIN_CONFIDENCE)) {
    return { label: 'neutral', score: 1, by: 'rule', scores: e.scores };
  }
  return { label: e.label, score: Math.round(e.score * 1000) / 1000, by: 'model', scores: e.scores };
}

export type RoleEmotionSummary = { start: string; end: string; worst: { label: string; score: number; segmentStart: number; text: string } };

function argmax(scores: EmotionScores): EmotionLabel {
  return EMOTION_LABELS.reduce((best, l) => (scores[l] > scores[best] ? l : best), 'neutral' as EmotionLabel);
}

function mean(list: EmotionScores[]): EmotionScores {
  return Object.fromEntries(EMOTION_LABELS.map((l) => [l, list.reduce((s, x) => s + x[l], 0) / list.length])) as EmotionScores;
}

/**
 * One side of the call: the emotion of its first and last third (mean scores) and its most negative
 * utterance, from the utterances that carry emotion (already classified: no second model pass).
 */
export function roleEmotion(
  items: Array<{ role: string; start: number; text: string; emotion: SegmentEmotion }>,
  role: string,
): RoleEmotionSummary | null {
  const mine = items.filter((s) => s.role === role && s.emotion.by === 'model').sort((a, b) => a.start - b.start);
  if (mine.length === 0) return null;
  const third = Math.max(1, Math.ceil(mine.length / 3));
  const badness = (s: EmotionScores) => s.negative + s.angry;
  const worst = mine.reduce((w, s) => (badness(s.emotion.scores) > badness(w.emotion.scores) ? s : w));
  return {
    start: argmax(mean(mine.slice(0, third).map((s) => s.emotion.scores))),
    end: argmax(mean(mine.slice(-third).map((s) => s.emotion.scores))),
    worst: { label: worst.emotion.label, score: worst.emotion.score, segmentStart: worst.start, text: worst.text },
  };
}
