import type { SpeechRegion } from '../core/schemas.ts';
import { type DiarSegment, diariseAudio } from './diarise.ts';
import type { AsrEngine, EngineSegment } from './engine.ts';
import { checkDecodedLength, decodeAudio, type AudioInfo, probeAudio, streamChannels } from './ffmpeg.ts';
import { applyHotwords, compileHotwords } from './hotwords.ts';
import { loadParaformerEngine, type ParaformerFiles } from './paraformer-engine.ts';
import { memoryPcm, type PcmSource, streamPcm } from './pcm-source.ts';
import { SileroStream, sileroSession, VAD_RATE } from './silero-vad.ts';
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
  /** Mono recordings: diarise (default true). Not needed when a vendor transcript gives the turns. */
  diarise?: boolean;
  /** What the caller's ffprobe already found (the stage probes for the timeout): not probed again. */
  probed?: AudioInfo;
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

/** Silero ggml through whisper.cpp on one 16 kHz channel (the ONNX model streams: see analyzeAudio). */
export async function vadChannel(req: Pick<AudioAnalysisRequest, 'vadModel' | 'threads' | 'vad'>, pcm: Int16Array, channel: number): Promise<SpeechRegion[]> {
  return detectSpeech(req.vadModel, pcm, channel, req.threads, req.vad);
}

type Detected = {
  info: AudioInfo;
  durationSec: number;
  speech: SpeechRegion[];
  /** The 16 kHz audio of each channel for the engine and the diariser, read region by region. */
  channel(c: number): PcmSource;
};

/**
 * Decode + VAD. The ONNX Silero model streams: one ffmpeg process decodes both channels straight
 * to 8 kHz floats, block by block into the VAD, so memory does not grow with the duration. What
 * needs 16 kHz audio afterwards (an engine, diarisation) gets a second stream per channel that
 * keeps only the slice being read. The ggml VAD (whisper.cpp) takes whole channels: that fallback
 * path holds them (115 MB per channel-hour).
 */
export async function detectRegions(req: AudioAnalysisRequest): Promise<Detected> {
  if (!req.vadModel.endsWith('.onnx')) {
    const decoded = await decodeAudio(req.file);
    const speech: SpeechRegion[] = [];
    for (const [channel, pcm] of decoded.channels.entries()) speech.push(...(await vadChannel(req, pcm, channel)));
    return { info: decoded.info, durationSec: decoded.durationSec, speech, channel: (c) => memoryPcm(decoded.channels[c]!) };
  }
  const info = req.probed ?? (await probeAudio(req.file));
  const n = Math.min(info.channels, 2);
  const vad = new SileroStream(await sileroSession(req.vadModel, req.threads), VAD_RATE, n, req.vad);
  const samples = await streamChannels(req.file, { rate: VAD_RATE, channels: n }, (chunk) => vad.push(chunk));
  const durationSec = samples / VAD_RATE;
  await checkDecodedLength(req.file, info, durationSec);
  const speech = await vad.finish();
  return { info, durationSec, speech, channel: (c) => streamPcm(req.file, c, durationSec) };
}

function loadEngine(e: EngineRequest, req: AudioAnalysisRequest): Promise<AsrEngine> {
  return e.kind === 'whisper'
    ? loadWhisperEngine(e.model, { threads: req.threads, language: req.language })
    : loadParaformerEngine(e.files, { threads: req.threads });
}

/** Decode → per-channel VAD → (optionally) the engine on the speech regions only. */
export async function analyzeAudio(req: AudioAnalysisRequest): Promise<AudioAnalysis> {
  const wantDiarisation = req.diarise !== false;
  const decoded = await detectRegions(req);
  const { speech } = decoded;
  const channels = Math.min(decoded.info.channels, 2);
  let transcript: AudioAnalysis['transcript'] = null;
  if (req.engine) {
    const engine = await loadEngine(req.engine, req);
    const hotwords = compileHotwords(req.hotwords ?? []);
    try {
      const texts: EngineSegment[][] = [];
      for (let channel = 0; channel < channels; channel++) {
        const segs = await withChannel(decoded.channel(channel), (audio) => engine.transcribe(audio, speech.filter((r) => r.channel === channel)));
        texts.push(segs.map((s) => ({ ...s, text: applyHotwords(normaliseZh(s.text), hotwords) })).filter((s) => s.text));
      }
      transcript = { engine: engine.id, channels: texts };
    } finally {
      await engine.release();
    }
  }
  const mono = decoded.info.channels === 1;
  const diarisation = mono && wantDiarisation ? await withChannel(decoded.channel(0), (audio) => diariseAudio(audio, speech)) : null;
  return { info: decoded.info, durationSec: decoded.durationSec, speech, transcript, diarisation };
}

async function withChannel<T>(audio: PcmSource, use: (audio: PcmSource) => Promise<T>): Promise<T> {
  try {
    return await use(audio);
  } finally {
    audio.close();
  }
}
