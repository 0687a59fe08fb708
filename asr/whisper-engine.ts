import path from 'node:path';
import { CallScopeError, messageOf } from '../core/errors.ts';
import type { SpeechRegion } from '../core/schemas.ts';
import type { AsrEngine, EngineSegment } from './engine.ts';
import { PCM_RATE } from './ffmpeg.ts';
import { pcmBuffer, whisperBinding, type WhisperContext } from './whisper-binding.ts';


/** whisper.cpp decodes 30 s windows; packing VAD regions into windows skips the silence. */
const MAX_WINDOW_SEC = 28;
const PAD_SEC = 0.2;

export function packWindows(regions: SpeechRegion[], totalSec: number): Array<{ start: number; end: number }> {
  const windows: Array<{ start: number; end: number }> = [];
  for (const r of [...regions].sort((a, b) => a.start - b.start)) {
    const start = Math.max(0, r.start - PAD_SEC);
    const end = Math.min(totalSec, r.end + PAD_SEC);
    const last = windows.at(-1);
    if (last && end - last.start <= MAX_WINDOW_SEC && start - last.end < 2) last.end = Math.max(last.end, end);
    else {
      // A region longer than a window is cut into window-sized pieces.
      for (let s = start; s < end; s += MAX_WINDOW_SEC) windows.push({ start: s, end: Math.min(end, s + MAX_WINDOW_SEC) });
    }
  }
  return windows;
}

export type WhisperOptions = { threads: number; language: string; prompt?: string };

/** Banking vocabulary primes the decoder toward the words QA cares about. */
export const BANKING_PROMPT = '您好，星河银行，工号，信用卡，年费，分期，账单，身份证后四位，理财，投诉，请您稍等，感谢您的来电。';

export async function loadWhisperEngine(modelPath: string, opts: WhisperOptions): Promise<AsrEngine> {
  const { initWhisper } = await whisperBinding();
  let ctx: WhisperContext;
  try {
    ctx = await initWhisper({ filePath: modelPath, useGpu: false });
  } catch (err) {
    throw new CallScopeError('ASR_MODEL_MISSING', `cannot load whisper model ${modelPath}: ${messageOf(err)}`);
  }
  const id = `whisper.cpp@${path.basename(modelPath, '.bin')}`;
  return {
    id,
    async transcribe(audio, regions) {
      const out: EngineSegment[] = [];
      for (const w of packWindows(regions, audio.durationSec)) {
        const slice = await audio.read(Math.floor(w.start * PCM_RATE), Math.ceil(w.end * PCM_RATE));
        const { promise } = ctx.transcribeData(pcmBuffer(slice), {
          language: opts.language,
          maxThreads: opts.threads,
          prompt: opts.prompt ?? BANKING_PROMPT,
        });
        const result = await promise.catch((err: unknown) => {
          throw new CallScopeError('ASR_FAILED', `whisper.cpp failed: ${messageOf(err)}`);
        });
        for (const s of result.segments) {
          const text = s.text.trim();
          if (!text) continue;
          out.push({ start: w.start + s.t0 / 100, end: Math.min(w.end, w.start + s.t1 / 100), text });
        }
      }
      return out;
    },
    release: () => ctx.release(),
  };
}
