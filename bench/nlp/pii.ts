/**
 * PII detector precision/recall per type on (1) the dev calls' truth mentions, against both the
 * reference text (digits) and the TTS `spoken` text (numerals, 1 read as 幺), and (2) the
 * generated spoken-number variants (tests/fixtures/pii-variants.jsonl). A detection is correct
 * when its type, normalised value and (first) segment index match an expected mention.
 *
 *   node --import tsx bench/nlp/generate-pii-variants.ts && node --import tsx bench/nlp/pii.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../core/config.ts';
import { detectPii, piiTypes } from '../../nlp/pii/index.ts';

type Item = { id: string; segments: Array<{ role: string; text: string }>; expected: Array<{ type: string; segmentIndex: number; value: string }> };
type Counts = { tp: number; fp: number; fn: number };
const SELF_INTRO = /(?:我叫|我的名字(?:是|叫))$/;

function readJsonl(file: string): any[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function evaluate(items: Item[], truthLacksSelfIntroductions = false) {
  const byType = new Map<string, Counts>(piiTypes.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
  const errors: string[] = [];
  let selfIntroFp = 0;
  for (const item of items) {
    const key = (t: string, s: number, v: string) => `${t}|${s}|${v}`;
    const expected = new Map<string, number>();
    for (const e of item.expected) expected.set(key(e.type, e.segmentIndex, e.value), (expected.get(key(e.type, e.segmentIndex, e.value)) ?? 0) + 1);
    for (const s of detectPii(item.segments)) {
      const k = key(s.type, s.segmentIndex, s.value);
      const c = byType.get(s.type)!;
      if ((expected.get(k) ?? 0) > 0) {
        c.tp++;
        expected.set(k, expected.get(k)! - 1);
      } else {
        c.fp++;
        if (truthLacksSelfIntroductions && s.type === 'person_name' && SELF_INTRO.test(item.segments[s.segmentIndex]!.text.slice(0, s.start))) selfIntroFp++;
        else errors.push(`FP ${item.id} ${k}`);
      }
    }
    for (const [k, n] of expected) {
      if (n <= 0) continue;
      byType.get(k.split('|')[0]!)!.fn += n;
      errors.push(`FN ${item.id} ${k}`);
    }
  }
  return { byType, errors, selfIntroFp };
}

const calls = readJsonl(path.resolve(repoRoot, '..', 'shared', 'data', 'calls', 'calls.jsonl'));
const callItems = (field: 'text' | 'spoken'): Item[] =>
  calls.map((c) => ({
    id: `${c.callId}/${field}`,
    segments: c.truth.segments.map((s: any) => ({ role: s.role, text: s[field] })),
    expected: c.truth.pii.mentions.map((m: any) => ({ type: m.type, segmentIndex: m.segmentIndex, value: m.value })),
  }));
const variants = readJsonl(path.join(repoRoot, 'tests', 'fixtures', 'pii-variants.jsonl')) as Item[];

const sets = [
  ['dev calls (text)', evaluate(callItems('text'), true)],
  ['dev calls (spoken)', evaluate(callItems('spoken'), true)],
  [`variants (${variants.length})`, evaluate(variants)],
] as const;

const pct = (a: number, b: number) => (b === 0 ? '   –  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);
const fmt = (c: Counts) => `${pct(c.tp, c.tp + c.fp)} ${pct(c.tp, c.tp + c.fn)} ${`${c.tp}/${c.fp}/${c.fn}`.padStart(9)}`;
console.log(`${'type'.padEnd(18)}${sets.map(([n]) => `| ${n.padEnd(30)}`).join('')}`);
console.log(`${''.padEnd(18)}${sets.map(() => `| ${'P      R      tp/fp/fn'.padEnd(30)}`).join('')}`);
const total = (m: Map<string, Counts>) => [...m.values()].reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, fn: a.fn + c.fn }), { tp: 0, fp: 0, fn: 0 });
for (const t of piiTypes) console.log(`${t.padEnd(18)}${sets.map(([, r]) => `| ${fmt(r.byType.get(t)!).padEnd(30)}`).join('')}`);
console.log(`${'ALL'.padEnd(18)}${sets.map(([, r]) => `| ${fmt(total(r.byType)).padEnd(30)}`).join('')}`);
for (const [name, r] of sets) {
  if (r.selfIntroFp) {
    const c = r.byType.get('person_name')!;
    const all = total(r.byType);
    console.log(
      `${name}: ${r.selfIntroFp} person_name "FP" are self-introductions (我叫…) that the truth does not label; ` +
        `without them person_name P ${pct(c.tp, c.tp + c.fp - r.selfIntroFp).trim()}, ALL P ${pct(all.tp, all.tp + all.fp - r.selfIntroFp).trim()}`,
    );
  }
  for (const e of r.errors.slice(0, 15)) console.log(`  ${name}: ${e}`);
}
