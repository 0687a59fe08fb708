import type { CheckpointResult, Evidence, Score, Segment } from '../core/schemas.ts';
import { type Anchor, type Condition, isLeaf, type Leaf } from './conditions.ts';
import { audioKeywordMatches, callMatches, isSegmentOperator, type Match, readsAudio, ROLE_ZH, type ScoringInput, segmentMatches, textMatch } from './operators.ts';
import type { Checkpoint, Scorecard } from './scorecard.ts';

export type { ScoringInput } from './operators.ts';

/**
 * What a condition found. `count` is how many times it holds (what `deductEach` and `count`
 * multiply); `counter` holds matches that made it fail (what a `not` found) — shown as evidence
 * when a required condition is missing; `examined` is the transcript it looked at.
 */
export type Found = { matches: Match[]; count: number; counter: Match[]; examined: Segment[] };

const none = (examined: Segment[] = [], counter: Match[] = []): Found => ({ matches: [], count: 0, counter, examined });
const uniq = <T>(xs: T[]) => [...new Set(xs)];

function inScope(segments: Segment[], c: Leaf): Segment[] {
  let out = c.role ? segments.filter((s) => s.role === c.role) : segments;
  if (c.within?.lastTurns) out = out.slice(-c.within.lastTurns);
  if (c.within?.firstTurns) out = out.slice(0, c.within.firstTurns);
  return out;
}

function inTimeWindow(c: Leaf, durationSec: number, start: number): boolean {
  if (c.within?.firstSec !== undefined && start > c.within.firstSec) return false;
  if (c.within?.lastSec !== undefined && start < durationSec - c.within.lastSec) return false;
  return true;
}

/** `b` comes after `a`: later on the timeline, or later in the same segment. */
function follows(a: Match, b: Match): boolean {
  const same = a.segment !== null && a.segment.id === b.segment?.id;
  if (same && a.from !== undefined && b.from !== undefined) return b.from >= (a.to ?? a.from);
  return b.start >= a.start && !(same && b.start === a.start && a.from === b.from);
}

function anchored(matches: Match[], anchor: Anchor, input: ScoringInput, after: boolean): Match[] {
  const anchors = find(input, anchor.match).matches;
  const close = (a: Match, m: Match) => anchor.withinSec === undefined || (after ? m.start - a.end : a.start - m.end) <= anchor.withinSec;
  return matches.filter((m) => anchors.some((a) => (after ? follows(a, m) : follows(m, a)) && close(a, m)));
}

/**
 * Whether a segment can hold a match inside the leaf's time window. A match starts within its segment
 * (timeAt, rounded to 0.01 s): a segment wholly outside the window, by more than that rounding, is not
 * searched — the regexes and phrases of a "first 15 s" leaf then look at a few segments, not all.
 */
function mayMatchInWindow(c: Leaf, durationSec: number, s: Segment): boolean {
  const w = c.within;
  if (w?.firstSec !== undefined && Math.min(s.start, s.end) > w.firstSec + 0.01) return false;
  if (w?.lastSec !== undefined && Math.max(s.start, s.end) < durationSec - w.lastSec - 0.01) return false;
  return true;
}

function findLeaf(input: ScoringInput, c: Leaf): Found {
  let matches: Match[];
  let examined: Segment[] = [];
  if ((c.phrase || c.lexicon) && readsAudio(c, input)) {
    matches = audioKeywordMatches(input, c);
  } else if (isSegmentOperator(c)) {
    const scoped = inScope(input.segments, c);
    examined = scoped.filter((s) => inTimeWindow(c, input.durationSec, c.within?.lastSec !== undefined ? s.end : s.start));
    const searched = c.within?.firstSec !== undefined || c.within?.lastSec !== undefined ? scoped.filter((s) => mayMatchInWindow(c, input.durationSec, s)) : scoped;
    matches = searched.flatMap((seg) => segmentMatches(seg, c, input).map(([from, to]) => textMatch(seg, from, to)));
  } else {
    matches = callMatches(input, c);
  }
  matches = matches.filter((m) => inTimeWindow(c, input.durationSec, m.start));
  if (c.after) matches = anchored(matches, c.after, input, true);
  if (c.before) matches = anchored(matches, c.before, input, false);
  return { matches, count: matches.length, counter: [], examined };
}

/** Chains of matches, one per step, each after the one before (within `withinSec` of it). */
function findSequence(input: ScoringInput, steps: Condition[], withinSec: number | undefined): Found {
  const found = steps.map((s) => find(input, s));
  const examined = uniq(found.flatMap((f) => f.examined));
  let reachable: Array<{ match: Match; chain: Match[] }> = found[0]!.matches.map((m) => ({ match: m, chain: [m] }));
  for (const f of found.slice(1)) {
    reachable = f.matches.flatMap((m) => {
      const prev = reachable.find((p) => follows(p.match, m) && (withinSec === undefined || m.start - p.match.end <= withinSec));
      return prev ? [{ match: m, chain: [...prev.chain, m] }] : [];
    });
  }
  if (reachable.length === 0) return none(examined, found.flatMap((f) => f.counter));
  return { matches: uniq(reachable.flatMap((r) => r.chain)), count: reachable.length, counter: [], examined };
}

/** Per call, each condition is evaluated once: shared definitions and anchors are reused, not recomputed. */
const memo = new WeakMap<ScoringInput, WeakMap<Condition, Found>>();

export function find(input: ScoringInput, c: Condition): Found {
  let known = memo.get(input);
  if (!known) memo.set(input, (known = new WeakMap()));
  let found = known.get(c);
  if (!found) known.set(c, (found = evaluate(input, c)));
  return found;
}

function evaluate(input: ScoringInput, c: Condition): Found {
  if (isLeaf(c)) return findLeaf(input, c);
  if ('any' in c) {
    const parts = c.any.map((x) => find(input, x));
    return {
      matches: parts.flatMap((p) => p.matches),
      count: parts.reduce((n, p) => n + p.count, 0),
      counter: parts.flatMap((p) => p.counter),
      examined: uniq(parts.flatMap((p) => p.examined)),
    };
  }
  if ('all' in c) {
    const parts = c.all.map((x) => find(input, x));
    const examined = uniq(parts.flatMap((p) => p.examined));
    if (parts.some((p) => p.count === 0)) return none(examined, parts.flatMap((p) => p.counter));
    return { matches: parts.flatMap((p) => p.matches), count: Math.min(...parts.map((p) => p.count)), counter: [], examined };
  }
  if ('not' in c) {
    const inner = find(input, c.not);
    if (inner.count > 0) return none(inner.examined, inner.matches);
    const first = input.segments[0];
    if (!first) return none();
    return { matches: [{ segment: first, start: 0, end: 0, quote: `未发现${describe(c.not)}` }], count: 1, counter: [], examined: inner.examined };
  }
  if ('sequence' in c) return findSequence(input, c.sequence, c.withinSec);
  if ('count' in c) {
    const inner = find(input, c.count);
    const ok = (c.atLeast === undefined || inner.count >= c.atLeast) && (c.atMost === undefined || inner.count <= c.atMost);
    if (!ok) return none(inner.examined, inner.matches);
    const first = input.segments[0];
    const summary: Match[] = first ? [{ segment: first, start: 0, end: 0, quote: `${describe(c.count)} ${inner.count} 次` }] : [];
    return { matches: inner.matches.length > 0 ? inner.matches : summary, count: 1, counter: [], examined: inner.examined };
  }
  throw new Error(`unresolved reference ${c.ref}: parseScorecard resolves every ref`);
}

const described = new WeakMap<Condition, string>();

/** A condition in words, for the reason a reviewer reads (worded once per condition). */
export function describe(c: Condition): string {
  let text = described.get(c);
  if (text === undefined) described.set(c, (text = wordsFor(c)));
  return text;
}

function wordsFor(c: Condition): string {
  if ('any' in c) return c.any.map(describe).join('或');
  if ('all' in c) return c.all.map(describe).join('且');
  if ('not' in c) return `没有（${describe(c.not)}）`;
  if ('sequence' in c) return c.sequence.map(describe).join(' → ') + (c.withinSec ? `（${c.withinSec} 秒内）` : '');
  if ('count' in c) return `${describe(c.count)}${c.atLeast !== undefined ? ` 至少 ${c.atLeast} 次` : ''}${c.atMost !== undefined ? ` 至多 ${c.atMost} 次` : ''}`;
  if (!isLeaf(c)) return c.ref;
  const who = `${c.source === 'audio' ? '（音频）' : c.source === 'auto' ? '（文本或音频）' : ''}${c.role ? ROLE_ZH[c.role] : ''}`;
  let what: string;
  if (c.phrase) what = `“${c.phrase.slice(0, 3).join('/')}${c.phrase.length > 3 ? '…' : ''}”`;
  else if (c.regex) what = `/${c.regex}/`;
  else if (c.lexicon) what = `${c.lexicon}词库${c.category ? `「${c.category}」` : ''}`;
  else if (c.semantic) what = `与“${c.semantic.examples[0]}”等相似的话（≥ ${c.semantic.threshold}）`;
  else if (c.pii) what = `敏感信息（${c.pii.join('/')}）`;
  else if (c.tag) what = `标签 ${c.tag.join('/')}`;
  else if (c.silence) what = c.silence.minSec !== undefined ? `超过 ${c.silence.minSec} 秒的${c.silence.exceptAfter ? '未提示' : ''}静音` : `静音合计超过 ${c.silence.totalSec} 秒`;
  else if (c.speechRate) what = `语速${c.speechRate.above !== undefined ? `高于 ${c.speechRate.above}` : `低于 ${c.speechRate.below}`} 字/分钟`;
  else if (c.interruption) return `${ROLE_ZH[c.interruption.by]}抢话`;
  else if (c.overlap) return `双方重叠说话超过 ${c.overlap.minTotalSec} 秒`;
  else if (c.metadata) return `通话信息 ${c.metadata.field}${c.metadata.in ? ` ∈ {${c.metadata.in.join(', ')}}` : ` 在 [${c.metadata.min ?? '-∞'}, ${c.metadata.max ?? '∞'}]`}`;
  else if (c.emotion) what = `${c.emotion.scope === 'end' ? '结束时' : c.emotion.scope === 'worsened' ? '恶化为' : ''}情绪 ${c.emotion.labels.join('/')}`;
  else what = '?';
  const where = c.within?.firstSec
    ? `前 ${c.within.firstSec} 秒内`
    : c.within?.lastSec
      ? `最后 ${c.within.lastSec} 秒内`
      : c.within?.firstTurns
        ? `前 ${c.within.firstTurns} 句`
        : c.within?.lastTurns
          ? `最后 ${c.within.lastTurns} 句`
          : '';
  const position = c.after ? `（在${describe(c.after.match)}之后）` : c.before ? `（在${describe(c.before.match)}之前）` : '';
  return `${where}${who}${what}${position}`;
}

function evidenceOf(m: Match): Evidence {
  // Audio evidence of a call without transcript points at no segment.
  return { kind: 'match', segmentId: m.segment?.id ?? '', start: m.start, end: m.end, quote: m.quote };
}

function wholeSegment(s: Segment): Evidence {
  return { kind: 'context', segmentId: s.id, start: s.start, end: s.end, quote: s.textMasked };
}

/** The most a checkpoint is worth: what it can deduct, or the points it earns. */
export function maxPointsOf(cp: Checkpoint): number {
  if (cp.points !== undefined) return cp.points;
  return cp.deductEach ? (cp.maxDeduct ?? cp.deduct!) : cp.deduct!;
}

export function evaluateCheckpoint(cp: Checkpoint, input: ScoringInput): CheckpointResult {
  const maxPoints = maxPointsOf(cp);
  const base = { checkpointId: cp.id, name: cp.name, veto: cp.veto, maxPoints };
  if (cp.appliesWhen && find(input, cp.appliesWhen).count === 0) {
    return { ...base, applicable: false, passed: null, points: maxPoints, reason: `不适用：未出现${describe(cp.appliesWhen)}`, evidence: [] };
  }
  const found = find(input, cp.when);
  const what = describe(cp.when);
  const quotes = (ms: Match[]) => uniq(ms.map((m) => m.quote)).join('、');
  if (cp.expect === 'present') {
    const passed = found.count > 0;
    return {
      ...base,
      applicable: true,
      passed,
      points: passed ? maxPoints : 0,
      reason: passed
        ? `找到${what}：${quotes(found.matches)}`
        : `未找到${what}${found.counter.length ? `；反而出现：${quotes(found.counter)}` : ''}`,
      // A missing phrase is shown by what was said instead (and by what blocked it).
      evidence: passed ? found.matches.map(evidenceOf) : [...found.counter.map(evidenceOf), ...found.examined.map(wholeSegment)],
    };
  }
  const passed = found.count === 0;
  const deduction = passed ? 0 : Math.min(maxPoints, cp.deductEach ? cp.deduct! * found.count : maxPoints);
  return {
    ...base,
    applicable: true,
    passed,
    points: cp.points !== undefined ? (passed ? maxPoints : 0) : maxPoints - deduction,
    reason: passed ? `未发现${what}` : `发现${what} ${found.count} 处：${quotes(found.matches)}`,
    evidence: found.matches.map(evidenceOf),
  };
}

/** The scorecard grades this call: its `scope` (metadata) includes it. */
export function inCardScope(card: Scorecard, meta: ScoringInput['meta']): boolean {
  if (!card.scope) return true;
  const values = meta as Record<string, unknown>;
  return Object.entries(card.scope).every(([field, allowed]) => {
    const v = values[field] ?? meta.custom[field];
    return v !== undefined && v !== null && allowed.includes(String(v));
  });
}

/**
 * Deduction checkpoints take points off `baseScore`, additive ones add what they earn; a failed
 * veto item fails the call whatever the total.
 */
export function scoreCall(card: Scorecard, input: ScoringInput): Score {
  return scoreOfItems(card, card.checkpoints.map((cp) => evaluateCheckpoint(cp, input)));
}

/**
 * The call's score from its checkpoint decisions (by the machine, or as a reviewer corrected them):
 * the one place points, the total, the veto and the pass mark are worked out.
 */
export function scoreOfItems(card: Scorecard, items: CheckpointResult[]): Score {
  let total = card.baseScore;
  let maxTotal = card.baseScore;
  card.checkpoints.forEach((cp, i) => {
    const item = items[i]!;
    if (item.checkpointId !== cp.id) throw new Error(`decision ${i} is ${item.checkpointId}, not ${cp.id}`);
    if (cp.points !== undefined) {
      total += item.points;
      maxTotal += item.maxPoints;
    } else total -= item.maxPoints - item.points;
  });
  total = Math.max(0, total);
  const vetoed = items.some((i) => i.veto && i.passed === false);
  return { scorecardId: card.id, version: card.version, total, maxTotal, passed: !vetoed && total >= card.passScore, vetoed, items };
}
