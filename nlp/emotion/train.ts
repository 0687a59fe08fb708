/**
 * Trains the emotion model: multinomial logistic regression on hashed features, AdaGrad, L2, fixed seed.
 *   node --import tsx nlp/emotion/train.ts [--epochs 6] [--l2 1e-6] [--lr 0.2] [--emotion-weight 4] [--validate] [--data dir] [--out nlp/emotion/model-v1.json]
 * Every corpus is split 80/20 by a hash of its item ids; the 20 % is never trained on and is reported at the end.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CORPORA, DEFAULT_DATA_DIR, EMOTION_CORPUS, dataDigest, isTestItem, loadCorpus, SMP_MAP, TEST_FRACTION, type Item } from './corpora.ts';
import { defaultFeatureConfig, extractFeatures, type FeatureConfig, type SparseVector } from './features.ts';
import { evaluate } from './evaluate.ts';
import { EMOTION_LABELS } from './labels.ts';
import { EmotionModelFile, LinearEmotionModel, quantise } from './model.ts';
import { mulberry32, shuffleInPlace } from '../../core/prng.ts';

const here = path.dirname(new URL(import.meta.url).pathname);
const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '6' },
    l2: { type: 'string', default: '1e-6' },
    lr: { type: 'string', default: '0.2' },
    'emotion-weight': { type: 'string', default: '4' },
    seed: { type: 'string', default: '20261126' },
    out: { type: 'string', default: path.join(here, 'model-v1.json') },
    data: { type: 'string', default: DEFAULT_DATA_DIR },
    'hash-bits': { type: 'string', default: String(defaultFeatureConfig.hashBits) },
    'char-ngrams': { type: 'string', default: defaultFeatureConfig.charNgrams.join(',') },
    'word-bigrams': { type: 'string', default: String(defaultFeatureConfig.wordBigrams) },
    // Tuning mode: train on 80 % of the training part, report on the other 20 %; the held-out part stays unseen.
    validate: { type: 'boolean', default: false },
    'no-average': { type: 'boolean', default: false },
    'reviews-with-neutral': { type: 'boolean', default: false },
  },
});
const epochs = Number(args.epochs);
const l2 = Number(args.l2);
const lr = Number(args.lr);
const emotionWeight = Number(args['emotion-weight']);
const seed = Number(args.seed);
const skipNeutral = !args['reviews-with-neutral'];

const t0 = Date.now();
const all: Item[] = CORPORA.flatMap((c) => loadCorpus(c, args.data));
const trainPart = all.filter((i) => !isTestItem(i.corpus, i.id));
const isValidation = (i: Item) => isTestItem(`validation:${i.corpus}`, i.id);
const train = args.validate ? trainPart.filter((i) => !isValidation(i)) : trainPart;
const test = args.validate ? trainPart.filter(isValidation) : all.filter((i) => isTestItem(i.corpus, i.id));
const labels = EMOTION_LABELS;
const K = labels.length;
const config: FeatureConfig = {
  ...defaultFeatureConfig,
  hashBits: Number(args['hash-bits']),
  charNgrams: args['char-ngrams'].split(',').filter(Boolean).map(Number),
  wordBigrams: args['word-bigrams'] === 'true',
};
const D = 1 << config.hashBits;

const xs: SparseVector[] = train.map((i) => extractFeatures(i.text, config));
/**
 * Each item's acceptable labels (targets) among the labels it competes with (candidates). A negative
 * review may be angry or merely negative: the review sets do not say, so the target is negative|angry and
 * SMP2020 alone decides which. Reviews are chosen for being opinionated, so they say nothing about
 * neutral either: with --reviews-skip-neutral (default) their softmax leaves neutral out.
 */
const ALL = labels.map((_, c) => c);
const OPINIONATED = ALL.filter((c) => labels[c] !== 'neutral');
const targetSets = train.map((i) =>
  i.corpus !== EMOTION_CORPUS && i.label === 'negative' ? [labels.indexOf('negative'), labels.indexOf('angry')] : [labels.indexOf(i.label)],
);
const candidateSets = train.map((i) => (i.corpus !== EMOTION_CORPUS && skipNeutral ? OPINIONATED : ALL));
// SMP2020 is the only source of neutral/angry and is a quarter the size of the review sets.
const sampleWeight = train.map((i) => (i.corpus === EMOTION_CORPUS ? emotionWeight : 1));
console.error(`featurised ${train.length} train / ${test.length} test items in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const w = new Float32Array(D * K);
const g2 = new Float32Array(D * K).fill(1e-8);
// Averaged weights (mean over every step) generalise better than the last iterate; kept lazily as
// average = w - u / steps, with u accumulating step * update.
const u = new Float32Array(D * K);
let step = 1;
const order = Array.from(train, (_, i) => i);
const random = mulberry32(seed);
const z = new Float64Array(K);
for (let epoch = 0; epoch < epochs; epoch++) {
  shuffleInPlace(order, random);
  let loss = 0;
  for (const n of order) {
    const { index, value } = xs[n]!;
    z.fill(0);
    for (let f = 0; f < index.length; f++) {
      const base = index[f]! * K;
      for (let c = 0; c < K; c++) z[c]! += w[base + c]! * value[f]!;
    }
    const targets = targetSets[n]!;
    const candidates = candidateSets[n]!;
    let max = -Infinity;
    for (const c of candidates) max = Math.max(max, z[c]!);
    let sum = 0;
    for (let c = 0; c < K; c++) sum += z[c] = candidates.includes(c) ? Math.exp(z[c]! - max) : 0;
    let pTarget = 0;
    for (const c of targets) pTarget += z[c]! / sum;
    loss -= Math.log(Math.max(pTarget, 1e-12)) * sampleWeight[n]!;
    // Gradient of -log p(targets | candidates); labels outside the candidates get none (z = 0 there).
    for (let c = 0; c < K; c++) {
      const p = z[c]! / sum;
      z[c] = (p - (targets.includes(c) ? p / pTarget : 0)) * sampleWeight[n]!;
    }
    for (let f = 0; f < index.length; f++) {
      const base = index[f]! * K;
      for (let c = 0; c < K; c++) {
        const p = base + c;
        const grad = z[c]! * value[f]! + l2 * w[p]!;
        g2[p]! += grad * grad;
        const delta = (lr * grad) / Math.sqrt(g2[p]!);
        w[p]! -= delta;
        u[p]! -= step * delta;
      }
    }
    step++;
  }
  console.error(`epoch ${epoch + 1}/${epochs}: mean loss ${(loss / order.length).toFixed(4)}`);
}

if (!args['no-average']) for (let p = 0; p < w.length; p++) w[p] = w[p]! - u[p]! / step;
const q = quantise(w);
const file: EmotionModelFile = {
  kind: 'callscope-emotion',
  version: 'emotion-v1',
  labels: [...labels],
  features: config,
  weights: { encoding: 'int8-sqrt-base64', ...q },
  training: {
    algorithm: `multinomial logistic regression, AdaGrad, L2${args['no-average'] ? '' : ', averaged weights'}; review negatives as partial label negative|angry${skipNeutral ? ', reviews do not compete with neutral' : ''}`,
    epochs,
    l2,
    learningRate: lr,
    seed,
    emotionCorpusWeight: emotionWeight,
    corpora: CORPORA,
    dataDigest: dataDigest(args.data),
    split: `held out when fnv1a("emotion-split:<corpus>:<id>") / 2^32 < ${TEST_FRACTION}`,
    smpMapping: SMP_MAP,
    trainItems: train.length,
    heldOutItems: test.length,
  },
};
const text = JSON.stringify(EmotionModelFile.parse(file));
writeFileSync(args.out, text + '\n');

const floatModel = new LinearEmotionModel('float', [...labels], config, w);
const savedModel = LinearEmotionModel.fromFile(file);
const nonZero = Buffer.from(q.data, 'base64').filter((b) => b !== 0).length;
console.log(`wrote ${args.out} (${(text.length / 1e6).toFixed(2)} MB, ${nonZero} non-zero int8 weights) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const floatResults = evaluate(test, (t) => floatModel.scores(t));
const savedResults = evaluate(test, (t) => savedModel.scores(t));
console.log(`${args.validate ? 'validation' : 'held-out'}        n   acc(float) acc(int8) macroF1(int8)`);
savedResults.forEach((r, i) =>
  console.log(`${r.corpus.padEnd(24)} ${String(r.n).padStart(5)} ${floatResults[i]!.accuracy.toFixed(4)} ${r.accuracy.toFixed(4)} ${r.macroF1.toFixed(4)}`),
);
