import { existsSync } from 'node:fs';
import path from 'node:path';

/** The sherpa-onnx zipformer KWS model (pinyin tokens) under CALLSCOPE_MODELS. */
export const KWS_MODEL_DIR_NAME = 'sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile';

export type KwsModelFiles = { dir: string; encoder: string; decoder: string; joiner: string; tokens: string };

const FILES = {
  encoder: 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
  decoder: 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx',
  joiner: 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
  tokens: 'tokens.txt',
} as const;

export function kwsModelFiles(dir: string): KwsModelFiles {
  return {
    dir,
    encoder: path.join(dir, FILES.encoder),
    decoder: path.join(dir, FILES.decoder),
    joiner: path.join(dir, FILES.joiner),
    tokens: path.join(dir, FILES.tokens),
  };
}

/** `asr/<model dir>` with all four files, or null. */
export function findKwsModel(modelsDir: string): KwsModelFiles | null {
  const files = kwsModelFiles(path.join(modelsDir, 'asr', KWS_MODEL_DIR_NAME));
  return [files.encoder, files.decoder, files.joiner, files.tokens].every((f) => existsSync(f)) ? files : null;
}
