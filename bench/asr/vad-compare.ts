/**
 * Which Silero VAD path finds speech best on 8 kHz telephone audio, against the exact turn times
 * of the 12 sample calls (per channel for stereo calls, both roles for mono ones): speech-frame
 * precision / recall / F1 on a 10 ms grid, turns missed, onset/offset error, speed.
 * - Silero v4 ONNX through sherpa-onnx (16 kHz only: ffmpeg resamples, 32 ms windows, one per call);
 * - Silero v4 ONNX through onnxruntime-node (asr/silero-vad.ts): at 16 kHz / 32 ms one window at a
 *   time (the same model and decision rules as sherpa-onnx: checks our port), then at 8 kHz (the
 *   calls' own rate) / 64 ms with batched lanes, its tuning, and the energy pre-gate (the default).
 * - with `--ggml`: Silero v6.2 ggml through whisper.cpp (slow: ~5× real time).
 * Prints a markdown table.
 *
 *   node --import tsx bench/asr/vad-compare.ts [--ggml]
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { vadChannel } from '../../asr/audio-analysis.ts';
import { decodeAudio, decodeFloatChannels } from '../../asr/ffmpeg.ts';
import { findSherpaVadModel, findVadModel } from '../../asr/models.ts';
import { detectSpeechSherpa } from '../../asr/sherpa-vad.ts';
import { detectSpeechSilero, SILERO_TUNING, type SileroRate } from '../../asr/silero-vad.ts';
import { VAD_OPTIONS, type VadTuning } from '../../asr/vad.ts';
import type { SpeechRegion } from '../../core/schemas.ts';
import { CALLS_DIR, MODELS_DIR, truthCalls } from '../../tests/helpers.ts';
import { compareToReference } from '../../tests/vad-metrics.ts';

const STEP = 0.01;
const calls = truthCalls();
const files = calls.map((c) => path.join(CALLS_DIR, c.audioFile));
const pcm16 = await Promise.all(files.map((f) => decodeAudio(f)));
const float: Record<SileroRate, Float32Array[][]> = {
  8000: await Promise.all(files.map((f) => decodeFloatChannels(f, 8000))),
  16000: await Promise.all(files.map((f) => decodeFloatChannels(f, 16000))),
};
const channelSec = pcm16.reduce((s, d) => s + d.durationSec * d.channels.length, 0);
const onnx = findSherpaVadModel(MODELS_DIR)!;

function grid(spans: Array<{ start: number; end: number }>, n: number): Uint8Array {
  const g = new Uint8Array(n);
  for (const s of spans) g.fill(1, Math.max(0, Math.round(s.start / STEP)), Math.min(n, Math.round(s.end / STEP)));
  return g;
}

/** One VAD path: the regions of every channel of call i. */
type Path = { name: string; thresholds: number[]; minSpeechMs?: number; run(i: number, threshold: number): Promise<SpeechRegion[]> };
const paths: Path[] = [
  {
    name: 'Silero v4 ONNX, sherpa-onnx, 16 kHz (ffmpeg resample), 32 ms',
    thresholds: process.argv.includes('--quick') ? [0.25] : [0.5, 0.25],
    run: async (i, threshold) => pcm16[i]!.channels.flatMap((pcm, ch) => detectSpeechSherpa(onnx, pcm, ch, { sampleRate: 16000, threads: 1, tuning: { threshold } })),
  },
  ...([
    // The previous default's decision rules on the same model and windows: checks asr/silero-vad.ts against sherpa-onnx.
    { rate: 16000, window: 512, lanes: 1, gateDb: null, tuning: { threshold: 0.25, minSpeechDurationMs: 250 } },
    { rate: 8000, window: 512, lanes: 32, gateDb: null, tuning: { threshold: 0.25, minSpeechDurationMs: 250 } },
    { rate: 8000, window: 512, lanes: 32, gateDb: null, tuning: {} },
    { rate: 8000, window: 512, lanes: 32, gateDb: 6, tuning: { threshold: 0.2 } },
    { rate: 8000, window: 512, lanes: 32, gateDb: 6, tuning: {} },
  ] as Array<{ rate: SileroRate; window: number; lanes: number; gateDb: number | null; tuning: VadTuning }>).map((v) => ({
    name: `Silero v4 ONNX, onnxruntime, ${v.rate / 1000} kHz, ${(v.window / v.rate) * 1000} ms, ${v.lanes === 1 ? 'sequential' : `${v.lanes} lanes`}, ${v.gateDb === null ? 'no gate' : `energy gate ${v.gateDb} dB`}`,
    thresholds: [v.tuning.threshold ?? SILERO_TUNING.threshold],
    minSpeechMs: v.tuning.minSpeechDurationMs ?? SILERO_TUNING.minSpeechDurationMs,
    run: (i: number, threshold: number) => detectSpeechSilero(onnx, float[v.rate][i]!, { ...v, threads: 1, tuning: { ...v.tuning, threshold } }),
  })),
];
if (process.argv.includes('--ggml')) {
  const ggml = findVadModel(MODELS_DIR)!;
  paths.unshift({
    name: 'Silero v6.2 ggml (whisper.cpp), 16 kHz',
    thresholds: [0.5, 0.25],
    run: async (i, threshold) => {
      const out: SpeechRegion[] = [];
      for (const [ch, pcm] of pcm16[i]!.channels.entries()) out.push(...(await vadChannel({ vadModel: ggml, threads: 1, vad: { threshold } }, pcm, ch)));
      return out;
    },
  });
}

console.log(`${calls.length} calls, ${(channelSec / 60).toFixed(1)} channel-minutes, 8 kHz telephone band; 1 thread; load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('| VAD | threshold, min speech | precision | recall | F1 | turns missed | false alarms | onset p50 / p90 | offset p50 / p90 | × real time (per channel) |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const m of paths) {
  await m.run(0, 0.5); // warm-up: session load
  for (const threshold of m.thresholds) {
    let tp = 0, fp = 0, fn = 0, secs = 0;
    const perCall: Array<{ reference: Array<{ channel: 'L' | 'R'; start: number; end: number }>; regions: SpeechRegion[] }> = [];
    for (const [i, c] of calls.entries()) {
      const d = pcm16[i]!;
      const n = Math.ceil(d.durationSec / STEP);
      const t0 = performance.now();
      const regions = await m.run(i, threshold);
      secs += (performance.now() - t0) / 1000;
      for (let ch = 0; ch < d.channels.length; ch++) {
        const ref = d.channels.length === 1 ? c.truth.segments : c.truth.segments.filter((s) => (s.channel === 'L' ? 0 : 1) === ch);
        const r = grid(ref, n);
        const h = grid(regions.filter((x) => x.channel === ch), n);
        for (let k = 0; k < n; k++) {
          if (h[k] && r[k]) tp++;
          else if (h[k]) fp++;
          else if (r[k]) fn++;
        }
      }
      // Turn-level figures per channel; a mono call's turns all count on its one channel.
      perCall.push({ reference: c.truth.segments.map((s) => ({ ...s, channel: d.channels.length === 1 ? 'L' : s.channel })), regions });
    }
    const p = tp / (tp + fp), r = tp / (tp + fn);
    const t = compareToReference(perCall);
    const f = (x: number) => x.toFixed(3);
    console.log(`| ${m.name} | ${threshold}, ${m.minSpeechMs ?? VAD_OPTIONS.minSpeechDurationMs} ms | ${f(p)} | ${f(r)} | ${f((2 * p * r) / (p + r))} | ${t.missed} / ${t.turns} | ${t.falseAlarms} | ${t.onset.p50.toFixed(2)} / ${t.onset.p90.toFixed(2)} s | ${t.offset.p50.toFixed(2)} / ${t.offset.p90.toFixed(2)} s | ${(channelSec / secs).toFixed(0)}× |`);
  }
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
