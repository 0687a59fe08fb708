import { CallScopeError, messageOf } from '../core/errors.ts';

/** The parts of @fugood/whisper.node (whisper.cpp 1.9) that CallScope uses. Times are in 10 ms units. */
export type WhisperSegment = { text: string; t0: number; t1: number };
export type WhisperContext = {
  transcribeData(
    pcm: ArrayBuffer,
    options: { language?: string; maxThreads?: number; prompt?: string; temperatureInc?: number },
  ): { stop: () => Promise<void>; promise: Promise<{ result: string; segments: WhisperSegment[]; isAborted: boolean }> };
  release(): Promise<void>;
};
export type VadContext = {
  detectSpeechData(
    pcm: ArrayBuffer,
    options: {
      threshold?: number;
      minSpeechDurationMs?: number;
      minSilenceDurationMs?: number;
      speechPadMs?: number;
      maxSpeechDurationS?: number;
    },
  ): Promise<Array<{ t0: number; t1: number }>>;
  release(): Promise<void>;
};
type Binding = {
  initWhisper(o: { filePath: string; useGpu?: boolean }): Promise<WhisperContext>;
  initWhisperVad(o: { filePath: string; useGpu?: boolean; nThreads?: number }): Promise<VadContext>;
};

let binding: Promise<Binding> | undefined;

/**
 * Loads the native whisper.cpp binding once. It prints every step to stderr (a JS log callback
 * deadlocks during model init), so it runs inside the ASR host process, whose stderr we capture.
 */
export function whisperBinding(): Promise<Binding> {
  binding ??= (async () => {
    try {
      // A variable specifier keeps tsc out of the package's shipped .ts sources (CommonJS, not type-checkable here).
      const specifier = '@fugood/whisper.node';
      const mod = (await import(specifier)) as Binding & { default?: Binding };
      const b = typeof mod.initWhisper === 'function' ? mod : (mod.default as Binding);
      return b;
    } catch (err) {
      throw new CallScopeError('STAGE_FAILED', `cannot load the whisper.cpp binding: ${messageOf(err)}`);
    }
  })();
  return binding;
}

/** whisper.cpp wants an ArrayBuffer holding exactly the samples. */
export function pcmBuffer(pcm: Int16Array): ArrayBuffer {
  return pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength) as ArrayBuffer;
}
