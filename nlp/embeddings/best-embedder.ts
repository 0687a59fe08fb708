import { existsSync } from 'node:fs';
import { LsaEmbedder } from './lsa-embedder.ts';
import type { TextEmbedder } from './text-embedder.ts';
import { TransformersEmbedder, transformersWeightsPath } from './transformers-embedder.ts';

/**
 * The best text representation installed: bge-small-zh through transformers.js when its weights are
 * under `<modelsDir>/nlp/`, else the LSA model trained in this repo (always shipped).
 * Installed-but-broken weights raise NLP_MODEL_MISSING rather than silently falling back.
 */
export async function bestEmbedder(modelsDir: string): Promise<TextEmbedder> {
  if (existsSync(transformersWeightsPath(modelsDir))) return TransformersEmbedder.load(modelsDir);
  return LsaEmbedder.load();
}
