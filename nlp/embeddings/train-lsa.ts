/**
 * Trains the LSA embedder artefact from the shared Chinese corpora (THUCNews held-out half excluded).
 * Deterministic for a given data folder and seed.
 *
 *   node --import tsx nlp/embeddings/train-lsa.ts [--data ../shared/data] [--out nlp/embeddings/lsa-v1.bin]
 *        [--dim 192] [--buckets 32768] [--seed 20261126]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { bestKmeans } from './kmeans.ts';
import { vMeasure } from './cluster-metrics.ts';
import { stopwordList } from '../stopwords.ts';
import { thucnewsSplit, trainingTexts } from './corpora.ts';
import { featureCounts, sublinearTf } from './features.ts';
import { DEFAULT_LSA_MODEL, LsaEmbedder } from './lsa-embedder.ts';
import { decodeLsa, encodeLsa, quantizeRows } from './lsa-format.ts';
import { randomizedSvd, type CsrMatrix } from './randomized-svd.ts';

const Args = z.object({
  data: z.string().default(path.resolve('../shared/data')),
  out: z.string().default(DEFAULT_LSA_MODEL),
  dim: z.coerce.number().int().min(8).max(512).default(192),
  buckets: z.coerce.number().int().default(32768),
  seed: z.coerce.number().int().default(20261126),
});

const { values } = parseArgs({
  options: { data: { type: 'string' }, out: { type: 'string' }, dim: { type: 'string' }, buckets: { type: 'string' }, seed: { type: 'string' } },
});
const args = Args.parse(values);
const log = (msg: string) => console.error(`[train-lsa ${(performance.now() / 1000).toFixed(1)}s] ${msg}`);

const stopwords = stopwordList();
const stopSet = new Set(stopwords);
const corpora = trainingTexts(args.data);
const mask = args.buckets - 1;

// Per document: bucket → signed sublinear tf (features colliding in a bucket add up).
const docs: Map<number, number>[] = [];
// Each corpus gets the same total weight in the SVD, so the largest one does not own the subspace.
const docWeight: number[] = [];
const meanSize = corpora.reduce((s, c) => s + c.texts.length, 0) / corpora.length;
for (const { texts } of corpora) {
  const w = Math.sqrt(meanSize / texts.length);
  for (const text of texts) {
    const row = new Map<number, number>();
    for (const [h, tf] of featureCounts(text, stopSet)) {
      const b = h & mask;
      row.set(b, (row.get(b) ?? 0) + (h >>> 31 ? -sublinearTf(tf) : sublinearTf(tf)));
    }
    if (row.size > 0) {
      docs.push(row);
      docWeight.push(w);
    }
  }
}
log(`${docs.length} documents from ${corpora.map((c) => `${c.corpus} ${c.texts.length}`).join(', ')}`);

const df = new Float64Array(args.buckets);
for (const row of docs) for (const b of row.keys()) df[b]!++;
const idf = new Float32Array(args.buckets);
for (let b = 0; b < args.buckets; b++) idf[b] = Math.log((docs.length + 1) / (df[b]! + 1)) + 1;

let nnz = 0;
for (const row of docs) nnz += row.size;
const a: CsrMatrix = { rows: docs.length, cols: args.buckets, rowPtr: new Int32Array(docs.length + 1), colIdx: new Int32Array(nnz), values: new Float32Array(nnz) };
let p = 0;
docs.forEach((row, i) => {
  const start = p;
  let norm = 0;
  for (const [b, x] of [...row].sort((u, v) => u[0] - v[0])) {
    const v = x * idf[b]!;
    a.colIdx[p] = b;
    a.values[p++] = v;
    norm += v * v;
  }
  const inv = norm > 0 ? docWeight[i]! / Math.sqrt(norm) : 0;
  for (let q = start; q < p; q++) a.values[q]! *= inv;
  a.rowPtr[i + 1] = p;
});
log(`TF-IDF matrix ${a.rows} × ${a.cols}, ${nnz} non-zeros`);

const svd = randomizedSvd(a, args.dim, { seed: args.seed, oversample: 16, powerIterations: 4 });
log(`SVD done; singular values ${svd.singularValues[0]!.toFixed(2)} … ${svd.singularValues[args.dim - 1]!.toFixed(2)}`);

// How much each component is weighted (σ^-power) is chosen on the THUCNews *training* half only.
const { train: thucTrain } = thucnewsSplit(args.data);
const thucLabels = [...new Set(thucTrain.map((t) => t.label))];
function build(power: number) {
  const m = new Float64Array(args.buckets * args.dim);
  for (let b = 0; b < args.buckets; b++) {
    for (let k = 0; k < args.dim; k++) m[b * args.dim + k] = svd.v.data[b * args.dim + k]! * svd.singularValues[k]! ** -power;
  }
  const { rowScale, projection } = quantizeRows(m, args.buckets, args.dim);
  return encodeLsa({
    header: {
      id: `lsa-v1-${args.dim}d`,
      dim: args.dim,
      buckets: args.buckets,
      quantization: 'int8-row-scaled',
      stopwords,
      training: {
        corpora: corpora.map((c) => ({ corpus: c.corpus, texts: c.texts.length })),
        documents: docs.length,
        heldOut: 'thucnews_titles where sha1("callscope-embeddings-heldout:"+id) < 0.5',
        features: 'jieba words minus stop-words and numbers + Han characters + Han bigrams, signed feature hashing',
        weighting: 'sublinear tf × idf (ln((N+1)/(df+1))+1), row L2, rows × sqrt(mean corpus size / corpus size)',
        svd: { method: 'randomized', oversample: 16, powerIterations: 4, seed: args.seed },
        componentWeight: `sigma^-${power}`,
        singularValues: Array.from(svd.singularValues, (s) => Number(s.toFixed(4))),
      },
    },
    idf,
    rowScale,
    projection,
  });
}

let best: { power: number; vm: number; bytes: Buffer } | undefined;
for (const power of [0, 0.5, 1]) {
  const bytes = build(power);
  const emb = new LsaEmbedder(decodeLsa(bytes));
  const vecs = await emb.embed(thucTrain.map((t) => t.text));
  const km = bestKmeans(vecs, thucLabels.length, [1, 2, 3], { spherical: true });
  const vm = vMeasure(thucTrain.map((t) => t.label), Array.from(km.assignments)).vMeasure;
  log(`component weight sigma^-${power}: THUCNews training-half V-measure ${vm.toFixed(4)}`);
  if (!best || vm > best.vm) best = { power, vm, bytes };
}
writeFileSync(args.out, best!.bytes);
log(`wrote ${args.out} (${best!.bytes.length} bytes, sigma^-${best!.power})`);
