import type { Segment } from '../core/schemas.ts';

/** Call-level risk flags for the review queue; ids are a public contract (CallDoc.review.flags). */
export const FLAG_IDS = ['complaint_threat', 'regulator_escalation', 'negative_end_emotion', 'vulnerable_customer'] as const;
export type FlagId = (typeof FLAG_IDS)[number];

export type FlagInput = {
  segments: Array<Pick<Segment, 'id' | 'role' | 'hits'> & { emotion?: Segment['emotion'] }>;
  customerEmotionEnd: string | null;
};

/**
 * A mildly negative average at the end is not enough for negative_end_emotion: the emotion model
 * also reads curt but calm replies (那我再考虑考虑吧) as a little angry. The customer must also say
 * something clearly negative in the second half of their turns.
 */
export const CONFIDENT_NEGATIVE = 0.6;

function negativeLate(segments: FlagInput['segments']): boolean {
  const mine = segments.filter((s) => s.role === 'customer');
  return mine
    .slice(Math.floor(mine.length / 2))
    .some((s) => (s.emotion?.label === 'angry' || s.emotion?.label === 'negative') && s.emotion.score >= CONFIDENT_NEGATIVE);
}

const hasHit = (segments: FlagInput['segments'], lexicon: string, categories?: string[]) =>
  segments.some((s) => s.role === 'customer' && s.hits.some((h) => h.lexicon === lexicon && (!categories || categories.includes(h.category ?? ''))));

/**
 * complaint_threat: the customer threatens a complaint or escalation (投诉, 12378, regulators, media,
 * lawyers, police); regulator_escalation: to a regulator (12378 / 金融监管局 / 银保监会);
 * negative_end_emotion: the customer's last third is negative or angry, and one of the customer's
 * later turns confidently so (CONFIDENT_NEGATIVE); vulnerable_customer: the
 * customer says they are elderly or impaired.
 */
export function callFlags(input: FlagInput): FlagId[] {
  const flags: FlagId[] = [];
  if (hasHit(input.segments, 'sensitive')) flags.push('complaint_threat');
  if (hasHit(input.segments, 'sensitive', ['监管'])) flags.push('regulator_escalation');
  if ((input.customerEmotionEnd === 'negative' || input.customerEmotionEnd === 'angry') && negativeLate(input.segments)) flags.push('negative_end_emotion');
  if (hasHit(input.segments, 'vulnerable')) flags.push('vulnerable_customer');
  return flags;
}
