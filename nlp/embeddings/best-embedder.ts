import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_LSA_MODEL, LsaEmbedder } from './lsa-embedder.ts';
import type { TextEmbedder } from './text-embedder.ts';
import { BGE_MODEL_ID, TransformersEmbedder, transformersWeightsPath } from './transformers-embedder.ts';

/**
 * The best text representation installed: bge-small-zh through transformers.js when its weights are
 * under `<modelsDir>/nlp/`, else the LSA model trained in this repo (always shipped).
 * Installed-but-broken weights raise NLP_MODEL_MISSING rather than silently falling back.
 */
export async function bestEmbedder(modelsDir: string): Promise<TextEmbedder> {
  return hasTransformerWeights(modelsDir) ? TransformersEmbedder.load(modelsDir) : LsaEmbedder.load();
}

function hasTransformerWeights(modelsDir: string): boolean {
  return existsSync(transformersWeightsPath(modelsDir));
}

/**
 * Which embedder `bestEmbedder` picks, by name, without loading it: stage versions carry it, so
 * installing a transformer (or shipping a new LSA model) re-runs what embeddings decide.
 */
export function bestEmbedderName(modelsDir: string): string {
  return hasTransformerWeights(modelsDir) ? BGE_MODEL_ID : path.basename(DEFAULT_LSA_MODEL, '.bin');
}
