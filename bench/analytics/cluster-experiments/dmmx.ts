import { type Bag } from '../../../analytics/cluster/dmm.ts';
import { mulberry32 } from '../../../core/prng.ts';

export function lgamma(x: number): number {
  // Lanczos (g=7, n=9)
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export type XOpts = { k: number; alpha: number; beta: number; sweeps: number; hardSweeps: number; seed: number; temp?: (sweep: number) => number; weights?: Float64Array };

/** Weighted-count DMM (weights per feature; counts × weight), lgamma likelihood. */
export function fitX(bags: readonly Bag[], V: number, o: XOpts, init?: ArrayLike<number>) {
  const rnd = mulberry32(o.seed);
  const w = o.weights;
  const wb: Array<Array<[number, number]>> = bags.map((b) => b.map(([f, c]) => [f, c * (w ? w[f]! : 1)] as [number, number]));
  const len = wb.map((b) => b.reduce((s, [, c]) => s + c, 0));
  const docs = new Float64Array(o.k), tokens = new Float64Array(o.k);
  const by = Array.from({ length: o.k }, () => new Float64Array(V));
  const Vb = V * o.beta;
  const add = (i: number, z: number, s: number) => { docs[z]! += s; tokens[z]! += s * len[i]!; const b = by[z]!; for (const [f, c] of wb[i]!) b[f]! += s * c; };
  const z = new Int32Array(bags.length);
  for (let i = 0; i < bags.length; i++) { z[i] = init ? init[i]! : Math.floor(rnd() * o.k); add(i, z[i]!, 1); }
  const lp = new Float64Array(o.k);
  const integer = !w;
  const score = (i: number, T: number) => {
    const b = wb[i]!, nd = len[i]!;
    for (let k = 0; k < o.k; k++) {
      const bk = by[k]!;
      let l = 0;
      if (integer) {
        for (const [f, c] of b) for (let j = 0; j < c; j++) l += Math.log(bk[f]! + o.beta + j);
        const n = tokens[k]! + Vb;
        for (let j = 0; j < nd; j++) l -= Math.log(n + j);
      } else {
        for (const [f, c] of b) l += lgamma(bk[f]! + o.beta + c) - lgamma(bk[f]! + o.beta);
        l -= lgamma(tokens[k]! + Vb + nd) - lgamma(tokens[k]! + Vb);
      }
      lp[k] = Math.log(docs[k]! + o.alpha) + l / T;
    }
  };
  for (let s = 0; s < o.sweeps; s++) {
    const hard = s >= o.sweeps - o.hardSweeps;
    const T = o.temp ? o.temp(s) : 1;
    for (let i = 0; i < bags.length; i++) {
      add(i, z[i]!, -1);
      score(i, T);
      let max = -Infinity, best = 0;
      for (let k = 0; k < o.k; k++) if (lp[k]! > max) [max, best] = [lp[k]!, k];
      let pick = best;
      if (!hard) {
        let tot = 0;
        for (let k = 0; k < o.k; k++) tot += lp[k] = Math.exp(lp[k]! - max);
        let r = rnd() * tot;
        for (let k = 0; k < o.k; k++) if ((r -= lp[k]!) <= 0) { pick = k; break; }
      }
      z[i] = pick;
      add(i, pick, 1);
    }
  }
  return z;
}

/** log p(z) + log p(words | z) of a partition under the DMM (integer counts). */
export function logJoint(bags: readonly Bag[], V: number, z: ArrayLike<number>, k: number, alpha: number, beta: number): number {
  const docs = new Float64Array(k), tokens = new Float64Array(k);
  const by = Array.from({ length: k }, () => new Map<number, number>());
  bags.forEach((b, i) => { docs[z[i]!]!++; for (const [f, c] of b) { tokens[z[i]!]! += c; by[z[i]!]!.set(f, (by[z[i]!]!.get(f) ?? 0) + c); } });
  let l = lgamma(k * alpha) - lgamma(bags.length + k * alpha);
  for (let c = 0; c < k; c++) {
    l += lgamma(docs[c]! + alpha) - lgamma(alpha);
    for (const n of by[c]!.values()) l += lgamma(n + beta) - lgamma(beta);
    l += lgamma(V * beta) - lgamma(tokens[c]! + V * beta);
  }
  return l;
}
