/** Sparse vectors (feature index → weight) and the few operations clustering needs on them. */
export type SparseVector = Map<number, number>;

export function norm(v: SparseVector): number {
  let s = 0;
  for (const x of v.values()) s += x * x;
  return Math.sqrt(s);
}

export function cosine(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [i, x] of small) dot += x * (large.get(i) ?? 0);
  const n = norm(a) * norm(b);
  return n === 0 ? 0 : dot / n;
}

/** Adds `scale · v` into `into`. */
export function addInto(into: SparseVector, v: SparseVector, scale = 1): void {
  for (const [i, x] of v) into.set(i, (into.get(i) ?? 0) + scale * x);
}

/** Sublinear TF-IDF of a bag, L2-normalised; idf = ln((N+1)/(df+1)) + 1 (scikit-learn's smooth idf). */
export function tfidf(bag: ReadonlyArray<readonly [number, number]>, df: ArrayLike<number>, docs: number): SparseVector {
  const v: SparseVector = new Map();
  for (const [f, tf] of bag) v.set(f, (1 + Math.log(tf)) * (Math.log((docs + 1) / (df[f]! + 1)) + 1));
  const n = norm(v);
  if (n > 0) for (const [f, x] of v) v.set(f, x / n);
  return v;
}
