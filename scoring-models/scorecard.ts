import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import { shippedLexicons } from '../nlp/analyze-stage.ts';
import { Condition, isLeaf, walk } from './conditions.ts';

export { Condition } from './conditions.ts';

export const Checkpoint = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'ids are snake_case'),
    name: z.string().min(1),
    description: z.string().default(''),
    severity: z.enum(['轻', '中', '重']).default('中'),
    /** The human label (violation code) this checkpoint detects, for backtests: e.g. NO_CLOSING. */
    label: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'labels are UPPER_SNAKE_CASE').optional(),
    /** Deduction model: a failed checkpoint takes these points off the base score… */
    deduct: z.number().nonnegative().max(1000).optional(),
    /** …or additive model: a passed checkpoint earns these points. */
    points: z.number().positive().max(1000).optional(),
    deductEach: z.boolean().default(false),
    maxDeduct: z.number().nonnegative().max(1000).optional(),
    veto: z.boolean().default(false),
    expect: z.enum(['present', 'absent']),
    when: Condition,
    /** The checkpoint only applies to calls where this finds something; elsewhere it is "not applicable". */
    appliesWhen: Condition.optional(),
  })
  .strict()
  .refine((c) => (c.deduct === undefined) !== (c.points === undefined), { message: 'a checkpoint has either deduct (points off) or points (points earned)' })
  .refine((c) => !c.deductEach || (c.maxDeduct !== undefined && c.deduct !== undefined), { message: 'deductEach needs deduct and maxDeduct' });
export type Checkpoint = z.infer<typeof Checkpoint>;

export const Scorecard = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'scorecard ids are lower-kebab-case'),
    version: z.coerce.string().regex(/^[0-9A-Za-z][0-9A-Za-z.\-]*$/, 'versions are like 3 or 2.1'),
    name: z.string().min(1),
    description: z.string().default(''),
    /** Which calls the scorecard grades, by metadata: every listed field must have one of its values. */
    scope: z.record(z.string().min(1), z.array(z.string()).min(1)).optional(),
    baseScore: z.number().nonnegative().default(100),
    passScore: z.number().nonnegative(),
    /** Named conditions that checkpoints use with `ref: name`. */
    definitions: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'definition names are identifiers'), Condition).default({}),
    checkpoints: z.array(Checkpoint).min(1),
  })
  .strict()
  .refine((s) => new Set(s.checkpoints.map((c) => c.id)).size === s.checkpoints.length, { message: 'checkpoint ids must be unique' });
/** A parsed scorecard; `digest` (of its file) tells two contents published under one version apart. */
export type Scorecard = z.infer<typeof Scorecard> & { digest: string };

/** Lexicon names and their categories that a scorecard may reference (those the NLP stage matches). */
export type LexiconCatalogue = Map<string, ReadonlySet<string>>;

export function shippedCatalogue(): LexiconCatalogue {
  return new Map(shippedLexicons().map((l) => [l.name, l.categories]));
}

type Problem = { path: Array<string | number>; message: string };

/** Unknown lexicons or categories, anywhere in the card (checkpoints, anchors, definitions). */
function lexiconProblems(card: Scorecard, catalogue: LexiconCatalogue): Problem[] {
  const problems: Problem[] = [];
  const check = (name: string, category: string | undefined, at: Array<string | number>) => {
    const categories = catalogue.get(name);
    if (!categories) problems.push({ path: at, message: `unknown lexicon "${name}" (known: ${[...catalogue.keys()].sort().join(', ')})` });
    else if (category !== undefined && !categories.has(category)) {
      problems.push({ path: at, message: `lexicon "${name}" has no category "${category}" (it has: ${[...categories].sort().join(', ')})` });
    }
  };
  const roots: Array<[Condition, Array<string | number>]> = [
    ...Object.entries(card.definitions).map(([k, c]): [Condition, Array<string | number>] => [c, ['definitions', k]]),
    ...card.checkpoints.flatMap((cp, i): Array<[Condition, Array<string | number>]> => [
      [cp.when, ['checkpoints', i, 'when']],
      ...(cp.appliesWhen ? [[cp.appliesWhen, ['checkpoints', i, 'appliesWhen']] as [Condition, Array<string | number>]] : []),
    ]),
  ];
  for (const [root, at] of roots) {
    for (const [node, p] of walk(root, at)) {
      if (!isLeaf(node)) continue;
      if (node.lexicon !== undefined) check(node.lexicon, node.category, [...p, 'lexicon']);
      if (node.silence?.exceptAfter) check(node.silence.exceptAfter.lexicon, node.silence.exceptAfter.category, [...p, 'silence', 'exceptAfter']);
    }
  }
  return problems;
}

/** Replaces every `ref` by its definition; unknown names and cycles are problems. */
function resolveRefs(card: Scorecard): Problem[] {
  const problems: Problem[] = [];
  const resolved = new Map<string, Condition>();
  const resolve = (c: Condition, at: Array<string | number>, stack: string[]): Condition => {
    if ('ref' in c) {
      const def = card.definitions[c.ref];
      if (!def) {
        problems.push({ path: [...at, 'ref'], message: `unknown definition "${c.ref}" (defined: ${Object.keys(card.definitions).join(', ') || 'none'})` });
        return c;
      }
      if (stack.includes(c.ref)) {
        problems.push({ path: [...at, 'ref'], message: `circular reference: ${[...stack, c.ref].join(' → ')}` });
        return c;
      }
      if (!resolved.has(c.ref)) resolved.set(c.ref, resolve(def, ['definitions', c.ref], [...stack, c.ref]));
      return resolved.get(c.ref)!;
    }
    if ('all' in c) return { all: c.all.map((x, i) => resolve(x, [...at, 'all', i], stack)) };
    if ('any' in c) return { any: c.any.map((x, i) => resolve(x, [...at, 'any', i], stack)) };
    if ('not' in c) return { not: resolve(c.not, [...at, 'not'], stack) };
    if ('sequence' in c) return { ...c, sequence: c.sequence.map((x, i) => resolve(x, [...at, 'sequence', i], stack)) };
    if ('count' in c) return { ...c, count: resolve(c.count, [...at, 'count'], stack) };
    const leaf = { ...c };
    if (leaf.after) leaf.after = { ...leaf.after, match: resolve(leaf.after.match, [...at, 'after', 'match'], stack) };
    if (leaf.before) leaf.before = { ...leaf.before, match: resolve(leaf.before.match, [...at, 'before', 'match'], stack) };
    return leaf;
  };
  for (const name of Object.keys(card.definitions)) resolve({ ref: name }, ['definitions', name], []);
  card.checkpoints.forEach((cp, i) => {
    cp.when = resolve(cp.when, ['checkpoints', i, 'when'], []);
    if (cp.appliesWhen) cp.appliesWhen = resolve(cp.appliesWhen, ['checkpoints', i, 'appliesWhen'], []);
  });
  // A problem is reported once even when several checkpoints use the faulty definition.
  return problems.filter((p, i) => problems.findIndex((q) => q.message === p.message) === i);
}

function lineOf(doc: Document, lines: LineCounter, at: Array<string | number>): number | '?' {
  for (let n = at.length; n >= 0; n--) {
    const node = doc.getIn(at.slice(0, n), true) as { range?: [number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return '?';
}

/**
 * Parses and checks a scorecard — YAML, schema, regexes (RE2), definitions and references,
 * lexicon names — naming the file and line of the first problem.
 */
export function parseScorecard(text: string, file = '<scorecard>', catalogue: LexiconCatalogue = shippedCatalogue()): Scorecard {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new CallScopeError('SCORECARD_INVALID', `${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  const fail = (p: Problem): never => {
    throw new CallScopeError('SCORECARD_INVALID', `${file}:${lineOf(doc, lines, p.path)}: ${p.path.join('.') || '(root)'}: ${p.message}`);
  };
  const parsed = Scorecard.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail({ path: issue.path as Array<string | number>, message: issue.message });
  }
  const card: Scorecard = { ...parsed.data!, digest: createHash('sha256').update(text).digest('hex').slice(0, 12) };
  const problems = [...lexiconProblems(card, catalogue), ...resolveRefs(card)];
  if (problems.length > 0) fail(problems[0]!);
  return card;
}

/** A scorecard file (a draft or a published one), parsed and checked; a missing file is a clear error. */
export function readScorecardFile(file: string): Scorecard {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CallScopeError('FILE_NOT_FOUND', `${file}: scorecard not found`);
  }
  return parseScorecard(text, file);
}

export function scorecardFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    throw new CallScopeError('SCORECARD_INVALID', `scorecard folder ${dir} cannot be read`);
  }
}

export function loadScorecards(dir: string): Scorecard[] {
  const files = scorecardFiles(dir);
  if (files.length === 0) throw new CallScopeError('SCORECARD_INVALID', `no scorecards (*.yaml) in ${dir}`);
  return files.map((f) => parseScorecard(readFileSync(f, 'utf8'), f));
}
