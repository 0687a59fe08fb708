import { type Bag, type DmmCounts, addBag, logScores } from '../../../analytics/cluster/dmm.ts';
import type { SparseVector } from '../../../analytics/cluster/sparse.ts';
import { mulberry32 } from '../../../core/prng.ts';

/** Leave-one-out DMM posterior of each text's own cluster. */
export function dmmConfidence(bags: readonly Bag[], z: ArrayLike<number>, k: number, v: number, alpha = 0.1, beta = 0.1): Float64Array {
  const counts: DmmCounts = { docs: new Float64Array(k), tokens: new Float64Array(k), byFeature: Array.from({ length: k }, () => new Float64Array(v)) };
  bags.forEach((b, i) => addBag(counts, z[i]!, b, 1));
  const lp = new Float64Array(k);
  const out = new Float64Array(bags.length);
  bags.forEach((b, i) => {
    addBag(counts, z[i]!, b, -1);
    logScores(b, counts, v, alpha, beta, lp);
    addBag(counts, z[i]!, b, 1);
    let max = -Infinity;
    for (const x of lp) max = Math.max(max, x);
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(lp[c]! - max);
    out[i] = Math.exp(lp[z[i]!]! - max) / s;
  });
  return out;
}

/** Multinomial logistic regression, SGD on sparse vectors; returns class probabilities. */
export function trainLR(x: readonly SparseVector[], y: ArrayLike<number>, idx: readonly number[], k: number, v: number, o: { epochs: number; lr: number; l2: number; seed: number }) {
  const w = new Float64Array(k * v);
  const b = new Float64Array(k);
  const rnd = mulberry32(o.seed);
  const order = [...idx];
  const p = new Float64Array(k);
  let t = 0;
  const n = order.length;
  for (let e = 0; e < o.epochs; e++) {
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [order[i], order[j]] = [order[j]!, order[i]!]; }
    for (const i of order) {
      const eta = o.lr / (1 + o.lr * o.l2 * t++);
      const xi = x[i]!;
      let max = -Infinity;
      for (let c = 0; c < k; c++) { let s = b[c]!; for (const [f, val] of xi) s += w[c * v + f]! * val; p[c] = s; if (s > max) max = s; }
      let tot = 0;
      for (let c = 0; c < k; c++) tot += p[c] = Math.exp(p[c]! - max);
      for (let c = 0; c < k; c++) {
        const g = p[c]! / tot - (c === y[i] ? 1 : 0);
        b[c]! -= eta * g;
        if (g !== 0) for (const [f, val] of xi) w[c * v + f]! -= eta * (g * val + o.l2 * w[c * v + f]!);
      }
    }
  }
  return (xi: SparseVector, out: Float64Array) => {
    let max = -Infinity;
    for (let c = 0; c < k; c++) { let s = b[c]!; for (const [f, val] of xi) s += w[c * v + f]! * val; out[c] = s; if (s > max) max = s; }
    let tot = 0;
    for (let c = 0; c < k; c++) tot += out[c] = Math.exp(out[c]! - max);
    for (let c = 0; c < k; c++) out[c]! /= tot;
  };
}

/** Multinomial NB with weighted counts (x values), Laplace smoothing a. */
export function trainNB(x: readonly SparseVector[], y: ArrayLike<number>, idx: readonly number[], k: number, v: number, a: number) {
  const cnt = new Float64Array(k * v);
  const tot = new Float64Array(k);
  const docs = new Float64Array(k);
  for (const i of idx) { const c = y[i]!; docs[c]!++; for (const [f, val] of x[i]!) { cnt[c * v + f]! += val; tot[c]! += val; } }
  const logPrior = Array.from(docs, (d) => Math.log(d + 1));
  return (xi: SparseVector, out: Float64Array) => {
    let max = -Infinity;
    for (let c = 0; c < k; c++) { let s = logPrior[c]!; const den = Math.log(tot[c]! + a * v); for (const [f, val] of xi) s += val * (Math.log(cnt[c * v + f]! + a) - den); out[c] = s; if (s > max) max = s; }
    let t = 0;
    for (let c = 0; c < k; c++) t += out[c] = Math.exp(out[c]! - max);
    for (let c = 0; c < k; c++) out[c]! /= t;
  };
}

export type SelfTrainOpts = { iters: number; keep: number; model: 'lr' | 'nb'; epochs?: number; lr?: number; l2?: number; nbA?: number; seed: number };

export function selfTrain(x: readonly SparseVector[], z0: ArrayLike<number>, conf0: Float64Array, k: number, v: number, o: SelfTrainOpts, log?: (it: number, z: Int32Array) => void): Int32Array {
  let z = Int32Array.from(z0);
  let conf = conf0;
  const prob = new Float64Array(k);
  for (let it = 0; it < o.iters; it++) {
    const byC: number[][] = Array.from({ length: k }, () => []);
    z.forEach((c, i) => byC[c]!.push(i));
    const idx: number[] = [];
    for (const m of byC) { m.sort((a, b) => conf[b]! - conf[a]!); idx.push(...m.slice(0, Math.max(1, Math.ceil(m.length * o.keep)))); }
    const predict = o.model === 'lr' ? trainLR(x, z, idx, k, v, { epochs: o.epochs ?? 5, lr: o.lr ?? 0.5, l2: o.l2 ?? 1e-4, seed: o.seed + it }) : trainNB(x, z, idx, k, v, o.nbA ?? 0.1);
    const nz = new Int32Array(z.length);
    const nconf = new Float64Array(z.length);
    x.forEach((xi, i) => { predict(xi, prob); let best = 0; for (let c = 1; c < k; c++) if (prob[c]! > prob[best]!) best = c; nz[i] = best; nconf[i] = prob[best]!; });
    let changed = 0;
    nz.forEach((c, i) => (changed += c !== z[i] ? 1 : 0));
    z = nz;
    conf = nconf;
    log?.(it, z);
    if (changed === 0) break;
  }
  return z;
}
