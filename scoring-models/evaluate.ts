import type { CallMeta, CheckpointResult, Evidence, Score, Segment, SpeechRegion } from '../core/schemas.ts';
import { gaps, interruptions, type Span } from '../core/timeline.ts';
import { normalize, normalizeTerm } from '../nlp/lexicon.ts';
import type { AnyCondition, Checkpoint, Condition, Scorecard } from './scorecard.ts';

export type ScoringInput = {
  segments: Segment[];
  meta: CallMeta;
  durationSec: number;
  /** VAD speech regions per channel (empty for text-only calls). */
  speech?: SpeechRegion[];
};

/** Words in a segment (from/to: character offsets), or a moment of the timeline (`at`) near a segment. */
type Match = { segment: Segment; from: number; to: number; at?: { start: number; end: number; quote: string } };

const ROLE_ZH = { agent: '坐席', customer: '客户', unknown: '未知' } as const;

/** Time of a character offset, interpolated over the segment: vendors time segments, not characters. */
function timeAt(seg: Segment, offset: number): number {
  const len = Math.max(1, seg.textMasked.length);
  return seg.start + ((seg.end - seg.start) * Math.min(offset, len)) / len;
}

function scope(segments: Segment[], c: Condition): Segment[] {
  let out = c.role ? segments.filter((s) => s.role === c.role) : segments;
  if (c.within?.lastTurns) out = out.slice(-c.within.lastTurns);
  if (c.within?.firstTurns) out = out.slice(0, c.within.firstTurns);
  return out;
}

/** Phrase matches ignoring punctuation and spaces (as lexicons match), as offsets in the original text. */
function findPhrases(text: string, phrases: string[]): Array<[number, number]> {
  const { chars, offsets } = normalize(text);
  const out: Array<[number, number]> = [];
  for (const phrase of phrases) {
    const target = [...normalizeTerm(phrase)];
    if (target.length === 0) continue;
    for (let i = 0; i + target.length <= chars.length; i++) {
      if (target.every((ch, k) => chars[i + k] === ch)) {
        const last = i + target.length - 1;
        out.push([offsets[i]!, offsets[last]! + chars[last]!.length]);
        i = last;
      }
    }
  }
  return out;
}

function matchesIn(seg: Segment, c: Condition): Array<[number, number]> {
  if (c.phrase) return findPhrases(seg.textMasked, c.phrase);
  if (c.regex) return [...seg.textMasked.matchAll(new RegExp(c.regex, 'gu'))].map((m) => [m.index, m.index + m[0].length]);
  if (c.emotion) return c.emotion.labels.includes((seg.emotion?.label ?? 'neutral') as 'neutral') ? [[0, seg.textMasked.length]] : [];
  if (c.pii) return (seg.pii ?? []).filter((p) => c.pii!.includes(p.type as (typeof c.pii)[number])).map((p) => [p.start, p.end]);
  return seg.hits.filter((h) => h.lexicon === c.lexicon && (!c.category || h.category === c.category)).map((h) => [h.start, h.end]);
}

/** The segment nearest to a moment, preferring `role`'s: timeline evidence still points into the transcript. */
function nearest(segments: Segment[], t: number, role?: Segment['role']): Segment {
  const pool = role ? segments.filter((s) => s.role === role) : segments;
  return (pool.length ? pool : segments).reduce((best, s) => (Math.abs(s.start - t) < Math.abs(best.start - t) ? s : best));
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Silences no one speaks in — neither the audio's VAD nor the transcript — optionally excusing announced ones. */
function silenceMatches(input: ScoringInput, c: NonNullable<Condition['silence']>): Match[] {
  const activity: Span[] = [...(input.speech ?? []), ...input.segments];
  const out: Match[] = [];
  for (const g of gaps(activity, c.minSec)) {
    const before = input.segments.filter((s) => s.end <= g.start + 0.5).at(-1);
    const ex = c.exceptAfter;
    const announced =
      ex &&
      before &&
      g.start - before.end <= ex.withinSec &&
      before.hits.some((h) => h.lexicon === ex.lexicon && (ex.category === undefined || h.category === ex.category));
    if (announced || input.segments.length === 0) continue;
    out.push({ segment: before ?? input.segments[0]!, from: 0, to: 0, at: { start: g.start, end: g.end, quote: `静音 ${round1(g.end - g.start)} 秒` } });
  }
  return out;
}

/** Turns of `by` that start while the other side is mid-turn: from the two channels when stereo, else the transcript. */
function interruptionMatches(input: ScoringInput, by: 'agent' | 'customer'): Match[] {
  const speech = input.speech ?? [];
  const stereo = new Set(speech.map((r) => r.channel)).size === 2;
  const spans = (role: 'agent' | 'customer') =>
    stereo ? speech.filter((r) => (r.channel === 0) === (role === 'agent')) : input.segments.filter((s) => s.role === role);
  const other = by === 'agent' ? 'customer' : 'agent';
  return interruptions(spans(by), spans(other)).map((e) => ({
    segment: nearest(input.segments, e.start, by),
    from: 0,
    to: 0,
    at: { start: e.start, end: e.end, quote: `${ROLE_ZH[by]}在对方说话时插话，重叠 ${round1(e.end - e.start)} 秒` },
  }));
}

function metadataMatches(input: ScoringInput, c: NonNullable<Condition['metadata']>): Match[] {
  const meta = input.meta as Record<string, unknown>;
  const value = meta[c.field] ?? input.meta.custom[c.field];
  if (value === undefined || !c.in.includes(String(value)) || input.segments.length === 0) return [];
  return [{ segment: input.segments[0]!, from: 0, to: 0, at: { start: 0, end: 0, quote: `${c.field} = ${String(value)}` } }];
}

function findAny(input: ScoringInput, c: AnyCondition): { matches: Match[]; examined: Segment[] } {
  if (!('any' in c)) return findMatches(input, c);
  const parts = c.any.map((x) => findMatches(input, x));
  return { matches: parts.flatMap((p) => p.matches), examined: [...new Set(parts.flatMap((p) => p.examined))] };
}

function findMatches(input: ScoringInput, c: Condition): { matches: Match[]; examined: Segment[] } {
  if (c.metadata) return { matches: metadataMatches(input, c.metadata), examined: [] };
  if (c.silence) return { matches: silenceMatches(input, c.silence), examined: [] };
  if (c.interruption) return { matches: interruptionMatches(input, c.interruption.by), examined: [] };
  const examined = scope(input.segments, c);
  const matches: Match[] = [];
  for (const segment of examined) {
    for (const [from, to] of matchesIn(segment, c)) {
      const t = timeAt(segment, from);
      if (c.within?.firstSec !== undefined && t > c.within.firstSec) continue;
      if (c.within?.lastSec !== undefined && t < input.durationSec - c.within.lastSec) continue;
      matches.push({ segment, from, to });
    }
  }
  const inWindow = examined.filter((s) => {
    if (c.within?.firstSec !== undefined && s.start > c.within.firstSec) return false;
    if (c.within?.lastSec !== undefined && s.end < input.durationSec - c.within.lastSec) return false;
    return true;
  });
  return { matches, examined: inWindow };
}

function evidenceOf(m: Match): Evidence {
  if (m.at) return { kind: 'match', segmentId: m.segment.id, start: round2(m.at.start), end: round2(m.at.end), quote: m.at.quote };
  return {
    kind: 'match',
    segmentId: m.segment.id,
    start: Math.round(timeAt(m.segment, m.from) * 100) / 100,
    end: Math.round(timeAt(m.segment, m.to) * 100) / 100,
    quote: m.segment.textMasked.slice(m.from, m.to),
  };
}

function wholeSegment(s: Segment): Evidence {
  return { kind: 'context', segmentId: s.id, start: s.start, end: s.end, quote: s.textMasked };
}

function describeScope(c: AnyCondition, n: number): string {
  if ('any' in c) return c.any.map((x) => describeScope(x, n)).join('或');
  if (c.metadata) return `通话信息 ${c.metadata.field}`;
  if (c.emotion) return `${c.role ? ROLE_ZH[c.role] : '双方'}情绪`;
  if (c.silence) return `超过 ${c.silence.minSec} 秒的${c.silence.exceptAfter ? '未提示' : ''}静音`;
  if (c.interruption) return `${ROLE_ZH[c.interruption.by]}抢话`;
  const who = c.role ? ROLE_ZH[c.role] : '双方';
  if (c.within?.firstSec) return `前 ${c.within.firstSec} 秒内${who} ${n} 句`;
  if (c.within?.lastSec) return `最后 ${c.within.lastSec} 秒内${who} ${n} 句`;
  if (c.within?.lastTurns) return `${who}最后 ${n} 句`;
  if (c.within?.firstTurns) return `${who}前 ${n} 句`;
  return `${who}全部 ${n} 句`;
}

export function evaluateCheckpoint(cp: Checkpoint, input: ScoringInput): CheckpointResult {
  if (cp.appliesWhen && findAny(input, cp.appliesWhen).matches.length === 0) {
    const maxPoints = cp.deductEach ? (cp.maxDeduct ?? cp.deduct) : cp.deduct;
    return {
      checkpointId: cp.id,
      name: cp.name,
      applicable: false,
      passed: null,
      points: maxPoints,
      maxPoints,
      veto: cp.veto,
      reason: `不适用：${describeScope(cp.appliesWhen, 0)}不满足适用条件`,
      evidence: [],
    };
  }
  const { matches, examined } = findAny(input, cp.when);
  const where = describeScope(cp.when, examined.length);
  // A checkpoint is worth the most it can deduct.
  const maxPoints = cp.deductEach ? (cp.maxDeduct ?? cp.deduct) : cp.deduct;
  const base = { checkpointId: cp.id, name: cp.name, applicable: true, veto: cp.veto, maxPoints };
  if (cp.expect === 'present') {
    const passed = matches.length > 0;
    return {
      ...base,
      maxPoints,
      passed,
      points: passed ? maxPoints : 0,
      reason: passed ? `${where}中找到：${matches.map((m) => evidenceOf(m).quote).join('、')}` : `${where}中未找到要求的内容`,
      // A missing phrase is shown by what was said instead.
      evidence: passed ? matches.map(evidenceOf) : examined.map(wholeSegment),
    };
  }
  const passed = matches.length === 0;
  const deduction = passed ? 0 : Math.min(maxPoints, cp.deductEach ? cp.deduct * matches.length : cp.deduct);
  return {
    ...base,
    passed,
    points: maxPoints - deduction,
    reason: passed ? `${where}中未发现` : `${where}中发现 ${matches.length} 处：${matches.map((m) => evidenceOf(m).quote).join('、')}`,
    evidence: matches.map(evidenceOf),
  };
}

export function scoreCall(card: Scorecard, input: ScoringInput): Score {
  const items = card.checkpoints.map((cp) => evaluateCheckpoint(cp, input));
  const deducted = items.reduce((sum, i) => sum + (i.maxPoints - i.points), 0);
  const total = Math.max(0, card.baseScore - deducted);
  const vetoed = items.some((i) => i.veto && i.passed === false);
  return {
    scorecardId: card.id,
    version: card.version,
    total,
    maxTotal: card.baseScore,
    passed: !vetoed && total >= card.passScore,
    vetoed,
    items,
  };
}
