import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { EngineRequest } from './audio-analysis.ts';
import { findParaformerModel, PARAFORMER_DIRS, PARAFORMER_DOWNLOAD_HINT } from './paraformer-engine.ts';

/**
 * Where model files live under CALLSCOPE_MODELS. Files named `for-tests-*` are whisper.cpp's
 * structure-only fixtures: never picked automatically for real transcription, except the
 * Silero v6.2 VAD fixture, which upstream ships with real weights.
 */
function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export function findVadModel(modelsDir: string): string | null {
  const dir = path.join(modelsDir, 'asr', 'vad');
  const files = listDir(dir).filter((f) => /silero.*\.bin$/.test(f));
  const preferred = files.find((f) => f.startsWith('ggml-silero')) ?? files[0];
  return preferred ? path.join(dir, preferred) : null;
}

/** A real whisper.cpp model, e.g. `asr/whisper/ggml-small.bin` as published by whisper.cpp. */
export function findWhisperModel(modelsDir: string): string | null {
  const dir = path.join(modelsDir, 'asr', 'whisper');
  const order = ['large-v3-turbo', 'large-v3', 'medium', 'small', 'base', 'tiny'];
  const files = listDir(dir).filter((f) => /^ggml-.*\.bin$/.test(f));
  files.sort((a, b) => rank(a) - rank(b));
  function rank(f: string): number {
    const i = order.findIndex((o) => f.startsWith(`ggml-${o}`));
    return i < 0 ? order.length : i;
  }
  return files[0] ? path.join(dir, files[0]) : null;
}

/** A Silero ONNX VAD model (`asr/vad/*silero*.onnx`, run by asr/silero-vad.ts), or null. */
export function findSherpaVadModel(modelsDir: string): string | null {
  const dir = path.join(modelsDir, 'asr', 'vad');
  const files = listDir(dir).filter((f) => /silero.*\.onnx$/.test(f));
  return files[0] ? path.join(dir, files[0]) : null;
}

export type EngineChoice = { engine: EngineRequest | null; missing: string | null };

/**
 * The engine for calls without a vendor transcript. `auto` prefers Paraformer (a Mandarin model)
 * when installed, then whisper.cpp. `missing` says what to install when nothing fits; the caller
 * reports it only after the audio itself decoded (a broken file is reported as such first).
 */
export function selectAsrEngine(modelsDir: string, preference: 'auto' | 'whisper' | 'paraformer'): EngineChoice {
  const paraformer = preference === 'whisper' ? null : findParaformerModel(modelsDir);
  if (paraformer) return { engine: { kind: 'paraformer', files: paraformer }, missing: null };
  const whisper = preference === 'paraformer' ? null : findWhisperModel(modelsDir);
  if (whisper) return { engine: { kind: 'whisper', model: whisper }, missing: null };
  const wanted =
    preference === 'paraformer'
      ? `no Paraformer model under ${modelsDir}/asr (${PARAFORMER_DIRS[0]}/model.int8.onnx and tokens.txt); run \`${PARAFORMER_DOWNLOAD_HINT}\``
      : preference === 'whisper'
        ? `no whisper model is installed under ${modelsDir}/asr/whisper (ggml-*.bin); run \`callscope models download --engine whisper\``
        : `no ASR model is installed under ${modelsDir}/asr (Paraformer or whisper ggml-*.bin); run \`callscope models download\``;
  return { engine: null, missing: wanted };
}

/**
 * The VAD the transcribe stage uses. `auto`: the Silero ONNX model when installed — run by
 * onnxruntime at 8 kHz (asr/silero-vad.ts) it found more speech than the ggml v6.2 model through
 * whisper.cpp (F1 0.948 vs 0.925, 3 vs 5 of 188 turns missed on the 12 sample calls) at ~30× its
 * speed (bench/asr/vad-compare.ts, docs/asr.md) — else the ggml model.
 */
export function selectVadModel(modelsDir: string, preference: 'auto' | 'sherpa' | 'whisper'): string | null {
  if (preference !== 'whisper') {
    const onnx = findSherpaVadModel(modelsDir);
    if (onnx || preference === 'sherpa') return onnx;
  }
  return findVadModel(modelsDir);
}
