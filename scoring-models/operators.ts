import { RE2JS } from 're2js';
import type { CallMeta, CallTag, KeywordHit, Segment, SpeechRegion } from '../core/schemas.ts';
import { charsPerMinute, gaps, intersect, interruptions, total, union } from '../core/timeline.ts';
import { foldHomophones, soundAlikeFits } from '../nlp/homophones.ts';
import { normalize, normalizedFolded, normalizeTerm } from '../nlp/lexicon.ts';
import { wordBoundaries } from '../nlp/segmenter.ts';
import type { Leaf } from './conditions.ts';

export type ScoringInput = {
  segments: Segment[];
  meta: CallMeta;
  durationSec: number;
  /** VAD speech regions per channel (empty for text-only calls). */
  speech?: SpeechRegion[];
  /** Complaint-taxonomy tags from the NLP stage. */
  tags?: CallTag[];
  /** Each side's emotion over the first and the last third of the call (NLP stage). */
  emotionStart?: { agent?: string | null; customer?: string | null };
  emotionEnd?: { agent?: string | null; customer?: string | null };
  /** Keywords spotted in the audio (transcribe stage), for phrase/lexicon conditions with `source: audio|auto`. */
  keywordHits?: KeywordHit[];
  /** Highest cosine similarity of a segment to the example sentences (the score stage embeds them). */
  similarity?: (segment: Segment, examples: string[]) => number;
};

/**
 * What an operator found: words in a segment (from/to: character offsets), or a moment of the
 * timeline / a call-level fact shown at the nearest segment. `value` is the number compared, if any.
 */
export type Match = { segment: Segment | null; start: number; end: number; quote: string; from?: number; to?: number };

export const ROLE_ZH = { agent: '坐席', customer: '客户', unknown: '未知' } as const;
export const round1 = (x: number) => Math.round(x * 10) / 10;
export const round2 = (x: number) => Math.round(x * 100) / 100;

/** Time of a character offset, interpolated over the segment: vendors time segments, not characters. */
export function timeAt(seg: Segment, offset: number): number {
  const len = Math.max(1, seg.textMasked.length);
  return seg.start + ((seg.end - seg.start) * Math.min(offset, len)) / len;
}

export function textMatch(segment: Segment, from: number, to: number): Match & { segment: Segment } {
  return { segment, from, to, start: round2(timeAt(segment, from)), end: round2(timeAt(segment, to)), quote: segment.textMasked.slice(from, to) };
}

/** The segment nearest to a moment, preferring `role`'s: timeline evidence still points into the transcript. */
export function nearest(segments: Segment[], t: number, role?: Segment['role']): Segment {
  const pool = role ? segments.filter((s) => s.role === role) : segments;
  return (pool.length ? pool : segments).reduce((best, s) => (Math.abs(s.start - t) < Math.abs(best.start - t) ? s : best));
}

function momentMatch(input: ScoringInput, start: number, end: number, quote: string, role?: Segment['role']): Match {
  return { segment: nearest(input.segments, start, role), start: round2(start), end: round2(end), quote };
}

/** A segment's text without punctuation and spaces, computed once per segment (phrases are matched on it). */
const normalized = new WeakMap<Segment, { text: string; chars: string[]; original: string[]; offsets: number[] }>();
/** Phrases match homophone-folded text (nlp/homophones.ts), as lexicons do. */
function normalizedText(seg: Segment) {
  let n = normalized.get(seg);
  if (!n) {
    const { folded, chars, offsets } = normalize(seg.textMasked);
    normalized.set(seg, (n = { text: folded.join(''), chars: folded, original: chars, offsets }));
  }
  return n;
}

/** Whether a sound-alike match (not the words themselves) counts in this segment (see soundAlikeFits). */
const boundaries = new WeakMap<Segment, Set<number>>();
function onWordBoundaries(seg: Segment, start: number, end: number): boolean {
  return soundAlikeFits(start, end, () => {
    let b = boundaries.get(seg);
    if (!b) boundaries.set(seg, (b = wordBoundaries(seg.textMasked)));
    return b;
  });
}
const normalizedPhrases = new WeakMap<string[], Array<{ exact: string; folded: string[]; foldedText: string }>>();
/** A segment's folded text without punctuation and spaces (normalizedText's `text`, cheaper), computed once per segment. */
const foldedKeys = new WeakMap<Segment, string>();

/** Phrase matches ignoring punctuation and spaces (as lexicons match), as offsets in the original text. */
function findPhrases(seg: Segment, phrases: string[]): Array<[number, number]> {
  let targets = normalizedPhrases.get(phrases);
  if (!targets) {
    targets = phrases.map(normalizeTerm).filter((t) => t.length > 0).map((t) => {
      const folded = [...foldHomophones(t)];
      return { exact: t, folded, foldedText: folded.join('') };
    });
    normalizedPhrases.set(phrases, targets);
  }
  // Most segments hold none of the phrases: they are turned down without normalizing them.
  let key = foldedKeys.get(seg);
  if (key === undefined) foldedKeys.set(seg, (key = normalizedFolded(seg.textMasked)));
  if (!targets.some((t) => key.includes(t.foldedText))) return [];
  const { text, chars, original, offsets } = normalizedText(seg);
  const out: Array<[number, number]> = [];
  for (const { exact, folded, foldedText } of targets) {
    if (!text.includes(foldedText)) continue;
    for (let i = 0; i + folded.length <= chars.length; i++) {
      if (folded.every((ch, k) => chars[i + k] === ch)) {
        const last = i + folded.length - 1;
        const [start, end] = [offsets[i]!, offsets[last]! + original[last]!.length];
        if (original.slice(i, last + 1).join('') !== exact && !onWordBoundaries(seg, start, end)) continue;
        out.push([start, end]);
        i = last;
      }
    }
  }
  return out;
}

/**
 * Regexes run on the text and on its homophone-folded form (pattern folded alike: a Chinese character
 * has no regex meaning), matches merged: sound-alike slips match, and classes such as \p{Han} or
 * [\x{4e00}-\x{9fff}], which folded text no longer satisfies, still match the original.
 */
const compiled = new Map<string, { plain: RE2JS; folded: RE2JS }>();
const foldedText = new WeakMap<Segment, string>();

function allMatches(re: RE2JS, text: string, into: Map<string, [number, number]>, keep: (start: number, end: number) => boolean = () => true): void {
  const m = re.matcher(text);
  while (m.find()) if (m.end() > m.start() && keep(m.start(), m.end())) into.set(`${m.start()}:${m.end()}`, [m.start(), m.end()]);
}

function regexMatches(seg: Segment, pattern: string): Array<[number, number]> {
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = { plain: RE2JS.compile(pattern), folded: RE2JS.compile(foldHomophones(pattern)) }));
  let folded = foldedText.get(seg);
  if (folded === undefined) foldedText.set(seg, (folded = foldHomophones(seg.textMasked)));
  const found = new Map<string, [number, number]>();
  allMatches(re.plain, seg.textMasked, found);
  // What only the folded text matches is a sound-alike: it must sit on word boundaries.
  if (folded !== seg.textMasked) allMatches(re.folded, folded, found, (start, end) => found.has(`${start}:${end}`) || onWordBoundaries(seg, start, end));
  return [...found.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/** Operators that look inside each segment's text (or its per-segment annotations). */
export function segmentMatches(seg: Segment, c: Leaf, input: ScoringInput): Array<[number, number]> {
  if (c.phrase) return findPhrases(seg, c.phrase);
  if (c.regex) return regexMatches(seg, c.regex);
  if (c.emotion) {
    const e = seg.emotion ?? { label: 'neutral', score: 1 };
    const confident = c.emotion.minScore === undefined || e.score >= c.emotion.minScore;
    return c.emotion.labels.includes(e.label as 'neutral') && confident ? [[0, seg.textMasked.length]] : [];
  }
  if (c.pii) return (seg.pii ?? []).filter((p) => c.pii!.includes(p.type as (typeof c.pii)[number])).map((p) => [p.start, p.end]);
  if (c.semantic) {
    if (!input.similarity) return [];
    return input.similarity(seg, c.semantic.examples) >= c.semantic.threshold ? [[0, seg.textMasked.length]] : [];
  }
  return seg.hits.filter((h) => h.lexicon === c.lexicon && (!c.category || h.category === c.category)).map((h) => [h.start, h.end]);
}

export const isSegmentOperator = (c: Leaf) =>
  c.phrase !== undefined || c.regex !== undefined || c.lexicon !== undefined || c.pii !== undefined || c.semantic !== undefined || (c.emotion !== undefined && c.emotion.scope === 'segment');

/** Silences no one speaks in — neither the audio's VAD nor the transcript — optionally excusing announced ones. */
function silenceMatches(input: ScoringInput, c: NonNullable<Leaf['silence']>): Match[] {
  if (input.segments.length === 0) return [];
  const activity = [...(input.speech ?? []), ...input.segments];
  const ex = c.exceptAfter;
  const unannounced = gaps(activity, c.minSec ?? SILENCE_COUNTED_SEC).filter((g) => {
    const before = input.segments.filter((s) => s.end <= g.start + 0.5).at(-1);
    return !(
      ex &&
      before &&
      g.start - before.end <= ex.withinSec &&
      before.hits.some((h) => h.lexicon === ex.lexicon && (ex.category === undefined || h.category === ex.category))
    );
  });
  if (c.minSec !== undefined) {
    return unannounced.map((g) => momentMatch(input, g.start, g.end, `静音 ${round1(g.end - g.start)} 秒`));
  }
  const sum = total(unannounced);
  if (sum < c.totalSec!) return [];
  return [momentMatch(input, unannounced[0]!.start, unannounced.at(-1)!.end, `静音合计 ${round1(sum)} 秒（≥ ${c.totalSec} 秒，${unannounced.length} 段）`)];
}
/** Gaps shorter than this are turn-taking; `silence.totalSec` adds up the longer ones. */
export const SILENCE_COUNTED_SEC = 3;

/** The spans each side talks in: from the two channels of a stereo call, else the transcript's turns. */
function talkSpans(input: ScoringInput, role: 'agent' | 'customer') {
  const speech = input.speech ?? [];
  const stereo = new Set(speech.map((r) => r.channel)).size === 2;
  return stereo ? speech.filter((r) => (r.channel === 0) === (role === 'agent')) : input.segments.filter((s) => s.role === role);
}

function interruptionMatches(input: ScoringInput, c: NonNullable<Leaf['interruption']>): Match[] {
  const other = c.by === 'agent' ? 'customer' : 'agent';
  return interruptions(talkSpans(input, c.by), talkSpans(input, other))
    .filter((e) => e.end - e.start >= (c.minOverlapSec ?? 0))
    .map((e) => momentMatch(input, e.start, e.end, `${ROLE_ZH[c.by]}在对方说话时插话，重叠 ${round1(e.end - e.start)} 秒`, c.by));
}

function overlapMatches(input: ScoringInput, c: NonNullable<Leaf['overlap']>): Match[] {
  const both = intersect(union(talkSpans(input, 'agent')), union(talkSpans(input, 'customer')));
  const sum = total(both);
  if (sum < c.minTotalSec || both.length === 0) return [];
  return [momentMatch(input, both[0]!.start, both.at(-1)!.end, `双方同时说话合计 ${round1(sum)} 秒（≥ ${c.minTotalSec} 秒）`)];
}

/** Below this much speaking time a speech rate says little, so the operator does not judge. */
export const SPEECH_RATE_MIN_SEC = 20;

function speechRateMatches(input: ScoringInput, c: Leaf): Match[] {
  const turns = c.role ? input.segments.filter((s) => s.role === c.role) : input.segments;
  if (turns.length === 0 || total(turns) < SPEECH_RATE_MIN_SEC) return [];
  const rate = charsPerMinute(turns)!;
  const { above, below } = c.speechRate!;
  const who = c.role ? ROLE_ZH[c.role] : '双方';
  if (above !== undefined && rate > above) return [momentMatch(input, turns[0]!.start, turns.at(-1)!.end, `${who}语速 ${rate} 字/分钟（> ${above}）`, c.role)];
  if (below !== undefined && rate < below) return [momentMatch(input, turns[0]!.start, turns.at(-1)!.end, `${who}语速 ${rate} 字/分钟（< ${below}）`, c.role)];
  return [];
}

function metadataMatches(input: ScoringInput, c: NonNullable<Leaf['metadata']>): Match[] {
  if (input.segments.length === 0) return [];
  const meta = input.meta as Record<string, unknown>;
  const value = c.field === 'durationSec' ? input.durationSec : (meta[c.field] ?? input.meta.custom[c.field]);
  if (value === undefined || value === null) return [];
  if (c.in && !c.in.includes(String(value))) return [];
  if (c.min !== undefined || c.max !== undefined) {
    const n = Number(value);
    if (!Number.isFinite(n) || (c.min !== undefined && n < c.min) || (c.max !== undefined && n > c.max)) return [];
  }
  return [momentMatch(input, 0, 0, `${c.field} = ${String(value)}`)];
}

/** Tags by id; `wealth.*` takes every tag under wealth. */
function tagMatches(input: ScoringInput, wanted: string[]): Match[] {
  const hit = (id: string) => wanted.some((w) => (w.endsWith('.*') ? id.startsWith(w.slice(0, -1)) : id === w));
  return (input.tags ?? [])
    .filter((t) => hit(t.id))
    .flatMap((t): Match[] => {
      const seg = input.segments.find((s) => s.id === t.segmentIds[0]) ?? input.segments[0];
      return seg ? [{ segment: seg, start: seg.start, end: seg.end, quote: `${t.path}（${t.id}）` }] : [];
    });
}

/** From calm to upset: what "worsened" means for a side's emotion between the first and last third. */
const EMOTION_RANK: Record<string, number> = { positive: 0, neutral: 1, negative: 2, angry: 3 };

/** `scope: end`: the side's emotion over the last third; `scope: worsened`: it ends worse than it began, ending in a label listed. */
function emotionTrajectoryMatches(input: ScoringInput, c: Leaf): Match[] {
  const role = c.role === 'agent' ? 'agent' : 'customer';
  const end = input.emotionEnd?.[role];
  if (!end || !c.emotion!.labels.includes(end as 'neutral')) return [];
  const start = input.emotionStart?.[role];
  if (c.emotion!.scope === 'worsened' && !(start && (EMOTION_RANK[end] ?? 1) > (EMOTION_RANK[start] ?? 1))) return [];
  const last = input.segments.filter((s) => s.role === role).at(-1);
  if (!last) return [];
  const quote = c.emotion!.scope === 'worsened' ? `${ROLE_ZH[role]}情绪：${start} → ${end}` : `${ROLE_ZH[role]}结束时情绪：${end}`;
  return [{ segment: last, start: last.start, end: last.end, quote }];
}

/** Operators on the call as a whole or its timeline; their matches point at the nearest segment. */
export function callMatches(input: ScoringInput, c: Leaf): Match[] {
  if (c.silence) return silenceMatches(input, c.silence);
  if (c.interruption) return interruptionMatches(input, c.interruption);
  if (c.overlap) return overlapMatches(input, c.overlap);
  if (c.speechRate) return speechRateMatches(input, c);
  if (c.metadata) return metadataMatches(input, c.metadata);
  if (c.tag) return tagMatches(input, c.tag);
  if (c.emotion) return emotionTrajectoryMatches(input, c);
  return [];
}

/** Whether a phrase/lexicon condition reads the audio's keyword hits instead of the transcript. */
export function readsAudio(c: Leaf, input: ScoringInput): boolean {
  if (c.source === 'audio') return true;
  return c.source === 'auto' && !input.segments.some((s) => /[\p{L}\p{N}]/u.test(s.textMasked));
}

/**
 * Keyword-spotting hits as matches: a phrase names lexicon terms or spoken forms (投诉 matches a hit
 * for 我要投诉 of the term 投诉), a lexicon takes its terms' hits. Evidence points at the nearest
 * segment when there is a transcript, at none otherwise.
 */
export function audioKeywordMatches(input: ScoringInput, c: Leaf): Match[] {
  const phrases = c.phrase?.map(normalizeTerm);
  return (input.keywordHits ?? [])
    .filter((h) => (phrases ? phrases.includes(normalizeTerm(h.term)) || phrases.includes(normalizeTerm(h.form)) : h.lexicon === c.lexicon))
    .filter((h) => !c.role || h.role === c.role)
    .filter((h) => c.audioMinScore === undefined || h.score >= c.audioMinScore)
    .map((h) => ({
      segment: input.segments.length > 0 ? nearest(input.segments, h.start, h.role) : null,
      start: round2(h.start),
      end: round2(h.end),
      quote: `[音频] ${h.form}（${h.score.toFixed(2)}）`,
    }));
}
