/**
 * Clustering quality on real labelled data (../shared/data, dev split) beside the data README's floor
 * and published figures; incremental-vs-full agreement; identity stability of a re-cluster.
 *
 *   node --import tsx bench/analytics/clustering.ts [--seeds 1,2,3] [--datasets thucnews_titles,banking77,cfpb_complaints] [--skip-incremental]
 *
 * Labels are used only to score: the clustering never sees them, and nothing is fitted on labelled data.
 */
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type ClusterItem, fitClusters, joinClusters, OTHER, reclusterStable } from '../../analytics/cluster/clusterer.ts';
import { adjustedRandIndex, nmi, vMeasure } from '../../nlp/embeddings/cluster-metrics.ts';
import { bestKmeans } from '../../nlp/embeddings/kmeans.ts';
import { LsaEmbedder } from '../../nlp/embeddings/lsa-embedder.ts';
import { SHARED } from '../../tests/helpers.ts';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '1,2,3' }, datasets: { type: 'string', default: 'thucnews_titles,banking77,cfpb_complaints' }, 'skip-incremental': { type: 'boolean', default: false } } });
const SEEDS = values.seeds.split(',').map(Number);
const DATA = path.join(SHARED, 'data');

type Labelled = ClusterItem & { label: string };
const Row = z.object({ id: z.string(), text: z.string(), label: z.string().optional(), issue: z.string().optional() });

/** The data README's reference figures (V-measure; ARI where given). */
const REFERENCE: Record<string, { label: 'label' | 'issue'; floor: string; published: string }> = {
  thucnews_titles: { label: 'label', floor: 'V 0.36 (char TF-IDF + k-means), ~0.40 word counts', published: 'V 0.588–0.742 (C-MTEB ThuNewsClusteringS2S: Dmeta 58.84, gte-large-zh 62.92, gte-base-zh 63.61, Conan-v1 74.20)' },
  banking77: { label: 'label', floor: 'V 0.49, ARI 0.15 (word uni+bigram TF-IDF + spherical k-means, k = 77)', published: 'none for clustering (classification only)' },
  cfpb_complaints: { label: 'issue', floor: 'V 0.53, ARI 0.09 (TF-IDF + k-means, k = 34 issues)', published: 'none' },
};

function load(name: string): Labelled[] {
  const ref = REFERENCE[name]!;
  return readFileSync(path.join(DATA, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const r = Row.parse(JSON.parse(l));
      return { id: r.id, text: r.text, label: String(r[ref.label] ?? '') };
    });
}

const f3 = (x: number) => x.toFixed(3);
const meanSd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return xs.length > 1 ? `${f3(m)} ± ${f3(sd)}` : f3(m);
};
function scores(truth: string[], pred: string[]) {
  return { v: vMeasure(truth, pred).vMeasure, nmi: nmi(truth, pred), ari: adjustedRandIndex(truth, pred) };
}

console.log(`# Clustering bench (${new Date().toISOString()}, ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
console.log(`commit ${execSync('git rev-parse --short HEAD').toString().trim()}; seeds ${SEEDS.join(',')}; each seed = consensus of up to 20 restarts (fewer when texts × k is large)\n`);
console.log('| dataset | n | k | method | V-measure | NMI (arith.) | ARI | s / run | floor (data README) | published |');
console.log('|---|---:|---:|---|---:|---:|---:|---:|---|---|');

for (const name of values.datasets.split(',').filter(Boolean)) {
  const rows = load(name);
  const truth = rows.map((r) => r.label);
  const k = new Set(truth).size;
  const ref = REFERENCE[name]!;
  const runs: Array<ReturnType<typeof scores>> = [];
  let secs = 0;
  for (const seed of SEEDS) {
    const t = performance.now();
    const r = fitClusters(rows, { k, seed, minSize: 1 });
    secs += (performance.now() - t) / 1000;
    runs.push(scores(truth, rows.map((x) => r.assignments.get(x.id)!)));
  }
  const col = (key: 'v' | 'nmi' | 'ari') => meanSd(runs.map((r) => r[key]));
  console.log(`| ${name} | ${rows.length} | ${k} | GSDMM (this repo) | ${col('v')} | ${col('nmi')} | ${col('ari')} | ${(secs / SEEDS.length).toFixed(1)} | ${ref.floor} | ${ref.published} |`);

  if (name === 'thucnews_titles') {
    // The shipped LSA embedder (nlp/embeddings) under k-means, for comparison.
    const lsa = LsaEmbedder.load();
    const vecs = await lsa.embed(rows.map((r) => r.text));
    const lr = SEEDS.map((seed) => {
      const km = bestKmeans(vecs, k, [seed, seed + 100, seed + 200], { spherical: true });
      return scores(truth, Array.from(km.assignments, String));
    });
    console.log(`| ${name} | ${rows.length} | ${k} | LSA embedder (nlp/embeddings) + spherical k-means | ${meanSd(lr.map((r) => r.v))} | ${meanSd(lr.map((r) => r.nmi))} | ${meanSd(lr.map((r) => r.ari))} | | | |`);
    const t = performance.now();
    const auto = fitClusters(rows, { seed: SEEDS[0]!, minSize: 1 });
    const s = scores(truth, rows.map((x) => auto.assignments.get(x.id)!));
    console.log(`| ${name} | ${rows.length} | auto → ${auto.model.clusters.length} | GSDMM, k by silhouette | ${f3(s.v)} | ${f3(s.nmi)} | ${f3(s.ari)} | ${((performance.now() - t) / 1000).toFixed(1)} | | |`);
  }
}

// Incremental vs full, and stability, on THUCNews titles: 70 % fitted, then 30 % joined.
if (values['skip-incremental']) process.exit(0);
const rows = load('thucnews_titles');
const k = new Set(rows.map((r) => r.label)).size;
const late = (id: string) => createHash('sha1').update(`cluster-bench:${id}`).digest().readUInt32BE(0) / 2 ** 32 < 0.3;
const first = rows.filter((r) => !late(r.id));
const second = rows.filter((r) => late(r.id));
const seed = SEEDS[0]!;
const base = fitClusters(first, { k, seed, minSize: 1 });
const model = structuredClone(base.model);
const joined = joinClusters(model, second);
const full = fitClusters(rows, { k, seed, minSize: 1 });
const inc = second.map((r) => joined.get(r.id)!);
const fullSecond = second.map((r) => full.assignments.get(r.id)!);
const agree = scores(fullSecond, inc);
const incTruth = scores(second.map((r) => r.label), inc);
const other = inc.filter((c) => c === OTHER).length / inc.length;
const sameData = reclusterStable(base, first, { k, seed: seed + 1, minSize: 1 });
const sameDataV = scores(first.map((r) => r.label), first.map((r) => sameData.assignments.get(r.id)!)).v;
const allAssign = new Map([...base.assignments, ...joined]);
const grown = reclusterStable({ model, assignments: allAssign }, rows, { k, seed, minSize: 1 });
console.log(`\n## Incremental join and re-cluster stability (THUCNews titles, k = ${k})\n`);
console.log('| check | value |');
console.log('|---|---:|');
console.log(`| texts fitted / joined later | ${first.length} / ${second.length} |`);
console.log(`| joined texts vs a full re-cluster: V-measure / ARI | ${f3(agree.v)} / ${f3(agree.ari)} |`);
console.log(`| joined texts vs truth: V-measure (full fit on all: ${f3(scores(rows.map((r) => r.label), rows.map((r) => full.assignments.get(r.id)!)).v)}) | ${f3(incTruth.v)} |`);
console.log(`| joined texts sent to other (below min cosine ${base.model.params.minSimilarity}) | ${(other * 100).toFixed(1)} % |`);
console.log(`| re-cluster of the same texts (other seed, warm start): share keeping their cluster id | ${(sameData.stability * 100).toFixed(1)} % |`);
console.log(`| … its V-measure vs truth (first fit: ${f3(scores(first.map((r) => r.label), first.map((r) => base.assignments.get(r.id)!)).v)}) | ${f3(sameDataV)} |`);
console.log(`| re-cluster after the 30 % joined: share keeping their cluster id | ${(grown.stability * 100).toFixed(1)} % |`);
console.log(`| … its V-measure vs truth on all texts | ${f3(scores(rows.map((r) => r.label), rows.map((r) => grown.assignments.get(r.id)!)).v)} |`);
console.log(`\nload average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
