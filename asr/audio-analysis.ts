import type { SpeechRegion } from '../core/schemas.ts';
import { decodeAudio, type AudioInfo } from './ffmpeg.ts';
import { detectSpeech, type VadTuning } from './vad.ts';
import { type EngineSegment, loadWhisperEngine } from './whisper-engine.ts';

export type AudioAnalysisRequest = {
  file: string;
  vadModel: string;
  /** Transcribe with this whisper model; null when the text comes from a vendor transcript. */
  whisperModel: string | null;
  threads: number;
  language: string;
  vad?: VadTuning;
};

export type AudioAnalysis = {
  info: AudioInfo;
  durationSec: number;
  speech: SpeechRegion[];
  /** Per channel, when whisperModel was given. */
  transcript: { engine: string; channels: EngineSegment[][] } | null;
};

/** Decode → per-channel VAD → (optionally) whisper on the speech regions only. */
export async function analyzeAudio(req: AudioAnalysisRequest): Promise<AudioAnalysis> {
  const decoded = await decodeAudio(req.file);
  const speech: SpeechRegion[] = [];
  for (const [channel, pcm] of decoded.channels.entries()) {
    speech.push(...(await detectSpeech(req.vadModel, pcm, channel, req.threads, req.vad)));
  }
  let transcript: AudioAnalysis['transcript'] = null;
  if (req.whisperModel) {
    const engine = await loadWhisperEngine(req.whisperModel, { threads: req.threads, language: req.language });
    try {
      const channels: EngineSegment[][] = [];
      for (const [channel, pcm] of decoded.channels.entries()) {
        channels.push(await engine.transcribe(pcm, speech.filter((r) => r.channel === channel)));
      }
      transcript = { engine: engine.id, channels };
    } finally {
      await engine.release();
    }
  }
  return { info: decoded.info, durationSec: decoded.durationSec, speech, transcript };
}
