import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

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
