export type { TextEmbedder } from './text-embedder.ts';
export { bestEmbedder } from './best-embedder.ts';
export { LsaEmbedder, DEFAULT_LSA_MODEL } from './lsa-embedder.ts';
export { TransformersEmbedder, BGE_MODEL_ID, transformersWeightsPath } from './transformers-embedder.ts';
export { vMeasure, nmi, adjustedRandIndex } from './cluster-metrics.ts';
export { kmeans, bestKmeans } from './kmeans.ts';
