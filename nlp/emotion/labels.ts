import { z } from 'zod';

export const EmotionLabel = z.enum(['negative', 'neutral', 'positive', 'angry']);
export type EmotionLabel = z.infer<typeof EmotionLabel>;
export const EMOTION_LABELS = EmotionLabel.options;

/** negative and angry both count as "the customer is unhappy". */
export function unhappiness(scores: Record<EmotionLabel, number>): number {
  return scores.negative + scores.angry;
}
