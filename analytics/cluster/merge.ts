import { addInto, type SparseVector } from './sparse.ts';

/**
 * Ward-linkage merging of fitted clusters (mean of the members' unit TF-IDF vectors): the mixture is
 * fitted with more clusters than wanted and its close siblings are joined. Ward's cost
 * nₐn_b/(nₐ+n_b)·‖μₐ−μ_b‖² grows with size, so one broad cluster does not swallow the rest, as it
 * does under centroid cosine. Returns, for every level from all clusters down to 1, the group of each
 * original cluster.
 */
export type MergeLevel = { clusters: number; groupOf: Int32Array; /** Ward cost of the merge that reached this level */ cost: number };

function wardCost(sa: SparseVector, na: number, sb: SparseVector, nb: number): number {
  let d = 0;
  for (const [f, x] of sa) {
    const diff = x / na - (sb.get(f) ?? 0) / nb;
    d += diff * diff;
  }
  for (const [f, y] of sb) if (!sa.has(f)) d += (y / nb) ** 2;
  return ((na * nb) / (na + nb)) * d;
}

export function mergeLevels(sums: readonly SparseVector[], sizes: readonly number[]): MergeLevel[] {
  const n = sums.length;
  const groupOf = Int32Array.from({ length: n }, (_, i) => i);
  const live = new Map<number, { sum: SparseVector; size: number }>(sums.map((s, i) => [i, { sum: new Map(s), size: sizes[i]! }]));
  const levels: MergeLevel[] = [{ clusters: n, groupOf: Int32Array.from(groupOf), cost: 0 }];
  const cost = new Map<number, Map<number, number>>();
  const setCost = (a: number, b: number) => {
    const x = live.get(a)!;
    const y = live.get(b)!;
    const [lo, hi] = a < b ? [a, b] : [b, a];
    if (!cost.has(lo)) cost.set(lo, new Map());
    cost.get(lo)!.set(hi, wardCost(x.sum, x.size, y.sum, y.size));
  };
  for (const a of live.keys()) for (const b of live.keys()) if (a < b) setCost(a, b);
  while (live.size > 1) {
    let best = { a: -1, b: -1, c: Infinity };
    for (const [a, row] of cost) for (const [b, c] of row) if (c < best.c) best = { a, b, c };
    const { a, b, c } = best;
    const x = live.get(a)!;
    const y = live.get(b)!;
    addInto(x.sum, y.sum);
    x.size += y.size;
    live.delete(b);
    cost.delete(b);
    for (const row of cost.values()) row.delete(b);
    for (const other of live.keys()) if (other !== a) setCost(a, other);
    for (let i = 0; i < n; i++) if (groupOf[i] === b) groupOf[i] = a;
    levels.push({ clusters: live.size, groupOf: Int32Array.from(groupOf), cost: c });
  }
  return levels;
}
