/**
 * Keeps cluster ids stable across a full re-cluster: each new cluster takes the id of the old
 * cluster it shares the most texts with (greedy on the overlap table, largest first, each id once);
 * a new cluster sharing no texts takes the old id whose centroid is closest (cosine ≥ minCentroid),
 * else a fresh id. Greedy is enough here: overlaps are sparse and one-sided when content is the same.
 */
export type IdentityInput = {
  /** Text id → old cluster id (texts of the old clustering). */
  old: ReadonlyMap<string, string>;
  /** Text id → new cluster index. */
  fresh: ReadonlyMap<string, number>;
  newClusters: number;
  /** Cosine of new cluster i with old cluster id, for clusters with no shared text. */
  centroidSimilarity: (newIndex: number, oldId: string) => number;
  oldIds: readonly string[];
  nextId: () => string;
  minCentroid?: number;
};

export type IdentityResult = {
  ids: string[];
  /** Share of the texts in both clusterings (outliers excluded from neither) that kept their cluster id. */
  stability: number;
  shared: number;
};

export const OTHER = 'other';

export function matchIdentities(inp: IdentityInput): IdentityResult {
  const overlap = new Map<string, number>();
  for (const [id, z] of inp.fresh) {
    const o = inp.old.get(id);
    if (o === undefined || o === OTHER) continue;
    const key = `${z}\u0000${o}`;
    overlap.set(key, (overlap.get(key) ?? 0) + 1);
  }
  const ids = new Array<string | undefined>(inp.newClusters).fill(undefined);
  const used = new Set<string>();
  const pairs = [...overlap]
    .map(([key, n]) => {
      const [z, o] = key.split('\u0000') as [string, string];
      return { z: Number(z), o, n };
    })
    .sort((a, b) => b.n - a.n || a.z - b.z || (a.o < b.o ? -1 : 1));
  for (const p of pairs) {
    if (ids[p.z] !== undefined || used.has(p.o)) continue;
    ids[p.z] = p.o;
    used.add(p.o);
  }
  const minCentroid = inp.minCentroid ?? 0.5;
  for (let z = 0; z < inp.newClusters; z++) {
    if (ids[z] !== undefined) continue;
    let best: { o: string; s: number } | undefined;
    for (const o of inp.oldIds) {
      if (used.has(o)) continue;
      const s = inp.centroidSimilarity(z, o);
      if (s >= minCentroid && (!best || s > best.s)) best = { o, s };
    }
    ids[z] = best ? best.o : inp.nextId();
    if (best) used.add(best.o);
  }
  let shared = 0;
  let kept = 0;
  for (const [id, z] of inp.fresh) {
    const o = inp.old.get(id);
    if (o === undefined) continue;
    shared++;
    if (o === ids[z]) kept++;
  }
  return { ids: ids as string[], stability: shared ? kept / shared : 1, shared };
}
