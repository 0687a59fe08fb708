import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';

/**
 * What sends a call to the review queue, and the SLA of each workflow step. Read from a YAML or
 * JSON file (CALLSCOPE_REVIEW_RULES, default $CALLSCOPE_DATA/review-rules.yaml); every field has a
 * default, documented in docs/review.md.
 */
export const QueueRules = z
  .object({
    /** Every call a scorecard vetoed / did not pass. */
    vetoed: z.boolean().default(true),
    failed: z.boolean().default(true),
    /** Calls whose decisions rest on uncertain evidence (see confidence.ts). */
    lowConfidence: z
      .object({
        enabled: z.boolean().default(true),
        /** A lexicon hit through a sound-alike character (公号 for 工号) in a decision's evidence. */
        soundAlike: z.boolean().default(true),
        /** Evidence emotion scores this close to the cut (angry/negative at ≥ cut) are uncertain. */
        emotionCut: z.number().min(0).max(1).default(0.6),
        emotionMargin: z.number().min(0).max(1).default(0.1),
        /** Semantic evidence whose recorded similarity is this close to its threshold. */
        semanticMargin: z.number().min(0).max(1).default(0.05),
      })
      .strict()
      .default({ enabled: true, soundAlike: true, emotionCut: 0.6, emotionMargin: 0.1, semanticMargin: 0.05 }),
    /** Complaint intent: any of these machine flags, or a complaint taxonomy tag. */
    complaint: z
      .object({
        flags: z.array(z.string().min(1)).default(['complaint_threat', 'regulator_escalation']),
        complaintTags: z.boolean().default(true),
      })
      .strict()
      .default({ flags: ['complaint_threat', 'regulator_escalation'], complaintTags: true }),
    /** A reproducible random sample of each agent's other calls per ISO week. */
    sample: z
      .object({
        perAgentPerWeek: z.number().int().min(0).max(100).default(2),
        seed: z.string().min(1).default('callscope'),
        /** ISO weeks are counted in this time zone (a fixed offset like +08:00). */
        timeZoneOffset: z.string().regex(/^[+-]\d{2}:\d{2}$/, 'an offset like +08:00').default('+08:00'),
      })
      .strict()
      .default({ perAgentPerWeek: 2, seed: 'callscope', timeZoneOffset: '+08:00' }),
    /** Hours allowed for each step before it shows as overdue. */
    slaHours: z
      .object({
        review: z.number().positive().default(48),
        /** From the review to the agent's appeal: later appeals are refused. */
        appealWindow: z.number().positive().default(72),
        recommend: z.number().positive().default(24),
        ruling: z.number().positive().default(48),
      })
      .strict()
      .default({ review: 48, appealWindow: 72, recommend: 24, ruling: 48 }),
  })
  .strict();
export type QueueRules = z.infer<typeof QueueRules>;

export const defaultRules = (): QueueRules => QueueRules.parse({});

/** The rules in `file` (YAML or JSON); the defaults when the file does not exist. */
export function loadQueueRules(file: string): QueueRules {
  if (!existsSync(file)) return defaultRules();
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw new CallScopeError('CONFIG_INVALID', `${file}: not YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const r = QueueRules.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new CallScopeError('CONFIG_INVALID', `${file}: ${i.path.join('.') || 'rules'}: ${i.message}`);
  }
  return r.data;
}
