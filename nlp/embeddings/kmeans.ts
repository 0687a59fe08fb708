import { mulberry32 } from '../../core/prng.ts';

export interface KMeansResult {
  assignments: Int32Array;
  inertia: number;
  iterations: number;
}

function sqDist(a: Float32Array, b: Float32Array | Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

export interface KMeansOptions {
  /** Re-normalise centres to unit length after each update (spherical k-means, for unit vectors):
   * plain centres of large clusters shrink towards 0 and swallow everything on short sparse texts. */
  spherical?: boolean;
  maxIterations?: number;
}

/** Lloyd's k-means with k-means++ seeding. Inertia is the sum of squared distances to the (possibly normalised) centres. */
export function kmeans(points: Float32Array[], k: number, seed: number, opts: KMeansOptions = {}): KMeansResult {
  const maxIterations = opts.maxIterations ?? 100;
  const n = points.length;
  const dim = points[0]?.length ?? 0;
  if (k < 1 || k > n) throw new Error(`k = ${k} must be within 1…${n}`);
  const rnd = mulberry32(seed);
  const centres: Float64Array[] = [Float64Array.from(points[Math.floor(rnd() * n)]!)];
  const nearest = new Float64Array(n).fill(Infinity);
  while (centres.length < k) {
    let total = 0;
    const last = centres[centres.length - 1]!;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i]!, sqDist(points[i]!, last));
      total += nearest[i]!;
    }
    let r = rnd() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= nearest[i]!;
      if (r <= 0) {
        pick = i;
        break;
      }
    }
    centres.push(Float64Array.from(points[pick]!));
  }
  const assignments = new Int32Array(n).fill(-1);
  let inertia = 0;
  let it = 0;
  for (; it < maxIterations; it++) {
    let changed = 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const d = sqDist(points[i]!, centres[c]!);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      if (assignments[i] !== best) changed++;
      assignments[i] = best;
      inertia += bestD;
    }
    if (changed === 0) break;
    const sums = Array.from({ length: k }, () => new Float64Array(dim));
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const c = assignments[i]!;
      counts[c]!++;
      const p = points[i]!;
      const s = sums[c]!;
      for (let d = 0; d < dim; d++) s[d]! += p[d]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue; // an empty cluster keeps its old centre
      const centre = centres[c]!;
      for (let d = 0; d < dim; d++) centre[d] = sums[c]![d]! / counts[c]!;
      if (opts.spherical) {
        let norm = 0;
        for (let d = 0; d < dim; d++) norm += centre[d]! ** 2;
        if (norm > 0) for (let d = 0; d < dim; d++) centre[d]! /= Math.sqrt(norm);
      }
    }
  }
  return { assignments, inertia, iterations: it };
}

/** Best of several seeds by inertia. */
export function bestKmeans(points: Float32Array[], k: number, seeds: number[], opts: KMeansOptions = {}): KMeansResult & { seed: number } {
  let best: (KMeansResult & { seed: number }) | undefined;
  for (const seed of seeds) {
    const r = kmeans(points, k, seed, opts);
    if (!best || r.inertia < best.inertia) best = { ...r, seed };
  }
  if (!best) throw new Error('no seeds given');
  return best;
}
