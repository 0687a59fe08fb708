import type { SpeechRegion } from '../core/schemas.ts';

export type EngineSegment = { start: number; end: number; text: string };

/** One interface for every ASR engine: 16 kHz PCM of one channel and its speech regions in, timed text out. */
export interface AsrEngine {
  readonly id: string;
  transcribe(pcm: Int16Array, regions: SpeechRegion[]): Promise<EngineSegment[]>;
  release(): Promise<void>;
}
