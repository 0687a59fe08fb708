import { bestKmeans } from '../../nlp/embeddings/kmeans.ts';

/**
 * Consensus of several clusterings of the same texts (Strehl & Ghosh 2002, the co-association view):
 * each text becomes the concatenation of one-hot vectors of its cluster in every run, so the squared
 * distance between two texts counts the runs that split them; spherical k-means on these vectors
 * gives the partition the runs agree on most.
 */
export function consensus(runs: readonly Int32Array[], k: number, seed: number): Int32Array {
  const n = runs[0]!.length;
  const offsets: number[] = [];
  const slots: Array<Map<number, number>> = [];
  let dim = 0;
  for (const run of runs) {
    const m = new Map<number, number>();
    for (const z of run) if (!m.has(z)) m.set(z, m.size);
    offsets.push(dim);
    slots.push(m);
    dim += m.size;
  }
  const w = 1 / Math.sqrt(runs.length);
  const vectors = Array.from({ length: n }, (_, i) => {
    const v = new Float32Array(dim);
    runs.forEach((run, r) => (v[offsets[r]! + slots[r]!.get(run[i]!)!] = w));
    return v;
  });
  const kk = Math.min(k, n);
  return bestKmeans(vectors, kk, [seed, seed + 1, seed + 2, seed + 3], { spherical: true }).assignments;
}
