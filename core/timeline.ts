/** Time spans on a call's timeline (seconds), shared by acoustics (asr/) and scoring rules. */
export type Span = { start: number; end: number };
export type RoleSpan = Span & { role: 'agent' | 'customer' | 'unknown' };

/** An overlap shorter than this is back-channel noise, not talking over someone. */
export const INTERRUPTION_MIN_OVERLAP_SEC = 0.5;
/** VAD splits a turn at breaths; pauses shorter than this stay inside the turn. */
export const TURN_PAUSE_SEC = 0.6;

/** Merges spans that overlap or sit closer than `bridge` seconds (pauses inside one turn). */
export function union(spans: Span[], bridge = 0): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last && s.start <= last.end + bridge) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

export function total(spans: Span[]): number {
  return spans.reduce((sum, s) => sum + (s.end - s.start), 0);
}

export function intersect(a: Span[], b: Span[]): Span[] {
  const out: Span[] = [];
  for (const x of a) for (const y of b) {
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (end > start) out.push({ start, end });
  }
  return out;
}

/** The gaps of at least `minSec` between consecutive stretches of activity. */
export function gaps(activity: Span[], minSec: number): Span[] {
  const merged = union(activity);
  const out: Span[] = [];
  for (let i = 1; i < merged.length; i++) {
    const g = { start: merged[i - 1]!.end, end: merged[i]!.start };
    if (g.end - g.start >= minSec) out.push(g);
  }
  return out;
}

/**
 * Each time `by` starts a turn while `over` is mid-turn and both then talk for at least
 * INTERRUPTION_MIN_OVERLAP_SEC: the span is the overlap.
 */
export function interruptions(by: Span[], over: Span[]): Span[] {
  const mine = union(by, TURN_PAUSE_SEC);
  const theirs = union(over, TURN_PAUSE_SEC);
  const out: Span[] = [];
  for (const s of mine) {
    const talking = theirs.find((o) => o.start < s.start && o.end > s.start);
    if (talking && Math.min(talking.end, s.end) - s.start >= INTERRUPTION_MIN_OVERLAP_SEC) {
      out.push({ start: s.start, end: Math.min(talking.end, s.end) });
    }
  }
  return out;
}

/** Characters per minute of speaking time (punctuation and spaces not counted); null without speaking time. */
export function charsPerMinute(turns: Array<Span & { text: string }>): number | null {
  const minutes = total(turns) / 60;
  if (minutes <= 0) return null;
  const chars = turns.reduce((n, s) => n + s.text.replace(/[\s\p{P}]/gu, '').length, 0);
  return Math.round(chars / minutes);
}
