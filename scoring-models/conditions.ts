import { RE2JS } from 're2js';
import { z } from 'zod';
import { Role } from '../core/schemas.ts';
import { piiTypes } from '../nlp/pii/types.ts';

/**
 * The condition language of scorecards: leaf operators (phrase, regex, lexicon, …) with filters,
 * combined with all / any / not / sequence / count, and named definitions used by `ref`.
 * See docs/scorecards.md for one example per operator.
 */

const Window = z
  .object({
    firstSec: z.number().positive().optional(),
    lastSec: z.number().positive().optional(),
    lastTurns: z.number().int().positive().optional(),
    firstTurns: z.number().int().positive().optional(),
  })
  .strict();

/**
 * Scorecard regexes run on RE2 (re2js): matching time is linear in the text, so a pattern that
 * would backtrack catastrophically in a JavaScript RegExp — `(a+)+$` — cannot stall scoring.
 * The price: no backreferences or lookaround, which a pattern then gets a clear error for.
 */
const Regex = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    try {
      RE2JS.compile(pattern);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a supported regular expression (RE2 syntax: no backreferences or lookaround): ${(err as Error).message}` });
    }
  });

const EMOTIONS = ['negative', 'neutral', 'positive', 'angry'] as const;

export type Window = z.infer<typeof Window>;

/** Leaf operators; exactly one per leaf. */
export const LEAF_OPERATORS = [
  'phrase',
  'regex',
  'lexicon',
  'semantic',
  'pii',
  'tag',
  'silence',
  'speechRate',
  'interruption',
  'overlap',
  'metadata',
  'emotion',
] as const;
export const COMBINATORS = ['all', 'any', 'not', 'sequence', 'count', 'ref'] as const;

export type Leaf = {
  phrase?: string[];
  regex?: string;
  lexicon?: string;
  category?: string;
  semantic?: { examples: string[]; threshold: number };
  pii?: Array<(typeof piiTypes)[number]>;
  tag?: string[];
  silence?: { minSec?: number; totalSec?: number; exceptAfter?: { lexicon: string; category?: string; withinSec: number } };
  speechRate?: { above?: number; below?: number };
  interruption?: { by: 'agent' | 'customer'; minOverlapSec?: number };
  overlap?: { minTotalSec: number };
  metadata?: { field: string; in?: string[]; min?: number; max?: number };
  emotion?: { labels: Array<(typeof EMOTIONS)[number]>; scope: 'segment' | 'end' | 'worsened'; minScore?: number };
  /** Where phrase/lexicon words are looked for: the transcript (default), the audio's keyword-spotting hits, or auto = the audio when the call has no transcript text. */
  source?: 'text' | 'audio' | 'auto';
  /** With source audio/auto: only hits whose verification score (0–1) reaches this. */
  audioMinScore?: number;
  role?: z.infer<typeof Role>;
  within?: Window;
  after?: Anchor;
  before?: Anchor;
};
/** Position relative to another match: only matches after (before) one of `match`, optionally within N s of it. */
export type Anchor = { match: Condition; withinSec?: number };

export type Condition =
  | Leaf
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { sequence: Condition[]; withinSec?: number }
  | { count: Condition; atLeast?: number; atMost?: number }
  | { ref: string };

const Anchor: z.ZodType<Anchor> = z.lazy(() => z.object({ match: Condition, withinSec: z.number().positive().max(3600).optional() }).strict());

const LeafSchema = z
  .object({
    phrase: z.array(z.string().min(1)).min(1).optional(),
    regex: Regex.optional(),
    lexicon: z.string().min(1).optional(),
    category: z.string().min(1).optional(),
    semantic: z
      .object({ examples: z.array(z.string().min(1)).min(1), threshold: z.number().gt(0, 'threshold is a cosine similarity in (0, 1]').max(1, 'threshold is a cosine similarity in (0, 1]') })
      .strict()
      .optional(),
    pii: z.array(z.enum(piiTypes)).min(1).optional(),
    tag: z.array(z.string().min(1)).min(1).optional(),
    silence: z
      .object({
        minSec: z.number().positive().max(3600).optional(),
        totalSec: z.number().positive().max(36000).optional(),
        /** A silence right after such a hit (e.g. the agent's 请您稍等) is announced and does not count. */
        exceptAfter: z
          .object({ lexicon: z.string().min(1), category: z.string().optional(), withinSec: z.number().positive().max(60).default(5) })
          .strict()
          .optional(),
      })
      .strict()
      .refine((s) => (s.minSec === undefined) !== (s.totalSec === undefined), 'silence needs exactly one of minSec (each gap) or totalSec (all gaps ≥ 3 s together)')
      .optional(),
    speechRate: z
      .object({ above: z.number().positive().max(2000).optional(), below: z.number().positive().max(2000).optional() })
      .strict()
      .refine((s) => s.above !== undefined || s.below !== undefined, 'speechRate needs above or below (characters per minute)')
      .optional(),
    interruption: z.object({ by: z.enum(['agent', 'customer']), minOverlapSec: z.number().positive().max(30).optional() }).strict().optional(),
    overlap: z.object({ minTotalSec: z.number().positive().max(3600) }).strict().optional(),
    metadata: z
      .object({ field: z.string().min(1), in: z.array(z.string()).min(1).optional(), min: z.number().optional(), max: z.number().optional() })
      .strict()
      .refine((m) => m.in !== undefined || m.min !== undefined || m.max !== undefined, 'metadata needs in (values) or min/max (a number range)')
      .optional(),
    emotion: z
      .object({
        labels: z.array(z.enum(EMOTIONS)).min(1),
        scope: z.enum(['segment', 'end', 'worsened']).default('segment'),
        /** Only segments the model labels this confidently (0–1); the short-reply rule's neutral never counts. */
        minScore: z.number().min(0, 'minScore is a probability in [0, 1]').max(1, 'minScore is a probability in [0, 1]').optional(),
      })
      .strict()
      .optional(),
    source: z.enum(['text', 'audio', 'auto']).optional(),
    audioMinScore: z.number().min(0, 'audioMinScore is a score in [0, 1]').max(1, 'audioMinScore is a score in [0, 1]').optional(),
    role: Role.optional(),
    within: Window.optional(),
    after: Anchor.optional(),
    before: Anchor.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ops = LEAF_OPERATORS.filter((k) => c[k] !== undefined);
    if (ops.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: ops.length === 0 ? `a condition needs one operator (${LEAF_OPERATORS.join(', ')}) or a combinator (${COMBINATORS.join(', ')})` : `one operator per condition, found ${ops.join(' and ')}: combine them with all/any`,
      });
    }
    if (c.category !== undefined && c.lexicon === undefined) ctx.addIssue({ code: 'custom', message: 'category only goes with lexicon', path: ['category'] });
    if (c.source !== undefined && c.phrase === undefined && c.lexicon === undefined) ctx.addIssue({ code: 'custom', message: 'source only goes with phrase or lexicon', path: ['source'] });
    if (c.source !== undefined && c.source !== 'text' && c.category !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'keywords spotted in the audio carry no category: drop category or use source: text', path: ['category'] });
    }
    if (c.audioMinScore !== undefined && (c.source === undefined || c.source === 'text')) ctx.addIssue({ code: 'custom', message: 'audioMinScore goes with source: audio or auto', path: ['audioMinScore'] });
  });

const count = z.number().int().nonnegative();

/** Picks the schema by the combinator key present, so errors name the real problem rather than "no union member matched". */
export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.unknown().transform((value, ctx) => {
    const keys = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
    const schema: z.ZodType = keys.includes('all')
      ? z.object({ all: z.array(Condition).min(1) }).strict()
      : keys.includes('any')
        ? z.object({ any: z.array(Condition).min(1) }).strict()
        : keys.includes('not')
          ? z.object({ not: Condition }).strict()
          : keys.includes('sequence')
            ? z.object({ sequence: z.array(Condition).min(2, 'a sequence needs at least two steps'), withinSec: z.number().positive().max(36000).optional() }).strict()
            : keys.includes('count')
              ? z
                  .object({ count: Condition, atLeast: count.optional(), atMost: count.optional() })
                  .strict()
                  .refine((c) => c.atLeast !== undefined || c.atMost !== undefined, 'count needs atLeast or atMost')
                  .refine((c) => c.atLeast === undefined || c.atMost === undefined || c.atLeast <= c.atMost, 'atLeast is more than atMost')
              : keys.includes('ref')
                ? z.object({ ref: z.string().min(1) }).strict()
                : LeafSchema;
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path as PropertyKey[] });
      return z.NEVER;
    }
    return parsed.data as Condition;
  }),
);

export const isLeaf = (c: Condition): c is Leaf => !('all' in c || 'any' in c || 'not' in c || 'sequence' in c || 'count' in c || 'ref' in c);

/** Every node of a condition tree with its path (for validation messages), anchors included. */
export function* walk(c: Condition, at: Array<string | number> = []): Generator<[Condition, Array<string | number>]> {
  yield [c, at];
  if ('all' in c) for (const [i, x] of c.all.entries()) yield* walk(x, [...at, 'all', i]);
  else if ('any' in c) for (const [i, x] of c.any.entries()) yield* walk(x, [...at, 'any', i]);
  else if ('not' in c) yield* walk(c.not, [...at, 'not']);
  else if ('sequence' in c) for (const [i, x] of c.sequence.entries()) yield* walk(x, [...at, 'sequence', i]);
  else if ('count' in c) yield* walk(c.count, [...at, 'count']);
  else if (isLeaf(c)) {
    if (c.after) yield* walk(c.after.match, [...at, 'after', 'match']);
    if (c.before) yield* walk(c.before.match, [...at, 'before', 'match']);
  }
}
