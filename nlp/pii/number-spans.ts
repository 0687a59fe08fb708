import { classifyDigits, cueBefore } from './classify-number.ts';
import { digitRuns, type DigitGroup } from './numerals.ts';
import type { PiiPart, PiiSegment, PiiSpan } from './types.ts';

// A segment may end a number that the speaker's next segment continues: only pauses/fillers
// may follow the last digits, and only a short lead-in (然后是…) may precede the next digits.
const TRAILS_OFF = /^[\s　，,、…。.\-—－嗯呃额啊]*$/;
const LEADS_IN = /^[\s　，,、…。.\-—－嗯呃额啊哦]*(?:然后是?|后面是?|接着是?|还有|再就是|下面是?)?[\s　，,、…：:嗯呃]*$/;
// The other speaker's back-channel between the two halves does not break the number.
const BACKCHANNEL = /^(?:[嗯哦噢啊好对是的您请讲说继续行]|好的|您说|请讲|请说|对的|是的)*$/;
const MAX_BACKCHANNEL_CHARS = 6;

function isBackchannel(text: string): boolean {
  const bare = text.replace(/[\s　，,。.！!？?、…~～]/g, '');
  return bare.length > 0 && bare.length <= MAX_BACKCHANNEL_CHARS && BACKCHANNEL.test(bare);
}

/** Index of the same speaker's next segment if a number may continue into it, else -1. */
function continuationOf(segments: PiiSegment[], i: number): number {
  const role = segments[i]!.role;
  for (let j = i + 1; j < segments.length; j++) {
    if (segments[j]!.role === role) return j;
    if (!isBackchannel(segments[j]!.text)) return -1;
  }
  return -1;
}

/** Digit runs of the whole conversation, joined across segment boundaries where allowed. */
function conversationRuns(segments: PiiSegment[]): DigitGroup[][] {
  const perSegment = segments.map((s, i) => digitRuns(s.text, i));
  const consumedFirst = new Set<number>();
  const runs: DigitGroup[][] = [];
  for (let i = 0; i < segments.length; i++) {
    const segRuns = perSegment[i]!;
    for (let r = consumedFirst.has(i) ? 1 : 0; r < segRuns.length; r++) {
      let run = segRuns[r]!;
      // Only a segment's last run can continue into the speaker's next segment.
      let seg = i;
      while (r === segRuns.length - 1) {
        const last = run[run.length - 1]!;
        if (!TRAILS_OFF.test(segments[seg]!.text.slice(last.end))) break;
        const next = continuationOf(segments, seg);
        if (next < 0) break;
        const first = perSegment[next]![0];
        if (!first || !LEADS_IN.test(segments[next]!.text.slice(0, first[0]!.start))) break;
        run = [...run, ...first];
        consumedFirst.add(next);
        seg = next;
        if (perSegment[next]!.length > 1) break;
      }
      runs.push(run);
    }
  }
  return runs;
}

function partsOf(groups: DigitGroup[]): PiiPart[] {
  const parts: PiiPart[] = [];
  for (const g of groups) {
    const last = parts[parts.length - 1];
    if (last && last.segmentIndex === g.segmentIndex) last.end = g.end;
    else parts.push({ segmentIndex: g.segmentIndex, start: g.start, end: g.end });
  }
  return parts;
}

// Punctuation that marks the end of one number and the start of another inside a run.
const STRONG_BREAK = /[，,、。；;/]/;
const MAX_DIGITS = 30;

/**
 * Numbers in a run: left to right, the longest stretch of whole groups that validates as a PII
 * number is taken (so "卡号，手机号" read in one breath still splits into two numbers). A run is
 * only split where the reader marked a break (punctuation, a new segment) or where both sides
 * are numbers of their own, so a long invalid number is not mined for a shorter valid one; the
 * one exception is a short lead (尾号9077 6217…) before a number that ends the run.
 */
export function numberSpans(segments: PiiSegment[]): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const run of conversationRuns(segments)) {
    const sepBefore = (k: number) => {
      const a = run[k - 1]!;
      const b = run[k]!;
      return a.segmentIndex !== b.segmentIndex ? null : segments[b.segmentIndex]!.text.slice(a.end, b.start);
    };
    // Groups k-1 and k belong to different numbers when a segment ends between them, or the
    // reader paused there with punctuation unlike the pauses inside the number i..j itself.
    const breakBefore = (k: number, i: number, j: number) => {
      const sep = sepBefore(k);
      if (sep === null) return true;
      if (!STRONG_BREAK.test(sep)) return false;
      for (let m = i + 1; m <= j; m++) if (sepBefore(m) === sep) return false;
      return true;
    };
    const classifyAt = (i: number, j: number) => {
      const first = run[i]!;
      const cue = cueBefore(segments[first.segmentIndex]!.text.slice(0, first.start));
      return classifyDigits(run.slice(i, j + 1).map((g) => g.digits).join(''), cue);
    };
    // Last group a number starting at group i can reach (no PII number is longer than 30 digits).
    const lastReach = (i: number) => {
      let j = i;
      for (let n = run[i]!.digits.length; j + 1 < run.length && n + run[j + 1]!.digits.length <= MAX_DIGITS; j++) {
        n += run[j + 1]!.digits.length;
      }
      return j;
    };
    const startsNumber = (k: number) => {
      for (let m = lastReach(k); m >= k; m--) if (classifyAt(k, m)) return true;
      return false;
    };
    let skipped = 0;
    for (let i = 0; i < run.length; ) {
      let taken = 0;
      for (let j = lastReach(i); j >= i && !taken; j--) {
        const atEnd = j === run.length - 1;
        const cleanStart = i === 0 || skipped === 0 || breakBefore(i, i, j) || (skipped <= 4 && atEnd);
        if (!cleanStart) continue;
        const found = classifyAt(i, j);
        if (!found || !(atEnd || breakBefore(j + 1, i, j) || startsNumber(j + 1))) continue;
        const parts = partsOf(run.slice(i, j + 1));
        spans.push({ ...found, ...parts[0]!, parts });
        taken = j - i + 1;
      }
      if (taken) {
        skipped = 0;
        i += taken;
      } else {
        skipped += run[i]!.digits.length;
        i += 1;
      }
    }
  }
  return spans;
}
