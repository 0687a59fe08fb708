import type { SpeechRegion } from '../core/schemas.ts';
import { type DiarSegment, diarise } from './diarise.ts';
import type { AsrEngine, EngineSegment } from './engine.ts';
import { decodeAudio, type AudioInfo, PCM_RATE } from './ffmpeg.ts';
import { applyHotwords, compileHotwords } from './hotwords.ts';
import { loadParaformerEngine, type ParaformerFiles } from './paraformer-engine.ts';
import { detectSpeechSherpa } from './sherpa-vad.ts';
import { detectSpeech, type VadTuning } from './vad.ts';
import { loadWhisperEngine } from './whisper-engine.ts';
import { normaliseZh } from './zh-text.ts';

/** Which engine transcribes, with its model files (asr/models.ts `selectAsrEngine` picks it from config). */
export type EngineRequest = { kind: 'whisper'; model: string } | { kind: 'paraformer'; files: ParaformerFiles };

export type AudioAnalysisRequest = {
  file: string;
  /** Silero VAD: a ggml `.bin` runs through whisper.cpp, an `.onnx` through sherpa-onnx. */
  vadModel: string;
  /** Transcribe with this engine; null when the text comes from a vendor transcript. */
  engine: EngineRequest | null;
  /** Sound-alike corrections applied to every engine's text (asr/hotwords.ts). */
  hotwords?: string[];
  threads: number;
  language: string;
  vad?: VadTuning;
};

export type AudioAnalysis = {
  info: AudioInfo;
  durationSec: number;
  speech: SpeechRegion[];
  /** Per channel, when an engine was asked for. Text is simplified Chinese, numbers as spoken. */
  transcript: { engine: string; channels: EngineSegment[][] } | null;
  /** Mono recordings: who speaks when (two speakers, S1 first), from the audio (asr/diarise.ts). */
  diarisation: DiarSegment[] | null;
};

export async function vadChannel(req: Pick<AudioAnalysisRequest, 'vadModel' | 'threads' | 'vad'>, pcm: Int16Array, channel: number): Promise<SpeechRegion[]> {
  if (req.vadModel.endsWith('.onnx')) {
    return detectSpeechSherpa(req.vadModel, pcm, channel, { sampleRate: PCM_RATE, threads: req.threads, ...(req.vad ? { tuning: req.vad } : {}) });
  }
  return detectSpeech(req.vadModel, pcm, channel, req.threads, req.vad);
}

function loadEngine(e: EngineRequest, req: AudioAnalysisRequest): Promise<AsrEngine> {
  return e.kind === 'whisper'
    ? loadWhisperEngine(e.model, { threads: req.threads, language: req.language })
    : loadParaformerEngine(e.files, { threads: req.threads });
}

/** Decode → per-channel VAD → (optionally) the engine on the speech regions only. */
export async function analyzeAudio(req: AudioAnalysisRequest): Promise<AudioAnalysis> {
  const decoded = await decodeAudio(req.file);
  const speech: SpeechRegion[] = [];
  for (const [channel, pcm] of decoded.channels.entries()) speech.push(...(await vadChannel(req, pcm, channel)));
  let transcript: AudioAnalysis['transcript'] = null;
  if (req.engine) {
    const engine = await loadEngine(req.engine, req);
    const hotwords = compileHotwords(req.hotwords ?? []);
    try {
      const channels: EngineSegment[][] = [];
      for (const [channel, pcm] of decoded.channels.entries()) {
        const segs = await engine.transcribe(pcm, speech.filter((r) => r.channel === channel));
        channels.push(segs.map((s) => ({ ...s, text: applyHotwords(normaliseZh(s.text), hotwords) })).filter((s) => s.text));
      }
      transcript = { engine: engine.id, channels };
    } finally {
      await engine.release();
    }
  }
  const mono = decoded.channels.length === 1;
  const diarisation = mono ? diarise(decoded.channels[0]!, speech) : null;
  return { info: decoded.info, durationSec: decoded.durationSec, speech, transcript, diarisation };
}
