import type { CallMeta, CheckpointResult, Evidence, Score, Segment } from '../core/schemas.ts';
import type { Checkpoint, Condition, Scorecard } from './scorecard.ts';

export type ScoringInput = { segments: Segment[]; meta: CallMeta; durationSec: number };

type Match = { segment: Segment; from: number; to: number };

const ROLE_ZH = { agent: '坐席', customer: '客户', unknown: '未知' } as const;
const IGNORED = /[\s\p{P}\p{S}]/u;

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

/** Finds phrase matches ignoring punctuation and spaces, reporting offsets in the original text. */
function findPhrase(text: string, phrase: string): Array<[number, number]> {
  const kept: number[] = [];
  let norm = '';
  for (let i = 0; i < text.length; i++) {
    if (!IGNORED.test(text[i]!)) {
      kept.push(i);
      norm += text[i];
    }
  }
  const target = [...phrase].filter((c) => !IGNORED.test(c)).join('');
  const out: Array<[number, number]> = [];
  for (let at = norm.indexOf(target); at >= 0 && target; at = norm.indexOf(target, at + target.length)) {
    out.push([kept[at]!, kept[at + target.length - 1]! + 1]);
  }
  return out;
}

function matchesIn(seg: Segment, c: Condition): Array<[number, number]> {
  if (c.phrase) return c.phrase.flatMap((p) => findPhrase(seg.textMasked, p));
  if (c.regex) return [...seg.textMasked.matchAll(new RegExp(c.regex, 'gu'))].map((m) => [m.index, m.index + m[0].length]);
  if (c.pii) return (seg.pii ?? []).filter((p) => c.pii!.includes(p.type as (typeof c.pii)[number])).map((p) => [p.start, p.end]);
  return seg.hits.filter((h) => h.lexicon === c.lexicon).map((h) => [h.start, h.end]);
}

function findMatches(input: ScoringInput, c: Condition): { matches: Match[]; examined: Segment[] } {
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

function describeScope(c: Condition, n: number): string {
  const who = c.role ? ROLE_ZH[c.role] : '双方';
  if (c.within?.firstSec) return `前 ${c.within.firstSec} 秒内${who} ${n} 句`;
  if (c.within?.lastSec) return `最后 ${c.within.lastSec} 秒内${who} ${n} 句`;
  if (c.within?.lastTurns) return `${who}最后 ${n} 句`;
  if (c.within?.firstTurns) return `${who}前 ${n} 句`;
  return `${who}全部 ${n} 句`;
}

export function evaluateCheckpoint(cp: Checkpoint, input: ScoringInput): CheckpointResult {
  const { matches, examined } = findMatches(input, cp.when);
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
