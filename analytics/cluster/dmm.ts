import { mulberry32 } from '../../core/prng.ts';

/**
 * Dirichlet multinomial mixture fitted by collapsed Gibbs sampling (GSDMM: Yin & Wang, KDD 2014,
 * "A Dirichlet multinomial mixture model-based approach for short text clustering"). One topic per
 * text suits utterances and titles, whose few words rarely mix topics. With more clusters than
 * needed, clusters empty out during sampling: what is left is the model's choice of k.
 */
export type DmmOptions = {
  k: number;
  /** Prior weight of a cluster (small: texts prefer popular clusters, empty ones die). */
  alpha: number;
  /** Prior weight of a feature in a cluster (small: clusters stay specific). */
  beta: number;
  /** Sampling sweeps, the last `hardSweeps` of them taking the most probable cluster instead of a sample. */
  sweeps: number;
  hardSweeps: number;
  seed: number;
};

/** Per-cluster sufficient statistics: texts, feature occurrences, and occurrences of each feature. */
export type DmmCounts = { docs: Float64Array; tokens: Float64Array; byFeature: Float64Array[] };

/** A text as (feature index, count) pairs. */
export type Bag = ReadonlyArray<readonly [number, number]>;

export function toBag(featureIds: readonly number[]): Bag {
  const c = new Map<number, number>();
  for (const f of featureIds) c.set(f, (c.get(f) ?? 0) + 1);
  return [...c];
}

const bagSize = (bag: Bag) => bag.reduce((s, [, c]) => s + c, 0);

/** log p(text | cluster) + log prior, up to a constant: the GSDMM conditional. */
export function logScores(bag: Bag, counts: DmmCounts, vocabSize: number, alpha: number, beta: number, out: Float64Array): void {
  const nd = bagSize(bag);
  const k = counts.docs.length;
  for (let z = 0; z < k; z++) {
    let l = Math.log(counts.docs[z]! + alpha);
    const byF = counts.byFeature[z]!;
    for (const [f, c] of bag) for (let j = 0; j < c; j++) l += Math.log(byF[f]! + beta + j);
    const n = counts.tokens[z]! + vocabSize * beta;
    for (let j = 0; j < nd; j++) l -= Math.log(n + j);
    out[z] = l;
  }
}

export function addBag(counts: DmmCounts, z: number, bag: Bag, sign: 1 | -1): void {
  counts.docs[z]! += sign;
  const byF = counts.byFeature[z]!;
  for (const [f, c] of bag) {
    byF[f]! += sign * c;
    counts.tokens[z]! += sign * c;
  }
}

export type DmmFit = { assignments: Int32Array; counts: DmmCounts };

/** `init`: start from these clusters instead of random ones (a consensus to polish). */
export function fitDmm(bags: readonly Bag[], vocabSize: number, o: DmmOptions, onSweep?: (sweep: number) => void, init?: Int32Array): DmmFit {
  const rnd = mulberry32(o.seed);
  const counts: DmmCounts = {
    docs: new Float64Array(o.k),
    tokens: new Float64Array(o.k),
    byFeature: Array.from({ length: o.k }, () => new Float64Array(vocabSize)),
  };
  const z = new Int32Array(bags.length);
  bags.forEach((bag, i) => {
    z[i] = init ? init[i]! : Math.floor(rnd() * o.k);
    addBag(counts, z[i]!, bag, 1);
  });
  const lp = new Float64Array(o.k);
  for (let sweep = 0; sweep < o.sweeps; sweep++) {
    const hard = sweep >= o.sweeps - o.hardSweeps;
    for (let i = 0; i < bags.length; i++) {
      const bag = bags[i]!;
      addBag(counts, z[i]!, bag, -1);
      logScores(bag, counts, vocabSize, o.alpha, o.beta, lp);
      let max = -Infinity;
      let best = 0;
      for (let k = 0; k < o.k; k++) if (lp[k]! > max) [max, best] = [lp[k]!, k];
      let pick = best;
      if (!hard) {
        let total = 0;
        for (let k = 0; k < o.k; k++) total += lp[k] = Math.exp(lp[k]! - max);
        let r = rnd() * total;
        for (let k = 0; k < o.k; k++) if ((r -= lp[k]!) <= 0) {
          pick = k;
          break;
        }
      }
      z[i] = pick;
      addBag(counts, pick, bag, 1);
    }
    onSweep?.(sweep);
  }
  return { assignments: z, counts };
}
