/**
 * Text embedding providers side by side: throughput (segments/s, calls/s of 20 segments) and, for the
 * trained LSA model, clustering quality on the THUCNews titles held out of its training.
 *
 *   node --import tsx bench/nlp/embeddings.ts [--seconds 5]
 */
import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { adjustedRandIndex, nmi, vMeasure } from '../../nlp/embeddings/cluster-metrics.ts';
import { thucnewsSplit } from '../../nlp/embeddings/corpora.ts';
import { bestKmeans } from '../../nlp/embeddings/kmeans.ts';
import { LsaEmbedder } from '../../nlp/embeddings/lsa-embedder.ts';
import { l2normalize, type TextEmbedder } from '../../nlp/embeddings/text-embedder.ts';
import { TransformersEmbedder } from '../../nlp/embeddings/transformers-embedder.ts';
import { CALLS_DIR, MODELS_DIR, SHARED } from '../../tests/helpers.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' } } });
const seconds = Number(values.seconds);
const DATA = path.join(SHARED, 'data');
const PER_CALL = 20;
const SEEDS = [1, 2, 3, 4, 5];

// Real call segments: the vendor transcripts of the dev sample calls (what the analyze stage embeds).
const Transcript = z.object({ segments: z.array(z.object({ text: z.string() })) });
const segments = readdirSync(CALLS_DIR)
  .filter((f) => f.endsWith('.transcript.json'))
  .sort()
  .flatMap((f) => Transcript.parse(JSON.parse(readFileSync(path.join(CALLS_DIR, f), 'utf8'))).segments.map((s) => s.text));
const meanChars = segments.reduce((n, t) => n + t.length, 0) / segments.length;

async function throughput(e: TextEmbedder): Promise<{ segPerS: number; callsPerS: number }> {
  await e.embed(segments.slice(0, PER_CALL)); // warm-up
  let done = 0;
  let i = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await e.embed(segments.slice(i, i + PER_CALL));
    i = (i + PER_CALL) % (segments.length - PER_CALL + 1);
    done++;
  }
  const s = (performance.now() - t0) / 1000;
  return { segPerS: (done * PER_CALL) / s, callsPerS: done / s };
}

const rows: string[] = [];
const fmt = (x: number) => x.toFixed(3);

const lsa = LsaEmbedder.load();
const lt = await throughput(lsa);
const { heldOut } = thucnewsSplit(DATA);
const labels = heldOut.map((t) => t.label);
const k = new Set(labels).size;
const vecs = await lsa.embed(heldOut.map((t) => t.text));
const km = bestKmeans(vecs, k, SEEDS, { spherical: true });
const pred = Array.from(km.assignments);
rows.push(
  `| trained \`${lsa.id}\` (dim ${lsa.dim}) | ${lt.segPerS.toFixed(0)} | ${lt.callsPerS.toFixed(0)} | ${fmt(vMeasure(labels, pred).vMeasure)} | ${fmt(nmi(labels, pred, 'geometric'))} | ${fmt(adjustedRandIndex(labels, pred))} |`,
);

// The data README's floor, re-run under this exact protocol: char 1–2-gram sublinear TF-IDF fitted
// on the held-out titles themselves (exact vocabulary, no hashing, no SVD).
function charTfidf(texts: string[]): Float32Array[] {
  const grams = texts.map((t) => {
    const c = [...t.normalize('NFKC').toLowerCase()].filter((ch) => /[\p{L}\p{N}]/u.test(ch));
    const m = new Map<string, number>();
    for (let i = 0; i < c.length; i++) {
      m.set(c[i]!, (m.get(c[i]!) ?? 0) + 1);
      if (i + 1 < c.length) m.set(c[i]! + c[i + 1]!, (m.get(c[i]! + c[i + 1]!) ?? 0) + 1);
    }
    return m;
  });
  const vocab = new Map<string, number>();
  const df: number[] = [];
  for (const m of grams) for (const g of m.keys()) {
    if (!vocab.has(g)) vocab.set(g, df.push(0) - 1);
    df[vocab.get(g)!]!++;
  }
  return grams.map((m) => {
    const v = new Float32Array(vocab.size);
    for (const [g, tf] of m) v[vocab.get(g)!] = (1 + Math.log(tf)) * (Math.log((texts.length + 1) / (df[vocab.get(g)!]! + 1)) + 1);
    return l2normalize(v);
  });
}
const base = bestKmeans(charTfidf(heldOut.map((t) => t.text)), k, SEEDS, { spherical: true });
const bp = Array.from(base.assignments);
rows.push(`| baseline: char 1–2-gram TF-IDF, same titles and k-means (no model) | – | – | ${fmt(vMeasure(labels, bp).vMeasure)} | ${fmt(nmi(labels, bp, 'geometric'))} | ${fmt(adjustedRandIndex(labels, bp))} |`);

const proxy = await TransformersEmbedder.load(MODELS_DIR, 'test-fixtures/random-bert-bge-small-zh-shape');
const pt = await throughput(proxy);
rows.push(`| transformers.js, RANDOM-WEIGHT bge-small-zh-shape proxy (dim ${proxy.dim}; throughput only) | ${pt.segPerS.toFixed(0)} | ${pt.callsPerS.toFixed(1)} | – | – | – |`);

console.log(`throughput: ${seconds} s per provider, one process; a call = ${PER_CALL} segments of the dev sample calls' transcripts (${segments.length} segments, ${meanChars.toFixed(1)} chars on average)`);
console.log(`clustering: THUCNews held-out titles (${heldOut.length}, k = ${k}), spherical k-means, best inertia of ${SEEDS.length} seeds`);
console.log('| provider | segments/s | calls/s | V-measure | NMI (geometric) | ARI |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('| floor (data README: char 1–2-gram TF-IDF + spherical k-means, whole dev file) | | | ≈0.36 | | ≈0.28 |');
console.log('| neural references (C-MTEB ThuNewsClusteringS2S, different sampling) | | | 0.59–0.74 | | |');
