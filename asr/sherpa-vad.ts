import { existsSync } from 'node:fs';
import { CallScopeError, messageOf } from '../core/errors.ts';
import type { SpeechRegion } from '../core/schemas.ts';
import { PCM_RATE } from './ffmpeg.ts';
import { loadSherpa, type SherpaVad, toFloat32 } from './sherpa-binding.ts';
import { VAD_OPTIONS, type VadTuning } from './vad.ts';

/** Silero's ONNX window at 16 kHz. */
const WINDOW = 512;

/**
 * Silero VAD (ONNX, v4 or v5) through sherpa-onnx. The native VAD accepts 16 kHz only and a
 * config with any other rate ends the process ("Expected sample rate 16000", uncatchable), so the
 * rate is refused here, before native code sees it; ffmpeg resamples telephone audio first.
 */
export function detectSpeechSherpa(
  modelPath: string,
  pcm: Int16Array,
  channel: number,
  opts: { sampleRate: number; threads: number; tuning?: VadTuning },
): SpeechRegion[] {
  if (opts.sampleRate !== PCM_RATE) {
    throw new CallScopeError('ASR_FAILED', `the sherpa-onnx Silero VAD needs ${PCM_RATE} Hz audio, got ${opts.sampleRate} Hz (resample with ffmpeg first)`);
  }
  if (!existsSync(modelPath)) throw new CallScopeError('ASR_MODEL_MISSING', `no Silero VAD model at ${modelPath}`);
  if (pcm.length < PCM_RATE / 10) return [];
  const t = { ...VAD_OPTIONS, ...opts.tuning };
  let vad: SherpaVad;
  try {
    vad = new (loadSherpa().Vad)(
      {
        sileroVad: {
          model: modelPath,
          threshold: t.threshold,
          minSilenceDuration: t.minSilenceDurationMs / 1000,
          minSpeechDuration: t.minSpeechDurationMs / 1000,
          maxSpeechDuration: t.maxSpeechDurationS,
          windowSize: WINDOW,
        },
        sampleRate: PCM_RATE,
        numThreads: opts.threads,
        provider: 'cpu',
        debug: 0,
      },
      // Buffer: the longest speech segment it may have to hold, plus slack.
      t.maxSpeechDurationS + 30,
    );
  } catch (err) {
    throw new CallScopeError('ASR_MODEL_MISSING', `cannot load the VAD model ${modelPath}: ${messageOf(err)}`);
  }
  const regions: SpeechRegion[] = [];
  const pad = t.speechPadMs / 1000;
  const totalSec = pcm.length / PCM_RATE;
  const drain = () => {
    while (!vad.isEmpty()) {
      const seg = vad.front(false);
      const start = seg.start / PCM_RATE;
      regions.push({ channel, start: Math.max(0, start - pad), end: Math.min(totalSec, start + seg.samples.length / PCM_RATE + pad) });
      vad.pop();
    }
  };
  // Window by window: a float copy of a whole hour-long channel would cost 230 MB.
  for (let i = 0; i + WINDOW <= pcm.length; i += WINDOW) {
    vad.acceptWaveform(toFloat32(pcm.subarray(i, i + WINDOW)));
    drain();
  }
  vad.flush();
  drain();
  return regions.map((r) => ({ channel, start: round2(r.start), end: round2(r.end) }));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
