/** One interface for every text representation (trained LSA, transformers.js, …). */
export interface TextEmbedder {
  readonly id: string;
  readonly dim: number;
  /**
   * One L2-normalised vector per text, in order. A text with nothing to represent (empty,
   * punctuation only) gives the LSA provider's zero vector (cosine 0 with everything); the
   * neural provider still returns a unit vector for it.
   */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** Scales a vector to unit length in place; a zero vector stays zero. */
export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}
