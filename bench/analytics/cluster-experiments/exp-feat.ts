// Full consensus pipeline with a modified feature set. argv: datasets, variant
import { readFileSync } from 'node:fs';
import { textFeatures } from '../../../analytics/cluster/text-features.ts';
import { toBag } from '../../../analytics/cluster/dmm.ts';
import { consensus } from '../../../analytics/cluster/consensus.ts';
import { load, OUT, V } from './base.ts';
import { fitX } from './dmmx.ts';
import { tokenize } from '../../../nlp/segmenter.ts';
import { isContentWord } from '../../../analytics/cluster/text-features.ts';

const variant = process.argv[3]!;
const seeds = (process.argv[4] ?? '1,2,3').split(',').map(Number);
const [kind, arg] = variant.split(':');
const wc: Record<string, number> = kind === 'wc' || kind === 'wct' ? JSON.parse(readFileSync(`${OUT}/wordclusters-${arg}${kind === 'wct' ? 't' : ''}.json`, 'utf8')) : {};
function feats(text: string): string[] {
  const f = textFeatures(text).features;
  if (kind === 'wc' || kind === 'wct') {
    const words = tokenize(text.normalize('NFKC').toLowerCase()).filter(isContentWord);
    for (const w of words) if (wc[w] !== undefined) f.push(`k:${wc[w]}`);
  }
  return f;
}
for (const name of process.argv[2]!.split(',')) {
  const rows = load(name);
  const truth = rows.map((r) => r.label);
  const k = new Set(truth).size;
  const fs = rows.map((r) => feats(r.text));
  const dfAll = new Map<string, number>();
  for (const f of fs) for (const x of new Set(f)) dfAll.set(x, (dfAll.get(x) ?? 0) + 1);
  const features = [...dfAll].filter(([, d]) => d >= 2).map(([f]) => f).sort();
  const index = new Map(features.map((f, i) => [f, i]));
  const bags = fs.map((f) => toBag(f.flatMap((x) => (index.has(x) ? [index.get(x)!] : []))));
  const nk = features.filter((f) => f.startsWith('k:')).length;
  const vs: number[] = [];
  const t = performance.now();
  for (const seed of seeds) {
    let weights: Float64Array | undefined;
    if (kind === 'idf') {
      const df = features.map((f) => dfAll.get(f)!);
      const idf = df.map((d) => Math.log((rows.length + 1) / (d + 1)) + 1);
      let sw = 0, sc = 0;
      for (const b of bags) for (const [f, c] of b) { sw += idf[f]! * c; sc += c; }
      weights = Float64Array.from(idf, (x) => x * sc / sw);
    }
    if (kind === 'ent') {
      const prev = JSON.parse(readFileSync(`${OUT}/cache-${name}-${seed}.json`, 'utf8')) as number[];
      const byF = features.map(() => new Float64Array(k));
      bags.forEach((b, i) => { for (const [f, c] of b) byF[f]![prev[i]!]! += c; });
      weights = Float64Array.from(byF, (cs) => { const tot = cs.reduce((a, b) => a + b, 0); let h = 0; for (const c of cs) if (c > 0) h -= (c / tot) * Math.log(c / tot); return h / Math.log(k) > Number(arg) ? 0 : 1; });
      console.log('dropped', weights.filter((x) => x === 0).length, 'of', features.length);
    }
    const dmm = { k, alpha: 0.1, beta: 0.1, sweeps: 30, hardSweeps: 3 };
    const restarts = kind === 'rs' ? Number(arg) : Math.max(1, Math.min(10, Math.floor(500_000 / (bags.length * k))));
    const runs: Int32Array[] = [];
    const over = kind === 'ok' ? Number(arg) : 1;
    for (let r = 0; r < restarts; r++) runs.push(fitX(bags, features.length, { ...dmm, k: Math.round(k * over), seed: seed + r * 7919, weights }));
    const fit = runs.length === 1 ? runs[0]! : fitX(bags, features.length, { ...dmm, sweeps: 3, hardSweeps: 3, seed, weights }, consensus(runs, k, seed));
    vs.push(V(truth, fit));
  }
  const m = vs.reduce((s, x) => s + x, 0) / vs.length;
  const sd = Math.sqrt(vs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, vs.length - 1));
  console.log(name, variant, 'V', m.toFixed(3), '±', sd.toFixed(3), vs.map((x) => x.toFixed(3)).join(','), 'kfeat', nk, ((performance.now() - t) / 1000 / seeds.length).toFixed(1) + 's/seed');
}
