import type { SpeechRegion } from '../core/schemas.ts';

type Turn = { channel: 'L' | 'R'; start: number; end: number };
export type VadMetrics = {
  turns: number;
  missed: number;
  falseAlarms: number;
  onset: { p50: number; p90: number; max: number };
  offset: { p50: number; p90: number; max: number };
};

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(q * (s.length - 1))] ?? NaN;
};

/**
 * Reference turns vs VAD regions on the same channel: a turn is found when a region overlaps it;
 * its onset/offset error is |first region start − turn start| and |last region end − turn end|.
 * A region more than 0.5 s away from every reference turn of its channel is a false alarm.
 */
export function compareToReference(calls: Array<{ reference: Turn[]; regions: SpeechRegion[] }>): VadMetrics {
  const onsets: number[] = [];
  const offsets: number[] = [];
  let turns = 0;
  let missed = 0;
  let falseAlarms = 0;
  for (const { reference, regions } of calls) {
    for (const t of reference) {
      turns++;
      const ch = t.channel === 'L' ? 0 : 1;
      const hit = regions.filter((r) => r.channel === ch && r.end > t.start && r.start < t.end);
      if (hit.length === 0) {
        missed++;
        continue;
      }
      onsets.push(Math.abs(hit[0]!.start - t.start));
      offsets.push(Math.abs(hit.at(-1)!.end - t.end));
    }
    for (const r of regions) {
      const mine = reference.filter((t) => (t.channel === 'L' ? 0 : 1) === r.channel);
      if (!mine.some((t) => r.end > t.start - 0.5 && r.start < t.end + 0.5)) falseAlarms++;
    }
  }
  const stats = (xs: number[]) => ({ p50: quantile(xs, 0.5), p90: quantile(xs, 0.9), max: Math.max(...xs) });
  return { turns, missed, falseAlarms, onset: stats(onsets), offset: stats(offsets) };
}
