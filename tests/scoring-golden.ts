import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../core/config.ts';
import { scoreCall, type ScoringInput } from '../scoring-models/evaluate.ts';
import { loadScorecards, parseScorecard, type Scorecard } from '../scoring-models/scorecard.ts';
import { degradations, degradedCalls } from './degrade.ts';
import { MODELS_DIR } from './helpers.ts';

/**
 * Grades the scoring engine must keep byte for byte: the default scorecard and a card that puts every
 * segment operator under a time or turn window (and anchors), on the 12 dev calls clean and degraded
 * every way (tests/degrade.ts) and shifted in time. The fixture holds a digest of each grade's JSON
 * (and its total and outcomes, to read a failure by), written from the engine before re-scoring was
 * sped up:
 *
 *   node --import tsx tests/scoring-golden.ts --write
 */
export const GOLDEN_FILE = path.join(import.meta.dirname, 'fixtures', 'scoring-golden.json');

const WINDOWS_CARD = `id: windows
version: 1
name: every segment operator under a window
passScore: 0
definitions:
  threat: { lexicon: sensitive, role: customer }
checkpoints:
  - { id: regex_first, name: a, deduct: 1, expect: present, when: { regex: '工号[是为：:\\s]*[0-9零一二三四五六七八九幺两]{2,}', role: agent, within: { firstSec: 15 } } }
  - { id: regex_last, name: a, deduct: 1, expect: absent, when: { regex: '(还有|其他).{0,4}(问题|需要)', within: { lastSec: 30 } } }
  - { id: regex_han, name: a, deduct: 1, deductEach: true, maxDeduct: 9, expect: absent, when: { regex: '\\p{Han}{2}卡', within: { firstSec: 40 } } }
  - { id: phrase_first, name: a, deduct: 1, expect: present, when: { phrase: [您好, 你好, 请问], within: { firstSec: 8 } } }
  - { id: phrase_last, name: a, deduct: 1, expect: present, when: { phrase: [再见, 感谢, 谢谢, 还有什么], role: agent, within: { lastSec: 20 } } }
  - { id: phrase_turns, name: a, deduct: 1, expect: present, when: { phrase: [稍等, 查询, 核实], within: { firstTurns: 6 } } }
  - { id: lexicon_first, name: a, deduct: 1, expect: present, when: { lexicon: required, role: agent, within: { firstSec: 60 } } }
  - { id: lexicon_last, name: a, deduct: 1, expect: absent, when: { lexicon: forbidden, within: { lastSec: 45 } } }
  - { id: pii_first, name: a, deduct: 1, expect: absent, when: { pii: [card_number, id_number, phone_number], within: { firstSec: 90 } } }
  - { id: pii_last, name: a, deduct: 1, expect: absent, when: { pii: [card_number, id_number, phone_number], within: { lastSec: 60 } } }
  - { id: emotion_first, name: a, deduct: 1, expect: absent, when: { emotion: { labels: [angry, negative] }, role: customer, within: { firstSec: 30 } } }
  - { id: emotion_last, name: a, deduct: 1, expect: absent, when: { emotion: { labels: [angry, negative], minScore: 0.5 }, within: { lastSec: 25 } } }
  - id: anchored
    name: a
    deduct: 1
    expect: present
    appliesWhen: { ref: threat }
    when: { phrase: [抱歉, 对不起, 理解], role: agent, within: { lastSec: 60 }, after: { match: { ref: threat }, withinSec: 30 } }
  - id: before_anchor
    name: a
    deduct: 1
    expect: present
    when: { regex: '您好|你好', within: { firstSec: 20 }, before: { match: { phrase: [请问, 什么], within: { firstSec: 30 } } } }
  - id: sequence
    name: a
    deduct: 1
    expect: present
    when: { sequence: [ { phrase: [您好], within: { firstSec: 10 } }, { lexicon: required, within: { lastSec: 40 } } ], withinSec: 600 }
  - id: counted
    name: a
    deduct: 1
    expect: absent
    when: { count: { regex: '[0-9零一二三四五六七八九幺两]{3,}', within: { firstSec: 120 } }, atLeast: 2 }
`;

export type GoldenCase = { name: string; card: Scorecard; input: ScoringInput };

/** Every segment a number of seconds later (the windows then cut elsewhere). */
function shifted(input: ScoringInput, by: number): ScoringInput {
  return { ...input, durationSec: input.durationSec + by, segments: input.segments.map((s) => ({ ...s, start: s.start + by, end: s.end + by })) };
}

export async function goldenCases(): Promise<GoldenCase[]> {
  const config = loadConfig({ CALLSCOPE_MODELS: MODELS_DIR });
  const cards = [loadScorecards(config.scorecardsDir)[0]!, parseScorecard(WINDOWS_CARD, 'windows.yaml')];
  const cases: GoldenCase[] = [];
  // In the order of `degradations`: their random slips are drawn from one seeded sequence.
  for (const [degradation, degrade] of Object.entries(degradations)) {
    for (const call of await degradedCalls(config, degrade)) {
      const inputs: Array<[string, ScoringInput]> = [[degradation, call.input]];
      if (degradation === 'clean') inputs.push(['shifted 7.25 s', shifted(call.input, 7.25)], ['shifted 13.7 s', shifted(call.input, 13.7)]);
      for (const [how, input] of inputs) for (const card of cards) cases.push({ name: `${call.id} ${how} ${card.id}`, card, input });
    }
  }
  return cases;
}

export type Golden = Record<string, { sha256: string; total: number; outcomes: string }>;

export function goldenOf(c: GoldenCase): Golden[string] {
  const score = scoreCall(c.card, structuredClone(c.input));
  const json = JSON.stringify(score);
  return {
    sha256: createHash('sha256').update(json).digest('hex'),
    total: score.total,
    outcomes: score.items.map((i) => (i.passed === null ? '-' : i.passed ? 'P' : 'F')).join(''),
  };
}

export function readGolden(): Golden {
  return JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Golden;
}

if (process.argv.includes('--write')) {
  const golden: Golden = {};
  for (const c of await goldenCases()) golden[c.name] = goldenOf(c);
  writeFileSync(GOLDEN_FILE, `${JSON.stringify(golden, null, 1)}\n`);
  console.log(`${Object.keys(golden).length} grades written to ${GOLDEN_FILE}`);
}
