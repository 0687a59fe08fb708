/**
 * Trains the agent-vs-customer line classifier (asr/role-text/model.ts) on the STC-3 helpdesk
 * dialogues (real Weibo customer ↔ service-account exchanges with the sender of every turn):
 * one example per utterance, binary logistic regression, AdaGrad, L2, averaged weights, fixed seed.
 * Dialogues are split 80/20 by a hash of their id; the 20 % is never trained on and is reported.
 *
 *   node --import tsx asr/role-text/train.ts [--epochs 5] [--l2 1e-6] [--lr 0.2] [--data dir] [--out asr/role-text/role-text-v1.json]
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mulberry32, shuffleInPlace } from '../../core/prng.ts';
import { DEFAULT_DATA_DIR } from '../../nlp/emotion/corpora.ts';
import { extractFeatures, type FeatureConfig, type SparseVector } from '../../nlp/emotion/features.ts';
import { quantise } from '../../nlp/emotion/model.ts';
import { HELD_OUT_FRACTION, isHeldOutDialogue, loadRoleExamples, ROLE_CORPUS, type RoleExample } from './corpus.ts';
import { ROLE_TEXT_MODEL_FILE, RoleTextModel, RoleTextModelFile } from './model.ts';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    l2: { type: 'string', default: '1e-6' },
    lr: { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '20261126' },
    data: { type: 'string', default: DEFAULT_DATA_DIR },
    out: { type: 'string', default: ROLE_TEXT_MODEL_FILE },
  },
});
const { raw, examples } = loadRoleExamples(args.data);
const train = examples.filter((e) => !isHeldOutDialogue(e.dialogue));
const test = examples.filter((e) => isHeldOutDialogue(e.dialogue));

const config: FeatureConfig = { hashBits: 16, words: true, wordBigrams: false, charNgrams: [1, 2], cues: true };
const D = 1 << config.hashBits;
const xs: SparseVector[] = train.map((e) => extractFeatures(e.text, config));
const epochs = Number(args.epochs);
const l2 = Number(args.l2);
const lr = Number(args.lr);
// The two classes are weighted equally whatever their counts: a call has both sides.
const nAgent = train.filter((e) => e.agent).length;
const classWeight = (agent: boolean) => train.length / (2 * (agent ? nAgent : train.length - nAgent));

const w = new Float32Array(D);
const g2 = new Float32Array(D).fill(1e-8);
const u = new Float32Array(D);
let bias = 0;
let biasG2 = 1e-8;
let biasU = 0;
let step = 1;
const order = Array.from(train, (_, i) => i);
const random = mulberry32(Number(args.seed));
for (let epoch = 0; epoch < epochs; epoch++) {
  shuffleInPlace(order, random);
  let loss = 0;
  for (const n of order) {
    const { index, value } = xs[n]!;
    let z = bias;
    for (let f = 0; f < index.length; f++) z += w[index[f]!]! * value[f]!;
    const p = 1 / (1 + Math.exp(-z));
    const y = train[n]!.agent ? 1 : 0;
    const cw = classWeight(train[n]!.agent);
    loss -= cw * Math.log(Math.max(1e-12, y ? p : 1 - p));
    const g = (p - y) * cw;
    for (let f = 0; f < index.length; f++) {
      const k = index[f]!;
      const grad = g * value[f]! + l2 * w[k]!;
      g2[k]! += grad * grad;
      const delta = (lr * grad) / Math.sqrt(g2[k]!);
      w[k]! -= delta;
      u[k]! -= step * delta;
    }
    biasG2 += g * g;
    const bd = (lr * g) / Math.sqrt(biasG2);
    bias -= bd;
    biasU -= step * bd;
    step++;
  }
  console.error(`epoch ${epoch + 1}/${epochs}: mean loss ${(loss / order.length).toFixed(4)}`);
}
for (let k = 0; k < D; k++) w[k] = w[k]! - u[k]! / step;
bias -= biasU / step;

const q = quantise(w);
const out: RoleTextModelFile = {
  kind: 'callscope-role-text',
  version: 'role-text-v1',
  features: config,
  weights: { encoding: 'int8-sqrt-base64', ...q },
  bias,
  training: {
    algorithm: 'binary logistic regression (agent = helpdesk), AdaGrad, L2, averaged weights, classes weighted equally',
    corpus: `${ROLE_CORPUS}.jsonl (NTCIR-14 STC-3, annotations CC BY 4.0), one example per utterance, @names/links/[emoji] removed`,
    dataDigest: `sha256:${createHash('sha256').update(raw).digest('hex')}`,
    split: `held out when fnv1a("role-split:${ROLE_CORPUS}:<dialogue id>") / 2^32 < ${HELD_OUT_FRACTION}`,
    epochs,
    l2,
    learningRate: lr,
    seed: Number(args.seed),
    trainUtterances: train.length,
    heldOutUtterances: test.length,
  },
};
const text = JSON.stringify(RoleTextModelFile.parse(out));
writeFileSync(args.out, `${text}\n`);

const model = RoleTextModel.fromFile(out);
const acc = (xs: RoleExample[]) => xs.filter((e) => model.logOdds(e.text) > 0 === e.agent).length / xs.length;
const agentRecall = acc(test.filter((e) => e.agent));
const customerRecall = acc(test.filter((e) => !e.agent));
console.log(`wrote ${args.out} (${(text.length / 1024).toFixed(0)} KiB)`);
console.log(`| part | utterances | accuracy | agent recall | customer recall |`);
console.log(`|---|---:|---:|---:|---:|`);
console.log(`| train (${train.length}) | ${train.length} | ${(100 * acc(train)).toFixed(1)} % | | |`);
console.log(`| held out (20 % of dialogues) | ${test.length} | ${(100 * acc(test)).toFixed(1)} % | ${(100 * agentRecall).toFixed(1)} % | ${(100 * customerRecall).toFixed(1)} % |`);
