/**
 * Keyword spotting from audio (sherpa-onnx zipformer KWS, asr/kws/): detection recall and false
 * alarms per hour, on the Mandarin clips (keywords taken from their references, 16 kHz originals
 * and 8 kHz telephone-band copies) and on the synthetic sample calls (truth transcripts say where
 * each keyword is really said: right term, right channel, inside that turn ± 0.5 s).
 * Prints tables; not a test. Truth is used here only, never by the product.
 *
 *   node --import tsx bench/asr/kws.ts [thresholds…]        (default 0.25 0.15 0.35)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeAudio, type DecodedAudio } from '../../asr/ffmpeg.ts';
import { mergeOverlapping } from '../../asr/kws/call-hits.ts';
import { type KeywordSpec, keywordsFromLexicons } from '../../asr/kws/keywords.ts';
import { findKwsModel } from '../../asr/kws/model.ts';
import { type KwsHit, KeywordSpotter } from '../../asr/kws/spotter.ts';
import { memoryPcm } from '../../asr/pcm-source.ts';
import { roleOfChannel } from '../../asr/transcript.ts';
import { CALLS_DIR, MODELS_DIR, SHARED, truthCalls } from '../../tests/helpers.ts';

const thresholds = process.argv.slice(2).map(Number);
const model = findKwsModel(MODELS_DIR);
if (!model) {
  console.log('KWS model not installed');
  process.exit(0);
}
const CLIPS = path.join(SHARED, 'data', 'asr-clips');
/** A keyword is under 2 s; a hit this far outside the truth turn is not that turn's keyword. */
const TURN_SLACK_SEC = 0.5;
const MIN_SCORE = 0.5;

/** Where the term's forms occur in a text, overlapping matches merged (我要投诉 and 投诉 are one occurrence). */
function occurrences(text: string, forms: string[]): number {
  const spans: Array<[number, number]> = [];
  for (const f of forms) for (let i = text.indexOf(f); i >= 0; i = text.indexOf(f, i + 1)) spans.push([i, i + f.length]);
  spans.sort((a, b) => a[0] - b[0]);
  let n = 0;
  let end = -1;
  for (const [s, e] of spans) {
    if (s >= end) n++;
    end = Math.max(end, e);
  }
  return n;
}

const dedupe = (hits: KwsHit[]) => mergeOverlapping(hits);

type Tally = { occurrences: number; found: number; falseAlarms: number; tpScores: number[]; faScores: number[]; foundAtMin: number; faAtMin: number };
const emptyTally = (): Tally => ({ occurrences: 0, found: 0, falseAlarms: 0, tpScores: [], faScores: [], foundAtMin: 0, faAtMin: 0 });
function formsByTerm(specs: KeywordSpec[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const s of specs) m.set(s.term, [...(m.get(s.term) ?? []), s.form]);
  return m;
}
/** Wall time and this process's CPU time: the 2 cores are shared, so wall time alone varies with the neighbours' load. */
const clock = () => ({ wall: performance.now(), cpu: process.cpuUsage() });
function speedOf(audioSec: number, t0: ReturnType<typeof clock>): [number, number] {
  const cpu = process.cpuUsage(t0.cpu);
  return [audioSec / ((performance.now() - t0.wall) / 1000), audioSec / ((cpu.user + cpu.system) / 1e6)];
}
const mean = (xs: number[]) => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2) : '–');
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(0)} %` : '–');

// ---- clips: keywords are words of their references (the list staged with the model) ----
const clipWords = readFileSync(path.join(model.dir, 'keywords-asr-clips.txt'), 'utf8')
  .split('\n')
  .map((l) => l.split('@')[1]?.trim())
  .filter((w): w is string => Boolean(w));
const clipSpecs: KeywordSpec[] = [...clipWords.map((w) => ({ term: w, form: w })), ...keywordsFromLexicons(['sensitive-words'])];
const refs = readFileSync(path.join(CLIPS, 'refs.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'))
  .filter(([id]) => id !== 'jfk')
  .map(([id, , text]) => ({ id: id!, text: text! }));

async function decodeAll(files: string[]): Promise<DecodedAudio[]> {
  const out: DecodedAudio[] = [];
  for (const f of files) out.push(await decodeAudio(f));
  return out;
}

async function tallyClips(spotter: KeywordSpotter, audio: DecodedAudio[]) {
  const byTerm = formsByTerm(clipSpecs);
  const t = new Map<string, Tally>();
  for (const [i, ref] of refs.entries()) {
    const hits = dedupe((await spotter.spotChannel(() => memoryPcm(audio[i]!.channels[0]!), 0, 'unknown')).hits);
    for (const [term, forms] of byTerm) {
      const tally = t.get(term) ?? emptyTally();
      const n = occurrences(ref.text, forms);
      const mine = hits.filter((h) => h.term === term);
      tally.occurrences += n;
      mine.forEach((h, k) => {
        const tp = k < n;
        if (tp) tally.found++;
        else tally.falseAlarms++;
        (tp ? tally.tpScores : tally.faScores).push(h.score);
        if (h.score >= MIN_SCORE) tp ? tally.foundAtMin++ : tally.faAtMin++;
      });
      t.set(term, tally);
    }
  }
  return t;
}

function sum(t: Map<string, Tally>, terms?: string[]): Tally {
  const s = emptyTally();
  for (const [term, x] of t) {
    if (terms && !terms.includes(term)) continue;
    s.occurrences += x.occurrences;
    s.found += x.found;
    s.falseAlarms += x.falseAlarms;
    s.tpScores.push(...x.tpScores);
    s.faScores.push(...x.faScores);
    s.foundAtMin += x.foundAtMin;
    s.faAtMin += x.faAtMin;
  }
  return s;
}

const header = `| audio | threshold | keywords said | found | recall | false alarms | FA / hour | × real time (wall / CPU) | mean score TP / FA | score ≥ ${MIN_SCORE}: recall, FA/h |`;
const rule = '|---|---|---|---|---|---|---|---|---|---|';
function row(label: string, threshold: number, s: Tally, hours: number, speed: [number, number]): string {
  return `| ${label} | ${threshold} | ${s.occurrences} | ${s.found} | ${pct(s.found, s.occurrences)} | ${s.falseAlarms} | ${(s.falseAlarms / hours).toFixed(1)} | ${speed[0].toFixed(0)}× / ${speed[1].toFixed(0)}× | ${mean(s.tpScores)} / ${mean(s.faScores)} | ${pct(s.foundAtMin, s.occurrences)}, ${(s.faAtMin / hours).toFixed(1)} |`;
}

const clipAudio = {
  '16k': await decodeAll(refs.map((r) => path.join(CLIPS, '16k', `${r.id}.wav`))),
  '8k': await decodeAll(refs.map((r) => path.join(CLIPS, '8k', `${r.id}.wav`))),
};
const clipSec = clipAudio['16k'].reduce((s, d) => s + d.durationSec, 0);
console.log(`\n### Clips: ${refs.length} Mandarin clips, ${clipSec.toFixed(1)} s; ${clipWords.length} words from their references + the sensitive-words lexicon (${keywordsFromLexicons(['sensitive-words']).length} forms, never said there)\n`);
console.log(header);
console.log(rule);
const perTermClip: Array<[string, Map<string, Tally>]> = [];
for (const threshold of thresholds.length ? thresholds : [0.25, 0.15, 0.35]) {
  const spotter = new KeywordSpotter(model, clipSpecs, { threshold });
  for (const band of ['16k', '8k'] as const) {
    const t0 = clock();
    const t = await tallyClips(spotter, clipAudio[band]);
    const speed = speedOf(clipSec, t0);
    console.log(row(`clips ${band}`, threshold, sum(t), clipSec / 3600, speed));
    if (threshold === (thresholds[0] ?? 0.25)) perTermClip.push([band, t]);
  }
}
console.log(`\nPer word at threshold ${thresholds[0] ?? 0.25} (found/said, 16 kHz · 8 kHz): ` +
  clipWords.map((w) => `${w} ${perTermClip.map(([, t]) => `${t.get(w)?.found ?? 0}/${t.get(w)?.occurrences ?? 0}`).join(' · ')}`).join(', '));

// ---- calls: the sensitive-words lexicon and a few service words, truth from calls.jsonl ----
const callSpecs: KeywordSpec[] = [
  ...keywordsFromLexicons(['sensitive-words']),
  ...['信用卡', '银行', '年费', '工号', '身份证', '分期'].map((w) => ({ term: w, form: w })),
];
const calls = truthCalls();
const callAudio = await decodeAll(calls.map((c) => path.join(CALLS_DIR, c.audioFile)));
const channelSec = callAudio.reduce((s, d) => s + d.durationSec * d.channels.length, 0);
const callSec = callAudio.reduce((s, d) => s + d.durationSec, 0);

async function tallyCalls(spotter: KeywordSpotter) {
  const byTerm = formsByTerm(callSpecs);
  const t = new Map<string, Tally>();
  const timing: number[] = [];
  for (const [i, call] of calls.entries()) {
    const audio = callAudio[i]!;
    const stereo = audio.channels.length === 2;
    const spotted: KwsHit[] = [];
    for (const [ch, pcm] of audio.channels.entries()) spotted.push(...(await spotter.spotChannel(() => memoryPcm(pcm), ch, stereo ? roleOfChannel(ch) : 'unknown')).hits);
    const hits = dedupe(spotted);
    for (const [term, forms] of byTerm) {
      const tally = t.get(term) ?? emptyTally();
      // Truth occurrences of this term: turn, channel, how many times.
      const truth = call.truth.segments
        .map((s) => ({ s, n: occurrences(s.text, forms), used: 0 }))
        .filter((x) => x.n > 0);
      tally.occurrences += truth.reduce((a, x) => a + x.n, 0);
      for (const h of hits.filter((x) => x.term === term)) {
        const match = truth.find(
          (x) => x.used < x.n && (!stereo || (x.s.channel === 'L' ? 0 : 1) === h.channel) && h.end > x.s.start - TURN_SLACK_SEC && h.start < x.s.end + TURN_SLACK_SEC,
        );
        if (match) {
          match.used++;
          tally.found++;
          tally.tpScores.push(h.score);
          if (h.score >= MIN_SCORE) tally.foundAtMin++;
          timing.push(h.start - match.s.start);
        } else {
          tally.falseAlarms++;
          tally.faScores.push(h.score);
          if (h.score >= MIN_SCORE) tally.faAtMin++;
        }
      }
      t.set(term, tally);
    }
  }
  return t;
}

console.log(`\n### Sample calls: ${calls.length} calls, ${(callSec / 60).toFixed(1)} min (${(channelSec / 60).toFixed(1)} channel-minutes; FA / hour is per channel-hour); ${callSpecs.length} keyword forms\n`);
console.log(header);
console.log(rule);
const sensitiveTerms = [...new Set(keywordsFromLexicons(['sensitive-words']).map((s) => s.term))];
let firstCalls: Map<string, Tally> | undefined;
for (const threshold of thresholds.length ? thresholds : [0.25, 0.15, 0.35]) {
  const spotter = new KeywordSpotter(model, callSpecs, { threshold });
  const t0 = clock();
  const t = await tallyCalls(spotter);
  const speed = speedOf(channelSec, t0);
  firstCalls ??= t;
  console.log(row('calls, all keywords', threshold, sum(t), channelSec / 3600, speed));
  console.log(row('calls, sensitive words only', threshold, sum(t, sensitiveTerms), channelSec / 3600, speed));
}
console.log(`\nPer term at threshold ${thresholds[0] ?? 0.25} (found/said, false alarms): ` +
  [...firstCalls!].filter(([, x]) => x.occurrences > 0 || x.falseAlarms > 0).map(([term, x]) => `${term} ${x.found}/${x.occurrences} FA ${x.falseAlarms}`).join(', '));
