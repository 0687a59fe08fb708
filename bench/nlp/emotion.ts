/**
 * Emotion classifier vs the lexicon baseline on the held-out 20 % of every corpus (never trained on).
 *   node --import tsx bench/nlp/emotion.ts [--model nlp/emotion/model-v1.json] [--data dir]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { LexiconBaseline } from '../../nlp/emotion/baseline.ts';
import { DEFAULT_EMOTION_MODEL, loadEmotionModel } from '../../nlp/emotion/classifier.ts';
import { CORPORA, DEFAULT_DATA_DIR, EMOTION_CORPUS, isTestItem, loadCorpus } from '../../nlp/emotion/corpora.ts';
import { evaluate } from '../../nlp/emotion/evaluate.ts';
import type { EmotionLabel } from '../../nlp/emotion/labels.ts';
import { classificationMetrics } from '../../nlp/emotion/metrics.ts';

const { values: args } = parseArgs({
  options: { model: { type: 'string', default: DEFAULT_EMOTION_MODEL }, data: { type: 'string', default: DEFAULT_DATA_DIR } },
});

/** Published figures quoted in /work/shared/data/README.md (C-MTEB, LR on frozen embeddings, another split). */
const REFERENCE: Record<string, string> = {
  chnsenticorp_hotel: '—',
  waimai_10k: 'acc 88.07 (gte-base-zh)',
  online_shopping_10_cats: 'acc 93.36 (gte-base-zh)',
  [EMOTION_CORPUS]: 'none published',
};

const classifier = loadEmotionModel(args.model);
const baseline = LexiconBaseline.load();
const heldOut = CORPORA.flatMap((c) => loadCorpus(c, args.data)).filter((i) => isTestItem(i.corpus, i.id));

const model = evaluate(heldOut, (t) => classifier.model.scores(t));
const lexicon = evaluate(heldOut, (t) => baseline.scores(t));

const pct = (x: number) => (100 * x).toFixed(1).padStart(6);
console.log(`model ${classifier.version} (${args.model}); held-out part of each corpus`);
console.log('| corpus (held-out) | n | model acc | model macro-F1 | lexicon acc | lexicon macro-F1 | reference |');
console.log('|---|---:|---:|---:|---:|---:|---|');
model.forEach((m, i) => {
  const l = lexicon[i]!;
  const name = m.corpus === EMOTION_CORPUS ? `${m.corpus} (6→4 labels)` : m.corpus;
  console.log(`| ${name} | ${m.n} | ${pct(m.accuracy)} | ${pct(m.macroF1)} | ${pct(l.accuracy)} | ${pct(l.macroF1)} | ${REFERENCE[m.corpus]} |`);
});

const texts = heldOut.map((i) => i.text);
classifier.classify(texts[0]!);
const t0 = performance.now();
let chars = 0;
for (const t of texts) {
  classifier.classify(t);
  chars += t.length;
}
const seconds = (performance.now() - t0) / 1000;
console.log(`\nclassify(): ${texts.length} texts (mean ${(chars / texts.length).toFixed(0)} chars) in ${seconds.toFixed(2)} s = ${(texts.length / seconds).toFixed(0)} segments/s (1 thread)`);

/**
 * Out-of-domain check on call-like text: STC-3 helpdesk dialogues (not trained on), customer turns fed to
 * callEmotion; Pearson r between the customer's end-third mood (p(positive) − p(negative) − p(angry)) and
 * the raters' mean satisfaction S. The lexicon baseline's mood is +1/0/−1 per turn, averaged the same way.
 */
const Dialogue = z.object({
  turns: z.array(z.object({ sender: z.string(), utterances: z.array(z.string()) })),
  quality_mean: z.object({ S: z.number() }),
});
const stc3File = path.join(args.data, 'stc3_helpdesk_dialogues.jsonl');
if (existsSync(stc3File)) {
  const dialogues = readFileSync(stc3File, 'utf8').split('\n').filter(Boolean).map((l) => Dialogue.parse(JSON.parse(l)));
  const satisfaction: number[] = [];
  const modelMood: number[] = [];
  const lexiconMood: number[] = [];
  for (const d of dialogues) {
    const segments = d.turns.map((t, i) => ({ role: t.sender, start: i, text: t.utterances.join(' ') }));
    const customer = classifier.callEmotion(segments).customer;
    if (!customer) continue;
    const s = customer.end.scores;
    satisfaction.push(d.quality_mean.S);
    modelMood.push(s.positive - s.negative - s.angry);
    const turns = segments.filter((x) => x.role === 'customer' && x.text.trim());
    const tail = turns.slice(-Math.max(1, Math.ceil(turns.length / 3)));
    const moodOf = (l: string) => (l === 'positive' ? 1 : l === 'neutral' ? 0 : -1);
    lexiconMood.push(tail.reduce((sum, x) => sum + moodOf(baseline.label(x.text)), 0) / tail.length);
  }
  console.log(
    `STC-3 helpdesk (${satisfaction.length} dialogues, out of domain): Pearson r(customer end mood, rater satisfaction S) ` +
      `model ${pearson(modelMood, satisfaction).toFixed(3)}, lexicon ${pearson(lexiconMood, satisfaction).toFixed(3)}`,
  );
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Synthetic bank calls (calls/calls.jsonl truth): customer segments' designed emotion mapped
 * satisfied→positive, anxious→negative, neutral, angry; and whether the customer ends unhappy (negativeAtEnd).
 */
const CALL_MAP: Record<string, EmotionLabel> = { satisfied: 'positive', anxious: 'negative', neutral: 'neutral', angry: 'angry' };
const TruthCall = z.object({
  truth: z.object({
    segments: z.array(z.object({ role: z.string(), start: z.number(), text: z.string(), emotion: z.string().nullish() })),
    emotion: z.object({ negativeAtEnd: z.boolean() }),
  }),
});
const callsFile = path.join(args.data, 'calls', 'calls.jsonl');
if (existsSync(callsFile)) {
  const calls = readFileSync(callsFile, 'utf8').split('\n').filter(Boolean).map((l) => TruthCall.parse(JSON.parse(l)));
  const gold: EmotionLabel[] = [];
  const byModel: EmotionLabel[] = [];
  const byLexicon: EmotionLabel[] = [];
  let endAgree = 0;
  for (const call of calls) {
    for (const s of call.truth.segments) {
      const label = s.role === 'customer' && s.emotion ? CALL_MAP[s.emotion] : undefined;
      if (!label) continue;
      gold.push(label);
      byModel.push(classifier.classify(s.text).label);
      byLexicon.push(baseline.label(s.text));
    }
    const end = classifier.callEmotion(call.truth.segments).customer?.end;
    const unhappyAtEnd = end ? end.scores.negative + end.scores.angry > 0.5 : false;
    if (unhappyAtEnd === call.truth.emotion.negativeAtEnd) endAgree++;
  }
  const m = classificationMetrics(gold, byModel);
  const l = classificationMetrics(gold, byLexicon);
  console.log(
    `synthetic calls (${calls.length} calls, ${gold.length} customer segments, 4 labels): model acc ${pct(m.accuracy)} macro-F1 ${pct(m.macroF1)}; ` +
      `lexicon acc ${pct(l.accuracy)} macro-F1 ${pct(l.macroF1)}; customer unhappy at end (p(neg)+p(angry) > 0.5) agrees with truth in ${endAgree}/${calls.length} calls`,
  );
}
