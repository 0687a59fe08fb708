// PPMI + SVD word vectors from the Chinese corpora, then k-means word clusters. Writes test-output/cluster-experiments/wordclusters-<n>.json
import { DATA, OUT } from './base.ts';
import { writeFileSync } from 'node:fs';
import { corpusTexts } from '../../../nlp/embeddings/corpora.ts';
import { randomizedSvd, type CsrMatrix } from '../../../nlp/embeddings/randomized-svd.ts';
import { bestKmeans } from '../../../nlp/embeddings/kmeans.ts';
import { tokenize } from '../../../nlp/segmenter.ts';
import { isContentWord } from '../../../analytics/cluster/text-features.ts';

const corpora = (process.argv[2] ?? 'chnsenticorp_hotel,waimai_10k,online_shopping_10_cats,smp2020_ewect_emotion,stc3_helpdesk_dialogues').split(',');
const NCL = (process.argv[3] ?? "300").split(",").map(Number);
const TAG = process.argv[4] ?? "";
const DIM = 100, WIN = 5, MINC = 5;
const t0 = performance.now();
const docs: string[][] = [];
for (const c of corpora) for (const t of corpusTexts(DATA, c)) docs.push(tokenize(t.text.normalize('NFKC').toLowerCase()).filter(isContentWord));
console.log('docs', docs.length, 'tokens', docs.reduce((s, d) => s + d.length, 0), ((performance.now() - t0) / 1000).toFixed(1) + 's');
const cnt = new Map<string, number>();
for (const d of docs) for (const w of d) cnt.set(w, (cnt.get(w) ?? 0) + 1);
const vocab = [...cnt].filter(([, c]) => c >= MINC).map(([w]) => w).sort();
const idx = new Map(vocab.map((w, i) => [w, i]));
console.log('vocab', vocab.length);
const co = new Map<number, number>();
const V = vocab.length;
for (const d of docs) {
  const ids = d.map((w) => idx.get(w)).filter((x): x is number => x !== undefined);
  for (let i = 0; i < ids.length; i++) for (let j = Math.max(0, i - WIN); j < Math.min(ids.length, i + WIN + 1); j++) if (j !== i && ids[i] !== ids[j]) { const key = ids[i]! * V + ids[j]!; co.set(key, (co.get(key) ?? 0) + 1); }
}
const rowSum = new Float64Array(V), colSum = new Float64Array(V);
let total = 0;
for (const [key, c] of co) { rowSum[Math.floor(key / V)]! += c; colSum[key % V]! += c; total += c; }
const colPow = Array.from(colSum, (x) => x ** 0.75);
const colPowSum = colPow.reduce((a, b) => a + b, 0);
const rows: Array<Array<[number, number]>> = Array.from({ length: V }, () => []);
for (const [key, c] of co) {
  const i = Math.floor(key / V), j = key % V;
  const pmi = Math.log((c / total) / ((rowSum[i]! / total) * (colPow[j]! / colPowSum)));
  if (pmi > 0) rows[i]!.push([j, pmi]);
}
const nnz = rows.reduce((s, r) => s + r.length, 0);
const m: CsrMatrix = { rows: V, cols: V, rowPtr: new Int32Array(V + 1), colIdx: new Int32Array(nnz), values: new Float32Array(nnz) };
let p = 0;
rows.forEach((r, i) => { r.sort((a, b) => a[0] - b[0]); for (const [j, x] of r) { m.colIdx[p] = j; m.values[p++] = x; } m.rowPtr[i + 1] = p; });
console.log('nnz', nnz, ((performance.now() - t0) / 1000).toFixed(1) + 's');
const svd = randomizedSvd(m, DIM, { seed: 1, powerIterations: 3 });
// word vector = V_k * sqrt(S) (symmetric), row-normalised
const vecs = vocab.map((_, i) => {
  const v = new Float32Array(DIM);
  let n = 0;
  for (let c = 0; c < DIM; c++) { v[c] = svd.v.data[i * DIM + c]! * Math.sqrt(svd.singularValues[c]!); n += v[c]! ** 2; }
  n = Math.sqrt(n) || 1;
  for (let c = 0; c < DIM; c++) v[c]! /= n;
  return v;
});
console.log('svd', ((performance.now() - t0) / 1000).toFixed(1) + 's');
writeFileSync(`${OUT}/wordvecs.json`, JSON.stringify({ vocab, vecs: vecs.map((v) => Array.from(v, (x) => +x.toFixed(4))) }));
for (const ncl of NCL) {
  const km = bestKmeans(vecs, ncl, [1], { spherical: true, maxIterations: 30 });
  writeFileSync(`${OUT}/wordclusters-${ncl}${TAG}.json`, JSON.stringify(Object.fromEntries(vocab.map((w, i) => [w, km.assignments[i]]))));
  const groups = new Map<number, string[]>();
  vocab.forEach((w, i) => { const g = km.assignments[i]!; if (!groups.has(g)) groups.set(g, []); groups.get(g)!.push(w); });
  console.log(ncl, 'clusters', ((performance.now() - t0) / 1000).toFixed(1) + 's', [...groups.values()].slice(0, 5).map((g) => g.slice(0, 8).join(' ')).join(' | '));
}
