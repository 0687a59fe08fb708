import { describe, expect, it } from 'vitest';
import { computeAcoustics } from '../../asr/acoustics.ts';
import type { RawSegment } from '../../asr/transcript.ts';
import { packWindows } from '../../asr/whisper-engine.ts';

const r = (channel: number, start: number, end: number) => ({ channel, start, end });
const s = (role: 'agent' | 'customer', start: number, end: number, text: string): RawSegment => ({ role, start, end, text });

describe('acoustics from stereo VAD regions', () => {
  // Agent 0–10 (with a 0.3 s breath at 5 s), customer 11–20, a 12 s hole, then the agent
  // starts at 31 and the customer cuts in at 33 while the agent keeps talking until 36.
  const speech = [r(0, 0, 5), r(0, 5.3, 10), r(1, 11, 20), r(0, 32, 36), r(1, 33, 40)];
  const segments = [s('agent', 0, 10, '一二三四五六七八九十'), s('customer', 11, 20, '一二三'), s('agent', 32, 36, '四五'), s('customer', 33, 40, '六七')];
  const a = computeAcoustics({ durationSec: 40, segments, speech, stereo: true });

  it('counts only gaps of 3 s or more as silence', () => {
    expect(a.silenceSec).toBe(12);
    expect(a.longestSilenceSec).toBe(12);
    expect(a.silenceRatio).toBe(0.3);
  });

  it('measures overlap and who interrupted whom', () => {
    expect(a.overlapSec).toBe(3);
    expect(a.interruptions).toEqual({ agent: 0, customer: 1 });
  });

  it('computes talk share and characters per minute', () => {
    // agent 10 + 4 = 14 s, customer 9 + 7 = 16 s
    expect(a.talkRatio).toBeCloseTo(14 / 30, 2);
    expect(a.speechRateCpm.agent).toBe(Math.round(12 / (14 / 60)));
  });

  it('does not count a breath inside a turn as an interruption', () => {
    const b = computeAcoustics({ durationSec: 20, segments: [], speech: [r(1, 0, 10), r(0, 9.9, 10.2), r(1, 10.1, 15)], stereo: true });
    expect(b.interruptions.agent).toBe(0);
  });
});

describe('whisper windows', () => {
  it('packs VAD regions into windows of at most 28 s and splits long speech', () => {
    const w = packWindows([r(0, 1, 5), r(0, 6, 10), r(0, 40, 100)], 120);
    expect(w[0]).toEqual({ start: 0.8, end: 10.2 });
    expect(w.slice(1).every((x) => x.end - x.start <= 28)).toBe(true);
    expect(w.at(-1)!.end).toBeCloseTo(100.2);
  });
});
