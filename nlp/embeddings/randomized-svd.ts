import { gaussian, mulberry32 } from '../../core/prng.ts';

/** Sparse matrix in compressed-row form. */
export interface CsrMatrix {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float32Array;
}

/** Dense row-major matrix. */
export interface Dense {
  rows: number;
  cols: number;
  data: Float64Array;
}

const dense = (rows: number, cols: number): Dense => ({ rows, cols, data: new Float64Array(rows * cols) });

/** A · X  (A sparse n×d, X dense d×l). */
export function spmm(a: CsrMatrix, x: Dense): Dense {
  const l = x.cols;
  const y = dense(a.rows, l);
  for (let i = 0; i < a.rows; i++) {
    const yo = i * l;
    for (let p = a.rowPtr[i]!; p < a.rowPtr[i + 1]!; p++) {
      const v = a.values[p]!;
      const xo = a.colIdx[p]! * l;
      for (let k = 0; k < l; k++) y.data[yo + k]! += v * x.data[xo + k]!;
    }
  }
  return y;
}

/** Aᵀ · Y  (A sparse n×d, Y dense n×l). */
export function spmmT(a: CsrMatrix, y: Dense): Dense {
  const l = y.cols;
  const z = dense(a.cols, l);
  for (let i = 0; i < a.rows; i++) {
    const yo = i * l;
    for (let p = a.rowPtr[i]!; p < a.rowPtr[i + 1]!; p++) {
      const v = a.values[p]!;
      const zo = a.colIdx[p]! * l;
      for (let k = 0; k < l; k++) z.data[zo + k]! += v * y.data[yo + k]!;
    }
  }
  return z;
}

/** Xᵀ X of a tall dense matrix (l×l, row-major). */
function gram(x: Dense): Float64Array {
  const l = x.cols;
  const g = new Float64Array(l * l);
  for (let i = 0; i < x.rows; i++) {
    const o = i * l;
    for (let a = 0; a < l; a++) {
      const xa = x.data[o + a]!;
      if (xa === 0) continue;
      const go = a * l;
      for (let b = a; b < l; b++) g[go + b]! += xa * x.data[o + b]!;
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) g[a * l + b] = g[b * l + a]!;
  return g;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
 * Returns eigenvalues in decreasing order and eigenvectors as columns of a row-major n×n matrix.
 */
export function symmetricEigen(m: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p]! ** 2;
      for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    }
    if (off <= 1e-24 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = a[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values, vectors };
}

/** X · M for dense X (r×l) and small M (l×m). */
function times(x: Dense, m: Float64Array, mCols: number): Dense {
  const l = x.cols;
  const y = dense(x.rows, mCols);
  for (let i = 0; i < x.rows; i++) {
    for (let a = 0; a < l; a++) {
      const xa = x.data[i * l + a]!;
      if (xa === 0) continue;
      const mo = a * mCols;
      const yo = i * mCols;
      for (let b = 0; b < mCols; b++) y.data[yo + b]! += xa * m[mo + b]!;
    }
  }
  return y;
}

/** Orthonormal basis of the columns of X by eigen-whitening the Gram matrix (twice, for accuracy). */
export function orthonormalize(x: Dense): Dense {
  let q = x;
  for (let pass = 0; pass < 2; pass++) {
    const l = q.cols;
    const { values, vectors } = symmetricEigen(gram(q), l);
    const w = new Float64Array(l * l);
    const floor = Math.max(values[0]!, 1e-300) * 1e-12;
    for (let a = 0; a < l; a++) for (let b = 0; b < l; b++) w[a * l + b] = vectors[a * l + b]! / Math.sqrt(Math.max(values[b]!, floor));
    q = times(q, w, l);
  }
  return q;
}

export interface TruncatedSvd {
  /** Right singular vectors, d×k row-major (row j = feature j). */
  v: Dense;
  singularValues: Float64Array;
}

/** Top-k right singular vectors of a sparse matrix (Halko, Martinsson & Tropp 2011, alg. 4.4). */
export function randomizedSvd(a: CsrMatrix, k: number, opts: { oversample?: number; powerIterations?: number; seed: number }): TruncatedSvd {
  const l = Math.min(k + (opts.oversample ?? 16), a.cols, a.rows);
  const rnd = gaussian(mulberry32(opts.seed));
  const omega = dense(a.cols, l);
  for (let i = 0; i < omega.data.length; i++) omega.data[i] = rnd();
  let y = orthonormalize(spmm(a, omega));
  for (let it = 0; it < (opts.powerIterations ?? 4); it++) {
    const z = orthonormalize(spmmT(a, y));
    y = orthonormalize(spmm(a, z));
  }
  const q = orthonormalize(spmmT(a, y)); // d×l basis of the row space
  const b = spmm(a, q); // n×l
  const { values, vectors } = symmetricEigen(gram(b), l);
  const kk = Math.min(k, l);
  const top = new Float64Array(l * kk);
  for (let r = 0; r < l; r++) for (let c = 0; c < kk; c++) top[r * kk + c] = vectors[r * l + c]!;
  return { v: times(q, top, kk), singularValues: values.slice(0, kk).map((x) => Math.sqrt(Math.max(x, 0))) };
}
