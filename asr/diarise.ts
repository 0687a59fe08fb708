import type { SpeechRegion } from '../core/schemas.ts';
import type { PcmSource } from './pcm-source.ts';
import { FRAMES_PER_SEC, frameFeatures, HOP, N_MFCC } from './speaker-features.ts';

/**
 * Two-speaker diarisation of a mono call without a neural speaker model (none can be had here):
 *
 * 1. the VAD speech regions are cut into windows of about WINDOW_SEC;
 * 2. each window is described by its mean MFCCs (spectral envelope: timbre), the median log pitch
 *    of its voiced frames and their share (voice height), computed in asr/speaker-features.ts;
 * 3. the features are z-scored over the call and the windows split into two clusters by k-means
 *    (deterministic farthest-pair start);
 * 4. turn smoothing by a two-state Viterbi: each speaker a diagonal Gaussian fitted to its
 *    cluster, a switch probability that grows with the pause before a window (speakers change at
 *    pauses, rarely mid-phrase); re-fitted and re-decoded until the labels settle (≤ 5 rounds);
 * 5. consecutive windows of one speaker become segments, S1 being whoever speaks first.
 *
 * Weights (pitch 1, acoustics 0.5 against the switch prior, 0.8 s windows) were chosen on the 12
 * dev calls (bench/asr/diarisation.ts); the pitch weight and window length barely matter there.
 *
 * Measured against the exact truth of the sample calls in bench/asr/diarisation.ts (docs/asr.md).
 */
export type Speaker = 'S1' | 'S2';
export type DiarSegment = { start: number; end: number; speaker: Speaker };

export const WINDOW_SEC = 0.8;
/** Frames analysed per window: every other 10 ms frame is plenty for averages. */
const FRAME_STEP = 2;
export const PITCH_WEIGHT = 1;

type Window = { start: number; end: number; region: number; features: number[] };

/** Samples a frame's features read past its start (the 40 ms pitch window). */
const FRAME_READ = 640;

type Planned = { start: number; end: number; region: number; f0: number; to: number };

/** The windows of the speech regions in time order; frames f0… of each are read up to sample `to`. */
function windowPlan(regions: SpeechRegion[]): Planned[] {
  const out: Planned[] = [];
  const sorted = [...regions].sort((a, b) => a.start - b.start);
  sorted.forEach((r, region) => {
    const dur = r.end - r.start;
    const n = Math.max(1, Math.round(dur / WINDOW_SEC));
    for (let w = 0; w < n; w++) {
      const start = r.start + (dur * w) / n;
      const end = r.start + (dur * (w + 1)) / n;
      out.push({ start, end, region, f0: Math.floor(start * FRAMES_PER_SEC), to: Math.floor(end * FRAMES_PER_SEC) * HOP + FRAME_READ });
    }
  });
  return out;
}

const described = (w: Planned, features: number[] | null): Window[] => (features ? [{ start: w.start, end: w.end, region: w.region, features }] : []);

/**
 * Mean MFCCs of the louder frames, median log pitch and voiced share; null when nothing is voiced
 * enough. `pcm` starts at frame `f0` and reaches FRAME_READ samples past the window's last frame
 * (or the channel's end, `total` samples).
 */
function describe(pcm: Int16Array, f0: number, end: number, total: number): number[] | null {
  const f1 = Math.min(Math.floor(end * FRAMES_PER_SEC), Math.floor(total / HOP) - 3);
  const frames = [];
  for (let i = f0; i < f1; i += FRAME_STEP) frames.push(frameFeatures(pcm, i - f0));
  if (frames.length === 0) return null;
  const loudest = Math.max(...frames.map((f) => f.logEnergy));
  const speech = frames.filter((f) => f.logEnergy > loudest - 5);
  const mean = new Array<number>(N_MFCC).fill(0);
  for (const f of speech) for (let k = 0; k < N_MFCC; k++) mean[k]! += f.mfcc[k]! / speech.length;
  const pitches = speech.flatMap((f) => (f.pitchHz ? [Math.log(f.pitchHz)] : [])).sort((a, b) => a - b);
  const voiced = pitches.length / speech.length;
  const logPitch = pitches.length > 0 ? pitches[Math.floor(pitches.length / 2)]! : NaN;
  return [...mean, logPitch, voiced];
}

/** z-scores per dimension; a missing pitch becomes the call's mean (it then says nothing). */
function standardise(rows: number[][], weights: number[]): number[][] {
  const dims = rows[0]?.length ?? 0;
  const out = rows.map((r) => [...r]);
  for (let d = 0; d < dims; d++) {
    const vals = rows.map((r) => r[d]!).filter((v) => Number.isFinite(v));
    const mean = vals.reduce((a, b) => a + b, 0) / Math.max(1, vals.length);
    const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, vals.length)) || 1;
    for (const r of out) r[d] = Number.isFinite(r[d]!) ? ((r[d]! - mean) / sd) * (weights[d] ?? 1) : 0;
  }
  return out;
}

const dist2 = (a: number[], b: number[]) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0);

/** k-means with k = 2 from the farthest pair (deterministic). */
export function twoMeans(points: number[][]): number[] {
  if (points.length < 2) return points.map(() => 0);
  const first = points.reduce((bi, p, i) => (dist2(p, points[0]!) > dist2(points[bi]!, points[0]!) ? i : bi), 0);
  const second = points.reduce((bi, p, i) => (dist2(p, points[first]!) > dist2(points[bi]!, points[first]!) ? i : bi), 0);
  let centres = [points[first]!, points[second]!];
  let labels = points.map(() => 0);
  for (let iter = 0; iter < 50; iter++) {
    const next = points.map((p) => (dist2(p, centres[0]!) <= dist2(p, centres[1]!) ? 0 : 1));
    const changed = next.some((l, i) => l !== labels[i]);
    labels = next;
    centres = [0, 1].map((c) => {
      const members = points.filter((_, i) => labels[i] === c);
      if (members.length === 0) return centres[c]!;
      return members[0]!.map((_, d) => members.reduce((s, m) => s + m[d]!, 0) / members.length);
    });
    if (!changed && iter > 0) break;
  }
  return labels;
}

/** P(the other speaker talks next | pause before this unit): turns change at longer pauses, holds are often followed by the same agent. */
export function switchProbability(gapSec: number): number {
  if (gapSec < 0.25) return 0.1;
  if (gapSec < 0.6) return 0.35;
  if (gapSec < 3) return 0.75;
  return 0.5;
}

type Gauss = { mean: number[]; variance: number[] };

function fit(points: number[][], labels: number[], c: number): Gauss | null {
  const members = points.filter((_, i) => labels[i] === c);
  if (members.length < 2) return null;
  const dims = members[0]!.length;
  const mean = Array.from({ length: dims }, (_, d) => members.reduce((s, m) => s + m[d]!, 0) / members.length);
  const variance = Array.from({ length: dims }, (_, d) => Math.max(0.05, members.reduce((s, m) => s + (m[d]! - mean[d]!) ** 2, 0) / members.length));
  return { mean, variance };
}

/** Mean per-dimension Gaussian log-likelihood: comparable across calls whatever the feature count. */
function logLik(x: number[], g: Gauss): number {
  let s = 0;
  for (let d = 0; d < x.length; d++) s += -0.5 * (((x[d]! - g.mean[d]!) ** 2) / g.variance[d]! + Math.log(g.variance[d]!));
  return s / x.length;
}

/**
 * Two-state Viterbi over the units in time order: acoustic likelihood under each speaker's
 * Gaussian (scaled by the unit's length, capped) plus the pause-dependent switch probability.
 */
function viterbi(windows: Window[], points: number[][], g: [Gauss, Gauss]): number[] {
  const n = windows.length;
  const score: number[][] = [];
  const back: number[][] = [];
  for (let i = 0; i < n; i++) {
    const w = windows[i]!;
    const weight = ACOUSTIC_WEIGHT * Math.min(3, (w.end - w.start) / WINDOW_SEC);
    const emit = [0, 1].map((c) => weight * logLik(points[i]!, g[c]!));
    if (i === 0) {
      score.push(emit);
      back.push([0, 1]);
      continue;
    }
    const p = switchProbability(w.start - windows[i - 1]!.end);
    const row: number[] = [];
    const from: number[] = [];
    for (const c of [0, 1]) {
      const stay = score[i - 1]![c]! + Math.log(1 - p);
      const sw = score[i - 1]![1 - c]! + Math.log(p);
      row.push(Math.max(stay, sw) + emit[c]!);
      from.push(stay >= sw ? c : 1 - c);
    }
    score.push(row);
    back.push(from);
  }
  const labels = new Array<number>(n);
  labels[n - 1] = score[n - 1]![0]! >= score[n - 1]![1]! ? 0 : 1;
  for (let i = n - 1; i > 0; i--) labels[i - 1] = back[i]![labels[i]!]!;
  return labels;
}

export const ACOUSTIC_WEIGHT = 0.5;


/**
 * Who speaks when in a mono channel, reading only each window's frames, in time order: from a
 * stream (asr/pcm-source.ts) one window is in memory at a time, never the channel.
 */
export async function diariseAudio(audio: PcmSource, regions: SpeechRegion[]): Promise<DiarSegment[]> {
  const windows: Window[] = [];
  /** Samples in the channel, once a read has reached its end (before that the clamp in describe cannot apply). */
  let total = Infinity;
  for (const w of windowPlan(regions)) {
    const pcm = await audio.read(w.f0 * HOP, w.to);
    if (pcm.length < w.to - w.f0 * HOP) total = Math.min(total, w.f0 * HOP + pcm.length);
    windows.push(...described(w, describe(pcm, w.f0, w.end, total)));
  }
  return clusterWindows(windows);
}

/** The same on a whole channel in memory (tests, benches): the same windows, the same result. */
export function diarise(pcm: Int16Array, regions: SpeechRegion[]): DiarSegment[] {
  return clusterWindows(windowPlan(regions).flatMap((w) => described(w, describe(pcm.subarray(w.f0 * HOP), w.f0, w.end, pcm.length))));
}

function clusterWindows(windows: Window[]): DiarSegment[] {
  if (windows.length === 0) return [];
  const weights = [...new Array<number>(N_MFCC).fill(1), PITCH_WEIGHT, 1];
  const points = standardise(windows.map((w) => w.features), weights);
  let labels = twoMeans(points);
  for (let iter = 0; iter < 5; iter++) {
    const g0 = fit(points, labels, 0);
    const g1 = fit(points, labels, 1);
    if (!g0 || !g1) break;
    const next = viterbi(windows, points, [g0, g1]);
    const changed = next.some((l, i) => l !== labels[i]);
    labels = next;
    if (!changed) break;
  }
  const firstLabel = labels[0]!;
  const segs: DiarSegment[] = [];
  windows.forEach((w, i) => {
    const speaker: Speaker = labels[i] === firstLabel ? 'S1' : 'S2';
    const last = segs.at(-1);
    if (last && last.speaker === speaker && w.start - last.end < 0.05) last.end = w.end;
    else segs.push({ start: w.start, end: w.end, speaker });
  });
  return segs.map((s) => ({ ...s, start: round2(s.start), end: round2(s.end) }));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
