/**
 * How well Silero VAD (whisper.cpp, ggml v6.2) finds the reference turns of the synthetic stereo
 * calls, per threshold, beside the raw VAD speed. Prints a table; used to choose VAD_OPTIONS and the
 * tolerance of tests/integration/pipeline.test.ts.
 *
 *   node --import tsx bench/asr/vad-vs-reference.ts [thresholds…]
 */
import path from 'node:path';
import { decodeAudio } from '../../asr/ffmpeg.ts';
import type { SpeechRegion } from '../../core/schemas.ts';
import { findVadModel } from '../../asr/models.ts';
import { detectSpeech } from '../../asr/vad.ts';
import { CALLS_DIR, MODELS_DIR, truthCalls } from '../../tests/helpers.ts';
import { compareToReference } from '../../tests/vad-metrics.ts';

const thresholds = process.argv.slice(2).map(Number);
const vadModel = findVadModel(MODELS_DIR)!;
const calls = truthCalls().filter((c) => c.audio.channels === 2);
const decoded = await Promise.all(calls.map((c) => decodeAudio(path.join(CALLS_DIR, c.audioFile))));
const audioSec = decoded.reduce((s, d) => s + d.durationSec * d.channels.length, 0);

console.log(`${calls.length} stereo calls, ${(audioSec / 60).toFixed(1)} channel-minutes of audio`);
console.log('| threshold | turns | missed | false alarms | onset p50 | onset p90 | offset p50 | offset p90 | VAD × real time |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const threshold of thresholds.length ? thresholds : [0.5, 0.35, 0.25, 0.15]) {
  const t0 = performance.now();
  const found: SpeechRegion[][] = [];
  for (const d of decoded) {
    const regions: SpeechRegion[] = [];
    for (const [ch, pcm] of d.channels.entries()) regions.push(...(await detectSpeech(vadModel, pcm, ch, 2, { threshold })));
    found.push(regions);
  }
  const secs = (performance.now() - t0) / 1000;
  const m = compareToReference(calls.map((c, i) => ({ reference: c.truth.segments, regions: found[i]! })));
  console.log(
    `| ${threshold} | ${m.turns} | ${m.missed} | ${m.falseAlarms} | ${m.onset.p50.toFixed(2)} s | ${m.onset.p90.toFixed(2)} s | ${m.offset.p50.toFixed(2)} s | ${m.offset.p90.toFixed(2)} s | ${(audioSec / secs).toFixed(0)}× |`,
  );
}
