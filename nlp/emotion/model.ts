import { z } from 'zod';
import { extractFeatures, type FeatureConfig } from './features.ts';
import { EMOTION_LABELS, EmotionLabel } from './labels.ts';

/** The hashed text features a linear model file was trained on (see features.ts). */
export const HashedFeatureConfig = z.object({
  hashBits: z.number().int().min(8).max(24),
  words: z.boolean(),
  wordBigrams: z.boolean(),
  charNgrams: z.array(z.number().int().min(1).max(4)),
  cues: z.boolean(),
});
/** int8 weights on a square-root scale, base64 (see `quantise`). */
export const QuantisedWeights = z.object({ encoding: z.literal('int8-sqrt-base64'), scale: z.number().positive(), data: z.string().min(1) });

export const EmotionModelFile = z.object({
  kind: z.literal('callscope-emotion'),
  version: z.string().min(1),
  labels: z.array(EmotionLabel).min(2),
  features: HashedFeatureConfig,
  /** Bucket-major int8 weights (bucket b, label k at b * labels + k), base64; see `quantise`. */
  weights: QuantisedWeights,
  training: z.record(z.string(), z.unknown()),
});
export type EmotionModelFile = z.infer<typeof EmotionModelFile>;

/** A model ready to score: weights dequantised into one Float32Array. */
export class LinearEmotionModel {
  readonly version: string;
  readonly labels: EmotionLabel[];
  readonly features: FeatureConfig;
  private readonly w: Float32Array;

  constructor(version: string, labels: EmotionLabel[], features: FeatureConfig, weights: Float32Array) {
    const expected = (1 << features.hashBits) * labels.length;
    if (weights.length !== expected) throw new Error(`weights hold ${weights.length} values, expected ${expected}`);
    this.version = version;
    this.labels = labels;
    this.features = features;
    this.w = weights;
  }

  static fromFile(file: EmotionModelFile): LinearEmotionModel {
    const bytes = Buffer.from(file.weights.data, 'base64');
    const ints = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    const w = new Float32Array(ints.length);
    for (let i = 0; i < ints.length; i++) w[i] = dequantise(ints[i]!, file.weights.scale);
    return new LinearEmotionModel(file.version, file.labels, file.features, w);
  }

  /** Probabilities per label (softmax of the linear scores), in `labels` order. */
  probabilities(text: string): Float64Array {
    const { index, value } = extractFeatures(text, this.features);
    const k = this.labels.length;
    const z = new Float64Array(k);
    for (let i = 0; i < index.length; i++) {
      const base = index[i]! * k;
      const v = value[i]!;
      for (let c = 0; c < k; c++) z[c]! += this.w[base + c]! * v;
    }
    return softmax(z);
  }

  scores(text: string): Record<EmotionLabel, number> {
    const p = this.probabilities(text);
    const out = Object.fromEntries(EMOTION_LABELS.map((l) => [l, 0])) as Record<EmotionLabel, number>;
    this.labels.forEach((l, i) => (out[l] = p[i]!));
    return out;
  }
}

export function softmax(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) sum += out[i] = Math.exp(z[i]! - max);
  for (let i = 0; i < z.length; i++) out[i]! /= sum;
  return out;
}

/**
 * int8 on a square-root scale: q = round(127 * sign(w) * sqrt(|w| / scale)), w = sign(q) * (q / 127)^2 * scale.
 * Most weights are small; a linear scale would round them all to zero, this keeps a resolution of scale / 16129.
 */
export function quantise(w: Float32Array): { scale: number; data: string } {
  let max = 0;
  for (const v of w) max = Math.max(max, Math.abs(v));
  const scale = max > 0 ? max : 1;
  const ints = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) ints[i] = Math.round(127 * Math.sign(w[i]!) * Math.sqrt(Math.abs(w[i]!) / scale));
  return { scale, data: Buffer.from(ints.buffer).toString('base64') };
}

export function dequantise(q: number, scale: number): number {
  return Math.sign(q) * (q / 127) ** 2 * scale;
}
