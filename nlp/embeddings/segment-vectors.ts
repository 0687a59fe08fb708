import type { Similarity } from '../taxonomy/tagger.ts';
import { bestEmbedder } from './best-embedder.ts';
import { l2normalize, type TextEmbedder } from './text-embedder.ts';

const embedders = new Map<string, Promise<TextEmbedder>>();

/** The best embedder for a models folder, loaded once per process. */
export function embedderFor(modelsDir: string): Promise<TextEmbedder> {
  let e = embedders.get(modelsDir);
  if (!e) {
    e = bestEmbedder(modelsDir);
    embedders.set(modelsDir, e);
  }
  return e;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

const exemplarVectors = new WeakMap<TextEmbedder, Map<string, Float32Array>>();

/** Embeds the texts not yet in `into` (each distinct text once) and stores their vectors there. */
export async function embedInto(embedder: TextEmbedder, texts: string[], into: Map<string, Float32Array>): Promise<void> {
  const missing = [...new Set(texts.filter((t) => !into.has(t)))];
  if (missing.length) (await embedder.embed(missing)).forEach((v, i) => into.set(missing[i]!, v));
}

/**
 * Cosine similarity for the taxonomy: the call's texts are embedded once (not once per taxonomy
 * node), exemplars once per process.
 */
export function similarityFor(embedder: TextEmbedder, known: Map<string, Float32Array>): Similarity {
  let cache = exemplarVectors.get(embedder);
  if (!cache) exemplarVectors.set(embedder, (cache = new Map()));
  return async (texts, exemplars) => {
    await embedInto(embedder, texts, known);
    await embedInto(embedder, exemplars, cache);
    return texts.map((t) => exemplars.map((e) => dot(known.get(t)!, cache.get(e)!)));
  };
}

/** The call's vector: the normalised mean of its segments' vectors (what the customer says, when there is any). */
export function meanVector(vectors: Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(dim);
  for (const v of vectors) for (let i = 0; i < dim; i++) out[i]! += v[i]!;
  return l2normalize(out);
}
