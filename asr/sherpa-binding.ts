import { createRequire } from 'node:module';
import { CallScopeError, messageOf } from '../core/errors.ts';

/**
 * The parts of sherpa-onnx-node (1.13.8) CallScope uses. Native code: load it only inside the ASR
 * host child process. Some misuse cannot be caught (a VAD at a rate other than 16 kHz, a hot-word
 * stream on a Paraformer model: the process exits), so the callers guard those before the call.
 */
export type SherpaOfflineStream = { acceptWaveform(w: { samples: Float32Array; sampleRate: number }): void };
export type SherpaOfflineRecognizer = {
  createStream(hotwords?: string): SherpaOfflineStream;
  decode(s: SherpaOfflineStream): void;
  getResult(s: SherpaOfflineStream): { text: string; tokens: string[]; timestamps: number[] };
};
export type SherpaVad = {
  acceptWaveform(samples: Float32Array): void;
  isEmpty(): boolean;
  front(enableExternalBuffer?: boolean): { start: number; samples: Float32Array };
  pop(): void;
  flush(): void;
};
export type SherpaModule = {
  OfflineRecognizer: new (cfg: unknown) => SherpaOfflineRecognizer;
  Vad: new (cfg: unknown, bufferSizeInSeconds: number) => SherpaVad;
  KeywordSpotter: new (cfg: unknown) => unknown;
  OnlineRecognizer: new (cfg: unknown) => unknown;
};

const require = createRequire(import.meta.url);
let sherpa: SherpaModule | undefined;

export function loadSherpa(): SherpaModule {
  try {
    sherpa ??= require('sherpa-onnx-node') as SherpaModule;
  } catch (err) {
    throw new CallScopeError('STAGE_FAILED', `cannot load sherpa-onnx-node: ${messageOf(err)}`);
  }
  return sherpa;
}

/** sherpa-onnx takes float samples in [-1, 1]. */
export function toFloat32(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i]! / 32768;
  return out;
}
