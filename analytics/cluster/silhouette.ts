import { mulberry32 } from '../../core/prng.ts';
import { cosine, type SparseVector } from './sparse.ts';

/**
 * Mean silhouette (Rousseeuw 1987) with cosine distance, on a fixed sample of the texts so that
 * comparing many candidate partitions costs one similarity table.
 */
export class SilhouetteSample {
  readonly index: number[];
  private readonly sim: Float32Array;

  constructor(vectors: readonly SparseVector[], maxSample: number, seed: number) {
    const rnd = mulberry32(seed);
    const all = vectors.map((_, i) => i);
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    this.index = all.slice(0, maxSample).sort((a, b) => a - b);
    const s = this.index.length;
    this.sim = new Float32Array(s * s);
    for (let a = 0; a < s; a++) {
      for (let b = a + 1; b < s; b++) {
        const c = cosine(vectors[this.index[a]!]!, vectors[this.index[b]!]!);
        this.sim[a * s + b] = c;
        this.sim[b * s + a] = c;
      }
    }
  }

  /** Mean silhouette of the sample under `labelOf(text index)`; a text alone in its cluster scores 0. */
  score(labelOf: (i: number) => number): number {
    const s = this.index.length;
    const labels = this.index.map(labelOf);
    const groups = [...new Set(labels)];
    if (groups.length < 2) return 0;
    const slot = new Map(groups.map((g, i) => [g, i]));
    const size = new Float64Array(groups.length);
    for (const l of labels) size[slot.get(l)!]!++;
    const sums = new Float64Array(groups.length);
    let total = 0;
    for (let a = 0; a < s; a++) {
      sums.fill(0);
      for (let b = 0; b < s; b++) if (b !== a) sums[slot.get(labels[b]!)!]! += 1 - this.sim[a * s + b]!;
      const own = slot.get(labels[a]!)!;
      if (size[own]! <= 1) continue;
      const inner = sums[own]! / (size[own]! - 1);
      let outer = Infinity;
      for (let g = 0; g < groups.length; g++) if (g !== own && size[g]! > 0) outer = Math.min(outer, sums[g]! / size[g]!);
      const m = Math.max(inner, outer);
      if (m > 0) total += (outer - inner) / m;
    }
    return total / s;
  }
}
