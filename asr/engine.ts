import type { SpeechRegion } from '../core/schemas.ts';
import type { PcmSource } from './pcm-source.ts';

export type EngineSegment = { start: number; end: number; text: string };

/**
 * One interface for every ASR engine: 16 kHz PCM of one channel and its speech regions in, timed
 * text out. The engine reads only the audio around the regions, in time order (asr/pcm-source.ts).
 */
export interface AsrEngine {
  readonly id: string;
  transcribe(audio: PcmSource, regions: SpeechRegion[]): Promise<EngineSegment[]>;
  release(): Promise<void>;
}
