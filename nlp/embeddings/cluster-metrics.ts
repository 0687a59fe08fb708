/** External clustering metrics (truth labels vs predicted cluster ids), as defined by
 * Rosenberg & Hirschberg 2007 (V-measure), Strehl & Ghosh 2002 (NMI) and Hubert & Arabie 1985 (ARI). */

interface Contingency {
  n: number;
  cells: number[][];
  rowSums: number[];
  colSums: number[];
}

function contingency<T, U>(truth: readonly T[], pred: readonly U[]): Contingency {
  if (truth.length !== pred.length) throw new Error(`label lists differ in length (${truth.length} vs ${pred.length})`);
  const ti = new Map<T, number>();
  const pi = new Map<U, number>();
  for (const t of truth) if (!ti.has(t)) ti.set(t, ti.size);
  for (const p of pred) if (!pi.has(p)) pi.set(p, pi.size);
  const cells = Array.from({ length: ti.size }, () => new Array<number>(pi.size).fill(0));
  truth.forEach((t, i) => cells[ti.get(t)!]![pi.get(pred[i]!)!]!++);
  const rowSums = cells.map((r) => r.reduce((a, b) => a + b, 0));
  const colSums = Array.from({ length: pi.size }, (_, j) => cells.reduce((a, r) => a + r[j]!, 0));
  return { n: truth.length, cells, rowSums, colSums };
}

const entropy = (counts: number[], n: number) => counts.reduce((h, c) => (c > 0 ? h - (c / n) * Math.log(c / n) : h), 0);

function mutualInformation(c: Contingency): number {
  let mi = 0;
  c.cells.forEach((row, i) =>
    row.forEach((nij, j) => {
      if (nij > 0) mi += (nij / c.n) * Math.log((c.n * nij) / (c.rowSums[i]! * c.colSums[j]!));
    }),
  );
  return mi;
}

export interface VMeasure {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

export function vMeasure<T, U>(truth: readonly T[], pred: readonly U[]): VMeasure {
  const c = contingency(truth, pred);
  const hC = entropy(c.rowSums, c.n);
  const hK = entropy(c.colSums, c.n);
  const mi = mutualInformation(c);
  // H(C|K) = H(C) − I; a single true class is perfectly homogeneous, a single cluster perfectly complete.
  const homogeneity = hC === 0 ? 1 : mi / hC;
  const completeness = hK === 0 ? 1 : mi / hK;
  const vm = homogeneity + completeness === 0 ? 0 : (2 * homogeneity * completeness) / (homogeneity + completeness);
  return { homogeneity, completeness, vMeasure: vm };
}

/** Normalised mutual information; `arithmetic` (scikit-learn's default) equals the V-measure. */
export function nmi<T, U>(truth: readonly T[], pred: readonly U[], average: 'arithmetic' | 'geometric' = 'arithmetic'): number {
  const c = contingency(truth, pred);
  const hC = entropy(c.rowSums, c.n);
  const hK = entropy(c.colSums, c.n);
  if (hC === 0 && hK === 0) return 1;
  const norm = average === 'arithmetic' ? (hC + hK) / 2 : Math.sqrt(hC * hK);
  return norm === 0 ? 0 : mutualInformation(c) / norm;
}

const pairs = (x: number) => (x * (x - 1)) / 2;

export function adjustedRandIndex<T, U>(truth: readonly T[], pred: readonly U[]): number {
  const c = contingency(truth, pred);
  const sumCells = c.cells.reduce((s, row) => s + row.reduce((a, nij) => a + pairs(nij), 0), 0);
  const sumRows = c.rowSums.reduce((s, x) => s + pairs(x), 0);
  const sumCols = c.colSums.reduce((s, x) => s + pairs(x), 0);
  const expected = (sumRows * sumCols) / pairs(c.n);
  const max = (sumRows + sumCols) / 2;
  if (max === expected) return 1; // both partitions trivial (all-in-one or all singletons) and identical in structure
  return (sumCells - expected) / (max - expected);
}
