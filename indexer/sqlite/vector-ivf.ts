import { mulberry32 } from '../../core/prng.ts';
import { kmeans } from '../../nlp/embeddings/kmeans.ts';

/**
 * The coarse quantiser of an IVF (inverted file) vector index: unit-length centroids from
 * spherical k-means on a sample; a vector belongs to the list of its nearest centroid (largest dot
 * product), and a query reads the lists of its `nprobe` nearest centroids only.
 */
export class Centroids {
  private constructor(
    readonly dims: number,
    /** count × dims, row-major. */
    private readonly flat: Float32Array,
  ) {}

  get count(): number {
    return this.flat.length / this.dims;
  }

  static of(rows: Float32Array[], dims: number): Centroids {
    const flat = new Float32Array(rows.length * dims);
    rows.forEach((r, i) => flat.set(r, i * dims));
    return new Centroids(dims, flat);
  }

  /** Spherical k-means (k-means++ seeding, a few Lloyd rounds) on a sample of unit vectors. */
  static train(sample: Float32Array[], lists: number, seed = 7): Centroids {
    const dims = sample[0]!.length;
    const k = Math.min(lists, sample.length);
    const { assignments } = kmeans(sample, k, seed, { spherical: true, maxIterations: 8 });
    const sums = Array.from({ length: k }, () => new Float64Array(dims));
    const counts = new Int32Array(k);
    sample.forEach((v, i) => {
      const c = assignments[i]!;
      counts[c]!++;
      for (let d = 0; d < dims; d++) sums[c]![d]! += v[d]!;
    });
    const rows: Float32Array[] = [];
    for (let c = 0; c < k; c++) if (counts[c]! > 0) rows.push(unit(Float32Array.from(sums[c]!)));
    return Centroids.of(rows, dims);
  }

  row(i: number): Float32Array {
    return this.flat.subarray(i * this.dims, (i + 1) * this.dims);
  }

  /** The list of a vector: its nearest centroid. */
  nearest(v: Float32Array): number {
    let best = 0;
    let bestDot = -Infinity;
    const { dims, flat } = this;
    for (let c = 0, off = 0; off < flat.length; c++, off += dims) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += flat[off + d]! * v[d]!;
      if (s > bestDot) {
        bestDot = s;
        best = c;
      }
    }
    return best;
  }

  /** The `n` lists nearest a query, nearest first. */
  probe(v: Float32Array, n: number): number[] {
    const { dims, flat } = this;
    const q = unit(Float32Array.from(v));
    const dots: Array<[number, number]> = [];
    for (let c = 0, off = 0; off < flat.length; c++, off += dims) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += flat[off + d]! * q[d]!;
      dots.push([c, s]);
    }
    return dots
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([c]) => c);
  }
}

export function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  if (s > 0) for (let i = 0, inv = 1 / Math.sqrt(s); i < v.length; i++) v[i]! *= inv;
  return v;
}

/** A float32 blob as a Float32Array (copied when SQLite's buffer is not 4-byte aligned). */
export function floatsOf(blob: Buffer): Float32Array {
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.length / 4);
  return new Float32Array(Uint8Array.from(blob).buffer);
}

/** `size` distinct indices below `total`, in increasing order (reservoir-free: Floyd's algorithm). */
export function sampleIndices(total: number, size: number, seed: number): number[] {
  const rnd = mulberry32(seed);
  const chosen = new Set<number>();
  for (let j = total - size; j < total; j++) {
    const t = Math.floor(rnd() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}
