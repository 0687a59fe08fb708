import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CallScopeError, messageOf } from '../core/errors.ts';
import type { AsrEngine, EngineSegment } from './engine.ts';
import { PCM_RATE } from './ffmpeg.ts';
import { loadSherpa, type SherpaOfflineRecognizer, toFloat32 } from './sherpa-binding.ts';

/**
 * sherpa-onnx offline Paraformer (Mandarin). Each VAD speech region of a channel is decoded on its
 * own (Paraformer is non-streaming: one utterance in, its text out), so silence costs nothing.
 * The text is normalised (simplified Chinese, numbers as spoken) and hot-word corrected by the
 * caller, the same way for every engine (asr/audio-analysis.ts).
 */
export type ParaformerFiles = { dir: string; model: string; tokens: string };

/** The official archives unpack to these folders (asr/models-manifest.ts); the small one first. */
export const PARAFORMER_DIRS = ['sherpa-onnx-paraformer-zh-small-2024-03-09', 'sherpa-onnx-paraformer-zh-2024-03-09'];
const MODEL_NAMES = ['model.int8.onnx', 'model.onnx'];
/** Known sizes of the official model files: a different size means a cut or foreign file, which onnxruntime would abort on. */
const KNOWN_SIZES: Record<string, number> = {
  'sherpa-onnx-paraformer-zh-small-2024-03-09/model.int8.onnx': 81_828_675,
  'sherpa-onnx-paraformer-zh-2024-03-09/model.int8.onnx': 227_330_205,
};
export const PARAFORMER_DOWNLOAD_HINT = 'callscope models download --engine paraformer';

/** The installed Paraformer model folder under CALLSCOPE_MODELS, or null (no folder with a model file). */
export function findParaformerModel(modelsDir: string): ParaformerFiles | null {
  for (const name of PARAFORMER_DIRS) {
    const dir = path.join(modelsDir, 'asr', name);
    const model = MODEL_NAMES.map((m) => path.join(dir, m)).find((f) => existsSync(f));
    if (model) return { dir, model, tokens: path.join(dir, 'tokens.txt') };
  }
  return null;
}

/** The files a Paraformer folder needs, checked before any native code sees them. */
export function checkParaformerFiles(files: ParaformerFiles): void {
  const missing = [files.model, files.tokens].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new CallScopeError(
      'ASR_MODEL_MISSING',
      `the Paraformer model is incomplete: missing ${missing.join(', ')}; run \`${PARAFORMER_DOWNLOAD_HINT}\``,
      { missing },
    );
  }
  const known = KNOWN_SIZES[`${path.basename(files.dir)}/${path.basename(files.model)}`];
  const size = statSync(files.model).size;
  if ((known !== undefined && size !== known) || size < 64 || statSync(files.tokens).size === 0) {
    throw new CallScopeError(
      'MODEL_CHECKSUM_MISMATCH',
      `the Paraformer model ${files.model} is damaged (${size} B${known !== undefined ? `, expected ${known} B` : ''}) or tokens.txt is empty; run \`${PARAFORMER_DOWNLOAD_HINT}\` again`,
    );
  }
}

export type ParaformerOptions = { threads: number };
/** Context kept on both sides of a region: Paraformer clips the first syllable of audio that starts on a word. */
const PAD_SEC = 0.15;

export async function loadParaformerEngine(files: ParaformerFiles, opts: ParaformerOptions): Promise<AsrEngine> {
  checkParaformerFiles(files);
  let recognizer: SherpaOfflineRecognizer;
  try {
    recognizer = new (loadSherpa().OfflineRecognizer)({
      featConfig: { sampleRate: PCM_RATE, featureDim: 80 },
      modelConfig: { paraformer: { model: files.model }, tokens: files.tokens, numThreads: opts.threads, provider: 'cpu', debug: 0 },
      decodingMethod: 'greedy_search',
    });
  } catch (err) {
    throw new CallScopeError('ASR_MODEL_MISSING', `cannot load the Paraformer model ${files.model}: ${messageOf(err)}`);
  }
  const id = `sherpa-onnx-paraformer@${path.basename(files.dir)}`;
  return {
    id,
    async transcribe(audio, regions) {
      const totalSec = audio.durationSec;
      const out: EngineSegment[] = [];
      for (const r of [...regions].sort((a, b) => a.start - b.start)) {
        const start = Math.max(0, r.start - PAD_SEC);
        const end = Math.min(totalSec, r.end + PAD_SEC);
        if (end - start < 0.1) continue;
        // No hot-word argument: sherpa-onnx exits the process on a hot-word stream for Paraformer (asr/hotwords.ts).
        const stream = recognizer.createStream();
        const pcm = await audio.read(Math.floor(start * PCM_RATE), Math.ceil(end * PCM_RATE));
        stream.acceptWaveform({ samples: toFloat32(pcm), sampleRate: PCM_RATE });
        recognizer.decode(stream);
        const text = recognizer.getResult(stream).text.trim();
        if (text) out.push({ start: r.start, end: r.end, text });
      }
      return out;
    },
    // The native recogniser is freed with its JS object.
    release: async () => {},
  };
}
