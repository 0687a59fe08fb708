/**
 * Which Silero VAD finds speech best on 8 kHz telephone audio (resampled to 16 kHz by ffmpeg):
 * the ggml v6.2 model through whisper.cpp vs the ONNX v4 model through sherpa-onnx, at Silero's
 * default threshold 0.5 and at 0.25, against the exact turn times of the 12 sample calls (per
 * channel for stereo calls, both roles for mono ones). Speech-frame precision / recall / F1 on a
 * 10 ms grid, turns missed, onset/offset error, speed. Prints a markdown table.
 *
 *   node --import tsx bench/asr/vad-compare.ts
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { vadChannel } from '../../asr/audio-analysis.ts';
import { decodeAudio } from '../../asr/ffmpeg.ts';
import { findSherpaVadModel, findVadModel } from '../../asr/models.ts';
import type { SpeechRegion } from '../../core/schemas.ts';
import { CALLS_DIR, MODELS_DIR, truthCalls } from '../../tests/helpers.ts';
import { compareToReference } from '../../tests/vad-metrics.ts';

const STEP = 0.01;
const calls = truthCalls();
const decoded = [];
for (const c of calls) decoded.push(await decodeAudio(path.join(CALLS_DIR, c.audioFile)));
const channelSec = decoded.reduce((s, d) => s + d.durationSec * d.channels.length, 0);

function grid(spans: Array<{ start: number; end: number }>, n: number): Uint8Array {
  const g = new Uint8Array(n);
  for (const s of spans) g.fill(1, Math.max(0, Math.round(s.start / STEP)), Math.min(n, Math.round(s.end / STEP)));
  return g;
}

const models = [
  { name: 'Silero v6.2 ggml (whisper.cpp)', file: findVadModel(MODELS_DIR)! },
  { name: 'Silero v4 ONNX (sherpa-onnx)', file: findSherpaVadModel(MODELS_DIR)! },
];
console.log(`${calls.length} calls, ${(channelSec / 60).toFixed(1)} channel-minutes, 8 kHz telephone band → 16 kHz by ffmpeg; load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('| VAD | threshold | precision | recall | F1 | turns missed | false alarms | onset p50 / p90 | offset p50 / p90 | × real time |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const m of models) {
  for (const threshold of [0.5, 0.25]) {
    let tp = 0, fp = 0, fn = 0, secs = 0;
    const perCall: Array<{ reference: Array<{ channel: 'L' | 'R'; start: number; end: number }>; regions: SpeechRegion[] }> = [];
    for (const [i, c] of calls.entries()) {
      const d = decoded[i]!;
      const n = Math.ceil(d.durationSec / STEP);
      const regions: SpeechRegion[] = [];
      for (const [ch, pcm] of d.channels.entries()) {
        const t0 = performance.now();
        const found = await vadChannel({ vadModel: m.file, threads: 1, vad: { threshold } }, pcm, ch);
        secs += (performance.now() - t0) / 1000;
        regions.push(...found);
        const ref = d.channels.length === 1 ? c.truth.segments : c.truth.segments.filter((s) => (s.channel === 'L' ? 0 : 1) === ch);
        const r = grid(ref, n);
        const h = grid(found, n);
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
    console.log(`| ${m.name} | ${threshold} | ${f(p)} | ${f(r)} | ${f((2 * p * r) / (p + r))} | ${t.missed} / ${t.turns} | ${t.falseAlarms} | ${t.onset.p50.toFixed(2)} / ${t.onset.p90.toFixed(2)} s | ${t.offset.p50.toFixed(2)} / ${t.offset.p90.toFixed(2)} s | ${(channelSec / secs).toFixed(0)}× |`);
  }
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
