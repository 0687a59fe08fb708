import { callEmotion, classify } from './classifier.ts';

/**
 * Replies this short (对。/ 没有了。/ 好的) carry little emotion a text model can read; the model,
 * trained on Weibo posts and reviews, calls many of them angry. When the model is not confident
 * about such a reply it is neutral by rule, and it does not move the call-level trajectory.
 */
export const SHORT_REPLY_CHARS = 6;
export const SHORT_REPLY_MIN_CONFIDENCE = 0.6;

export type SegmentEmotion = { label: string; score: number; by: 'model' | 'rule' };

export function segmentEmotion(text: string): SegmentEmotion {
  const e = classify(text);
  const content = text.replace(/[\s\p{P}\p{S}]/gu, '');
  if (content.length <= SHORT_REPLY_CHARS && (e.label === 'neutral' || e.score < SHORT_REPLY_MIN_CONFIDENCE)) {
    return { label: 'neutral', score: 1, by: 'rule' };
  }
  return { label: e.label, score: Math.round(e.score * 1000) / 1000, by: 'model' };
}

export type RoleEmotionSummary = { start: string; end: string; worst: { label: string; score: number; segmentStart: number; text: string } };

/** Start, end and worst emotion of one side of the call, from its utterances that carry emotion. */
export function roleEmotion(segments: Array<{ role: string; start: number; text: string }>, role: string): RoleEmotionSummary | null {
  const mine = segments.filter((s) => s.role === role && segmentEmotion(s.text).by === 'model');
  if (mine.length === 0) return null;
  const r = callEmotion(mine)[role];
  if (!r) return null;
  return {
    start: r.start.label,
    end: r.end.label,
    worst: { label: r.worst.label, score: Math.round(r.worst.score * 1000) / 1000, segmentStart: r.worst.start, text: r.worst.text },
  };
}
