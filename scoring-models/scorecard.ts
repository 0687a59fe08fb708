import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import { Role } from '../core/schemas.ts';
import { piiTypes } from '../nlp/pii/types.ts';

const Window = z
  .object({
    firstSec: z.number().positive().optional(),
    lastSec: z.number().positive().optional(),
    lastTurns: z.number().int().positive().optional(),
    firstTurns: z.number().int().positive().optional(),
  })
  .strict();

/** One operator and its filters. Later operators (semantic, silence, emotion, …) join this union. */
export const Condition = z
  .object({
    phrase: z.array(z.string().min(1)).min(1).optional(),
    regex: z
      .string()
      .min(1)
      .refine((r) => {
        try {
          new RegExp(r, 'u');
          return true;
        } catch {
          return false;
        }
      }, 'not a valid regular expression')
      .optional(),
    lexicon: z.string().min(1).optional(),
    /** With `lexicon`: only hits of this category. */
    category: z.string().min(1).optional(),
    pii: z.array(z.enum(piiTypes)).min(1).optional(),
    silence: z
      .object({
        minSec: z.number().positive().max(3600),
        /** A silence right after such a hit (e.g. the agent's 请您稍等) is announced and does not count. */
        exceptAfter: z
          .object({ lexicon: z.string().min(1), category: z.string().optional(), withinSec: z.number().positive().max(60).default(5) })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    interruption: z.object({ by: z.enum(['agent', 'customer']) }).strict().optional(),
    /** A call-level fact: the metadata field's value is one of these. */
    metadata: z.object({ field: z.string().min(1), in: z.array(z.string()).min(1) }).strict().optional(),
    /** Segments whose emotion is one of these labels. */
    emotion: z.object({ labels: z.array(z.enum(['negative', 'neutral', 'positive', 'angry'])).min(1) }).strict().optional(),
    role: Role.optional(),
    within: Window.optional(),
  })
  .strict()
  .refine(
    (c) => [c.phrase, c.regex, c.lexicon, c.pii, c.silence, c.interruption, c.metadata, c.emotion].filter((x) => x !== undefined).length === 1,
    { message: 'a condition needs exactly one of phrase, regex, lexicon, pii, silence, interruption, metadata, emotion' },
  );
export type Condition = z.infer<typeof Condition>;

/** One condition, or `any` of several (their matches together). */
export const AnyCondition = z.union([Condition, z.object({ any: z.array(Condition).min(1) }).strict()]);
export type AnyCondition = z.infer<typeof AnyCondition>;

export const Checkpoint = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'ids are snake_case'),
    name: z.string().min(1),
    description: z.string().default(''),
    severity: z.enum(['轻', '中', '重']).default('中'),
    /** The human label (violation code) this checkpoint detects, for backtests: e.g. NO_CLOSING. */
    label: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'labels are UPPER_SNAKE_CASE').optional(),
    deduct: z.number().nonnegative(),
    deductEach: z.boolean().default(false),
    maxDeduct: z.number().nonnegative().optional(),
    veto: z.boolean().default(false),
    expect: z.enum(['present', 'absent']),
    when: AnyCondition,
    /** The checkpoint only applies to calls where this finds something; elsewhere it is "not applicable". */
    appliesWhen: AnyCondition.optional(),
  })
  .strict()
  .refine((c) => !c.deductEach || c.maxDeduct !== undefined, { message: 'deductEach needs maxDeduct' });
export type Checkpoint = z.infer<typeof Checkpoint>;

export const Scorecard = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    version: z.coerce.string(),
    name: z.string().min(1),
    baseScore: z.number().positive().default(100),
    passScore: z.number().nonnegative(),
    checkpoints: z.array(Checkpoint).min(1),
  })
  .strict()
  .refine((s) => new Set(s.checkpoints.map((c) => c.id)).size === s.checkpoints.length, {
    message: 'checkpoint ids must be unique',
  });
export type Scorecard = z.infer<typeof Scorecard>;

/** Parses a scorecard, naming the file and line of the first problem. */
export function parseScorecard(text: string, file = '<scorecard>'): Scorecard {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new CallScopeError('SCORECARD_INVALID', `${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  const parsed = Scorecard.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const node = doc.getIn(issue.path as Array<string | number>, true) as { range?: [number, number] } | undefined;
    const line = node?.range ? lines.linePos(node.range[0]).line : '?';
    throw new CallScopeError('SCORECARD_INVALID', `${file}:${line}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

export function loadScorecards(dir: string): Scorecard[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    throw new CallScopeError('SCORECARD_INVALID', `scorecard folder ${dir} cannot be read`);
  }
  if (files.length === 0) throw new CallScopeError('SCORECARD_INVALID', `no scorecards (*.yaml) in ${dir}`);
  return files.map((f) => parseScorecard(readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f)));
}
