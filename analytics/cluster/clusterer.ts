import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';
import { clusterTerms, labelOf } from './ctfidf.ts';
import { addBag, type Bag, type DmmCounts, fitDmm, logScores, toBag } from './dmm.ts';
import { matchIdentities, OTHER } from './identity.ts';
import { mergeLevels } from './merge.ts';
import { SilhouetteSample } from './silhouette.ts';
import { addInto, cosine, type SparseVector, tfidf } from './sparse.ts';
import { consensus } from './consensus.ts';
import { mulberry32 } from '../../core/prng.ts';
import { textFeatures } from './text-features.ts';

export { OTHER };

/** Bump when fitted models are no longer comparable (features, weighting, algorithm). */
export const CLUSTER_MODEL_VERSION = 1;

export type ClusterItem = { id: string; text: string };

export const ClusterOptions = z.object({
  /** Number of clusters; when absent it is chosen by silhouette over the merge levels. */
  k: z.number().int().min(1).max(500).optional(),
  /** Clusters smaller than this are dissolved into `other`. */
  minSize: z.number().int().min(1).default(2),
  seed: z.number().int().default(1),
  /** Mixture clusters fitted per wanted cluster before merging siblings. */
  overcluster: z.number().min(1).max(5).default(1),
  sweeps: z.number().int().min(2).max(200).default(30),
  /** Independent mixture fits whose consensus is kept: by default 20 with k given, 10 without (fewer on large inputs: see RESTART_BUDGET). */
  restarts: z.number().int().min(1).max(20).optional(),
  /** Features in more than this share of the texts are dropped (too common to tell clusters apart). */
  maxDfShare: z.number().gt(0).max(1).default(1),
  /** A joining text below this cosine (TF-IDF, to the cluster centroid) goes to `other`. */
  minSimilarity: z.number().min(0).max(1).default(0.05),
});
export type ClusterOptions = z.input<typeof ClusterOptions>;
type Options = z.output<typeof ClusterOptions>;

const SparseEntries = z.array(z.tuple([z.number().int().min(0), z.number()]));

const StoredCluster = z.object({
  id: z.string().min(1),
  size: z.number().int().min(0),
  tokens: z.number().min(0),
  /** Feature occurrences of the mixture component (sparse). */
  counts: SparseEntries,
  /** Sum of the members' unit TF-IDF vectors (sparse). */
  centroid: SparseEntries,
  terms: z.array(z.string()),
  label: z.string(),
});

/** What is persisted: enough to join new texts and to keep ids on a re-cluster. */
export const ClusterModel = z.object({
  version: z.literal(CLUSTER_MODEL_VERSION),
  method: z.string(),
  createdAt: z.string(),
  params: z.object({ k: z.number().int().nullable(), chosenK: z.number().int(), seed: z.number().int(), minSize: z.number().int(), minSimilarity: z.number(), alpha: z.number(), beta: z.number() }),
  features: z.array(z.string()),
  df: z.array(z.number().min(0)),
  docs: z.number().int().min(0),
  clusters: z.array(StoredCluster),
  nextId: z.number().int().min(1),
});
export type ClusterModel = z.infer<typeof ClusterModel>;

export type FitResult = {
  model: ClusterModel;
  /** Text id → cluster id or `other`. */
  assignments: Map<string, string>;
};

const ALPHA = 0.1;
const BETA = 0.1;
const AUTO_MAX_K = 60;
/** Restarts × texts × components stays under this: with k given, 4,000 titles in 10 clusters get 20
 * restarts (V 0.548 against 0.532 with 10: analytics/README.md), 3,074 texts in 77 intents 4, and
 * 100,000 segments in 10 clusters one run, not twenty. Without k (√n components, then silhouette) the
 * earlier 10 restarts and half the budget stay: 20 made silhouette pick 5 of 4 generated topics. */
const RESTARTS = { givenK: 20, autoK: 10 };
const RESTART_BUDGET = { givenK: 1_000_000, autoK: 500_000 };
/** Without k, the mixture starts from √n components (at most AUTO_MAX_K) and silhouette picks a merge level. */
const autoFitK = (n: number) => Math.min(AUTO_MAX_K, Math.max(2, Math.round(Math.sqrt(n))));
const SILHOUETTE_SAMPLE = 1500;

export function methodName(o: { k: number | null; chosenK: number }): string {
  return `gsdmm+merge (jieba words + Han chars/bigrams; ${o.k === null ? `k=${o.chosenK} by silhouette` : `k=${o.k}`}) v${CLUSTER_MODEL_VERSION}`;
}

type Progress = (stage: string, done: number, total: number) => void;

/**
 * Clusters texts from scratch: embed (features, TF-IDF) → mixture → merge → label. `warmStart`
 * (text id → cluster id of an earlier clustering) starts every restart from those clusters instead of
 * random ones; texts it does not know start at random. Every text is still re-sampled.
 */
export function fitClusters(items: readonly ClusterItem[], options: ClusterOptions = {}, onProgress?: Progress, warmStart?: ReadonlyMap<string, string>): FitResult {
  const o = ClusterOptions.parse(options);
  const feats = items.map((it) => textFeatures(it.text));
  const dfAll = new Map<string, number>();
  for (const f of feats) for (const x of new Set(f.features)) dfAll.set(x, (dfAll.get(x) ?? 0) + 1);
  // A feature seen in one text cannot bring two texts together.
  const minDf = items.length >= 50 ? 2 : 1;
  const maxDf = o.maxDfShare * items.length;
  const features = [...dfAll].filter(([, d]) => d >= minDf && d <= maxDf).map(([f]) => f).sort();
  const index = new Map(features.map((f, i) => [f, i]));
  const df = features.map((f) => dfAll.get(f)!);
  const bags = feats.map((f) => toBag(f.features.flatMap((x) => (index.has(x) ? [index.get(x)!] : []))));
  const usable = bags.map((b, i) => i).filter((i) => bags[i]!.length > 0);
  const vectors = bags.map((b) => tfidf(b, df, items.length));

  const wanted = o.k ?? null;
  const fitK = Math.max(1, Math.min(usable.length, wanted !== null ? Math.round(wanted * o.overcluster) : autoFitK(usable.length)));
  const assignments = new Map<string, string>(items.map((it) => [it.id, OTHER]));
  const model: ClusterModel = {
    version: CLUSTER_MODEL_VERSION,
    method: '',
    createdAt: new Date().toISOString(),
    params: { k: wanted, chosenK: 0, seed: o.seed, minSize: o.minSize, minSimilarity: o.minSimilarity, alpha: ALPHA, beta: BETA },
    features,
    df,
    docs: items.length,
    clusters: [],
    nextId: 1,
  };
  if (usable.length === 0) {
    model.method = methodName(model.params);
    return { model, assignments };
  }

  const usableBags = usable.map((i) => bags[i]!);
  const dmm = { k: fitK, alpha: ALPHA, beta: BETA, sweeps: o.sweeps, hardSweeps: 3 };
  const runs: Int32Array[] = [];
  const mode = wanted !== null ? 'givenK' : 'autoK';
  const restarts = Math.max(1, Math.min(o.restarts ?? RESTARTS[mode], Math.floor(RESTART_BUDGET[mode] / (usable.length * fitK))));
  const init = warmStart ? warmInit(usable.map((i) => warmStart.get(items[i]!.id)), fitK, o.seed) : undefined;
  for (let r = 0; r < restarts; r++) {
    const run = fitDmm(usableBags, features.length, { ...dmm, seed: o.seed + r * 7919 }, (s) => onProgress?.('fit', r * o.sweeps + s + 1, restarts * o.sweeps), init);
    runs.push(run.assignments);
  }
  // Restarts disagree on the texts between topics; their consensus, polished by a few hard sweeps, is
  // steadier and better than any one run (bench/analytics/clustering.ts).
  const fit = runs.length === 1 ? runs[0]! : fitDmm(usableBags, features.length, { ...dmm, sweeps: 3, hardSweeps: 3, seed: o.seed }, undefined, consensus(runs, fitK, o.seed)).assignments;
  // Non-empty mixture components, then their merge levels.
  const live = [...new Set(fit)].sort((a, b) => a - b);
  const slotOf = new Map(live.map((z, i) => [z, i]));
  const sums = live.map(() => new Map<number, number>() as SparseVector);
  const sizes = live.map(() => 0);
  usable.forEach((i, j) => {
    const slot = slotOf.get(fit[j]!)!;
    addInto(sums[slot]!, vectors[i]!);
    sizes[slot]!++;
  });
  const levels = mergeLevels(sums, sizes);
  let level = levels[0]!;
  if (wanted !== null) {
    level = levels.find((l) => l.clusters <= wanted) ?? level;
  } else {
    const sample = new SilhouetteSample(usable.map((i) => vectors[i]!), SILHOUETTE_SAMPLE, o.seed);
    let bestScore = -Infinity;
    for (const l of levels) {
      if (l.clusters < 2 || l.clusters > AUTO_MAX_K) continue;
      const s = sample.score((j) => l.groupOf[slotOf.get(fit[j]!)!]!);
      if (s > bestScore) [bestScore, level] = [s, l];
    }
  }

  // Final groups: members, in size order; small ones dissolve into `other`.
  const members = new Map<number, number[]>();
  usable.forEach((i, j) => {
    const g = level.groupOf[slotOf.get(fit[j]!)!]!;
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  });
  const groups = [...members.values()].filter((m) => m.length >= o.minSize).sort((a, b) => b.length - a.length || a[0]! - b[0]!);
  const terms = clusterTerms(groups.map((m) => m.map((i) => feats[i]!.words)));
  groups.forEach((m, g) => {
    const id = `c${model.nextId++}`;
    const counts = new Map<number, number>();
    const centroid: SparseVector = new Map();
    let tokens = 0;
    for (const i of m) {
      assignments.set(items[i]!.id, id);
      for (const [f, c] of bags[i]!) {
        counts.set(f, (counts.get(f) ?? 0) + c);
        tokens += c;
      }
      addInto(centroid, vectors[i]!);
    }
    model.clusters.push({ id, size: m.length, tokens, counts: [...counts], centroid: [...centroid], terms: terms[g]!, label: labelOf(terms[g]!) });
  });
  model.params.chosenK = groups.length;
  model.method = methodName(model.params);
  return { model, assignments };
}

/** Start components from earlier cluster ids (in order of first appearance); unknown texts and `other` at random. */
function warmInit(previous: ReadonlyArray<string | undefined>, k: number, seed: number): Int32Array {
  const rnd = mulberry32(seed ^ 0x5bd1e995);
  const slot = new Map<string, number>();
  return Int32Array.from(previous, (c) => {
    if (c === undefined || c === OTHER) return Math.floor(rnd() * k);
    if (!slot.has(c)) slot.set(c, slot.size % k);
    return slot.get(c)!;
  });
}

/** Runtime view of a stored model: dense mixture counts for scoring joins. */
class LoadedModel {
  readonly index: Map<string, number>;
  readonly counts: DmmCounts;
  readonly centroids: SparseVector[];

  constructor(readonly model: ClusterModel) {
    const v = model.features.length;
    this.index = new Map(model.features.map((f, i) => [f, i]));
    this.counts = {
      docs: Float64Array.from(model.clusters.map((c) => c.size)),
      tokens: Float64Array.from(model.clusters.map((c) => c.tokens)),
      byFeature: model.clusters.map((c) => {
        const a = new Float64Array(v);
        for (const [f, n] of c.counts) a[f] = n;
        return a;
      }),
    };
    this.centroids = model.clusters.map((c) => new Map(c.centroid));
  }

  bag(text: string): Bag {
    return toBag(textFeatures(text).features.flatMap((x) => (this.index.has(x) ? [this.index.get(x)!] : [])));
  }

  /** Writes the updated statistics back into the stored form. */
  save(): void {
    this.model.clusters.forEach((c, z) => {
      c.size = this.counts.docs[z]!;
      c.tokens = this.counts.tokens[z]!;
      const byF = this.counts.byFeature[z]!;
      const entries: Array<[number, number]> = [];
      for (let f = 0; f < byF.length; f++) if (byF[f]! > 0) entries.push([f, byF[f]!]);
      c.counts = entries;
      c.centroid = [...this.centroids[z]!];
    });
  }
}

/**
 * New texts join the existing clusters without re-clustering: each goes to its most probable
 * mixture component, unless its TF-IDF cosine to that cluster's centroid is below
 * `minSimilarity` (or it has no known feature): then it is `other`. The joined texts update the
 * clusters' statistics (sizes, counts, centroids), so the model follows the data between re-clusters.
 */
export function joinClusters(model: ClusterModel, items: readonly ClusterItem[], minSimilarity = model.params.minSimilarity): Map<string, string> {
  const out = new Map<string, string>();
  if (model.clusters.length === 0) {
    for (const it of items) out.set(it.id, OTHER);
    return out;
  }
  const m = new LoadedModel(model);
  const lp = new Float64Array(model.clusters.length);
  for (const it of items) {
    const bag = m.bag(it.text);
    if (bag.length === 0) {
      out.set(it.id, OTHER);
      continue;
    }
    logScores(bag, m.counts, model.features.length, model.params.alpha, model.params.beta, lp);
    let z = 0;
    for (let c = 1; c < lp.length; c++) if (lp[c]! > lp[z]!) z = c;
    const v = tfidf(bag, model.df, model.docs);
    if (cosine(v, m.centroids[z]!) < minSimilarity) {
      out.set(it.id, OTHER);
      continue;
    }
    addBag(m.counts, z, bag, 1);
    addInto(m.centroids[z]!, v);
    for (const [f] of bag) model.df[f]!++;
    model.docs++;
    out.set(it.id, model.clusters[z]!.id);
  }
  m.save();
  return out;
}

export type ReclusterResult = FitResult & {
  /** Share of the texts clustered both times that kept their cluster id. */
  stability: number;
};

/**
 * A full re-cluster that keeps ids where the content is the same: every restart starts from the
 * previous clusters (all texts are re-sampled, new ones start at random), then ids are matched (identity.ts).
 */
export function reclusterStable(
  previous: { model: ClusterModel; assignments: ReadonlyMap<string, string> },
  items: readonly ClusterItem[],
  options: ClusterOptions = {},
  onProgress?: Progress,
): ReclusterResult {
  const fresh = fitClusters(items, options, onProgress, previous.assignments);
  const localOf = new Map(fresh.model.clusters.map((c, i) => [c.id, i]));
  const freshIdx = new Map<string, number>();
  for (const [id, c] of fresh.assignments) if (c !== OTHER) freshIdx.set(id, localOf.get(c)!);
  // Centroids of two models live in different feature spaces: compare them by feature name.
  const byName = (model: ClusterModel, entries: ReadonlyArray<readonly [number, number]>) => new Map(entries.map(([f, x]) => [model.features[f]!, x]));
  const oldCentroids = new Map(previous.model.clusters.map((c) => [c.id, byName(previous.model, c.centroid)]));
  const newCentroids = fresh.model.clusters.map((c) => byName(fresh.model, c.centroid));
  const cosNamed = (a: Map<string, number>, b: Map<string, number>) => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (const [f, x] of a) {
      dot += x * (b.get(f) ?? 0);
      na += x * x;
    }
    for (const x of b.values()) nb += x * x;
    return na && nb ? dot / Math.sqrt(na * nb) : 0;
  };
  let next = Math.max(previous.model.nextId, 1);
  const { ids, stability } = matchIdentities({
    old: previous.assignments,
    fresh: freshIdx,
    newClusters: fresh.model.clusters.length,
    oldIds: previous.model.clusters.map((c) => c.id),
    centroidSimilarity: (z, o) => cosNamed(newCentroids[z]!, oldCentroids.get(o)!),
    nextId: () => `c${next++}`,
  });
  fresh.model.clusters.forEach((c, z) => (c.id = ids[z]!));
  fresh.model.nextId = next;
  for (const [id, c] of fresh.assignments) if (c !== OTHER) fresh.assignments.set(id, ids[localOf.get(c)!]!);
  return { ...fresh, stability };
}

/** The texts of a cluster closest to its centroid (distinct texts), best first. */
export function representatives(model: ClusterModel, clusterId: string, items: readonly ClusterItem[], n = 3): ClusterItem[] {
  const c = model.clusters.find((x) => x.id === clusterId);
  if (!c) throw new CallScopeError('NOT_FOUND', `no cluster ${clusterId}`);
  const centroid: SparseVector = new Map(c.centroid);
  const index = new Map(model.features.map((f, i) => [f, i]));
  const seen = new Set<string>();
  return items
    .map((it) => {
      const bag = toBag(textFeatures(it.text).features.flatMap((x) => (index.has(x) ? [index.get(x)!] : [])));
      return { it, s: cosine(tfidf(bag, model.df, model.docs), centroid) };
    })
    .sort((a, b) => b.s - a.s || (a.it.id < b.it.id ? -1 : 1))
    .filter(({ it }) => !seen.has(it.text) && (seen.add(it.text), true))
    .slice(0, n)
    .map(({ it }) => it);
}
