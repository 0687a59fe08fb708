/**
 * One-off experiments behind the "tried for issue 8" table of analytics/README.md (section Clustering).
 * Not part of the product or of the bench; run from the repository root, e.g.
 *   node --import tsx bench/analytics/cluster-experiments/run-base.ts thucnews_titles,banking77,cfpb_complaints   # shipped consensus, cached
 *   node --import tsx bench/analytics/cluster-experiments/exp-st.ts thucnews_titles '[{"name":"lr","model":"lr","keep":0.7}]'  # self-training
 *   node --import tsx bench/analytics/cluster-experiments/exp-ab.ts thucnews_titles '[[0.1,0.1],[0.1,0.03]]'  # alpha, beta, log p(z, w)
 *   node --import tsx bench/analytics/cluster-experiments/exp-temp.ts thucnews_titles '[{"name":"T3->1","t0":3,"frac":0.7}]'
 *   node --import tsx bench/analytics/cluster-experiments/wordvec.ts <corpora> 300 [tag]; then exp-feat.ts thucnews_titles wc:300
 *   node --import tsx bench/analytics/cluster-experiments/exp-feat.ts thucnews_titles idf | ent:0.9 | ok:1.5
 *   node --import tsx bench/analytics/cluster-experiments/oracle.ts   # the mixture started from the true labels (diagnosis only)
 * Labels only score; nothing is fitted on them (oracle.ts starts from them to measure the model, not to tune it).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { SHARED } from '../../../tests/helpers.ts';
import path from 'node:path';
import { z } from 'zod';
import { textFeatures } from '../../../analytics/cluster/text-features.ts';
import { type Bag, fitDmm, toBag } from '../../../analytics/cluster/dmm.ts';
import { consensus } from '../../../analytics/cluster/consensus.ts';
import { tfidf, type SparseVector } from '../../../analytics/cluster/sparse.ts';
import { vMeasure } from '../../../nlp/embeddings/cluster-metrics.ts';

export const DATA = path.join(SHARED, 'data');
/** Caches and word clusters of these experiments (not committed). */
export const OUT = path.resolve('test-output/cluster-experiments');
mkdirSync(OUT, { recursive: true });
const Row = z.object({ id: z.string(), text: z.string(), label: z.string().optional(), issue: z.string().optional() });
export function load(name: string) {
  const key = name === 'cfpb_complaints' ? 'issue' : 'label';
  return readFileSync(path.join(DATA, `${name}.jsonl`), 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
    const r = Row.parse(JSON.parse(l));
    return { id: r.id, text: r.text, label: String(r[key] ?? '') };
  });
}
export type Prepared = { texts: string[]; truth: string[]; features: string[]; df: number[]; bags: Bag[]; vectors: SparseVector[]; k: number; feats: ReturnType<typeof textFeatures>[] };
export function prepare(name: string): Prepared {
  const rows = load(name);
  const feats = rows.map((r) => textFeatures(r.text));
  const dfAll = new Map<string, number>();
  for (const f of feats) for (const x of new Set(f.features)) dfAll.set(x, (dfAll.get(x) ?? 0) + 1);
  const features = [...dfAll].filter(([, d]) => d >= 2).map(([f]) => f).sort();
  const index = new Map(features.map((f, i) => [f, i]));
  const df = features.map((f) => dfAll.get(f)!);
  const bags = feats.map((f) => toBag(f.features.flatMap((x) => (index.has(x) ? [index.get(x)!] : []))));
  const vectors = bags.map((b) => tfidf(b, df, rows.length));
  return { texts: rows.map((r) => r.text), truth: rows.map((r) => r.label), features, df, bags, vectors, k: new Set(rows.map((r) => r.label)).size, feats };
}
export function baseline(name: string, p: Prepared, seed: number): Int32Array {
  const file = `${OUT}/cache-${name}-${seed}.json`;
  if (existsSync(file)) return Int32Array.from(JSON.parse(readFileSync(file, 'utf8')));
  // all texts assumed usable (check)
  const k = p.k;
  const dmm = { k, alpha: 0.1, beta: 0.1, sweeps: 30, hardSweeps: 3 };
  const restarts = Math.max(1, Math.min(10, Math.floor(500_000 / (p.bags.length * k))));
  const runs: Int32Array[] = [];
  for (let r = 0; r < restarts; r++) runs.push(fitDmm(p.bags, p.features.length, { ...dmm, seed: seed + r * 7919 }).assignments);
  const fit = runs.length === 1 ? runs[0]! : fitDmm(p.bags, p.features.length, { ...dmm, sweeps: 3, hardSweeps: 3, seed }, undefined, consensus(runs, k, seed)).assignments;
  writeFileSync(file, JSON.stringify([...fit]));
  return fit;
}
export const V = (truth: string[], z: ArrayLike<number>) => vMeasure(truth, Array.from(z)).vMeasure;
