import { describe, expect, it } from 'vitest';
import type { KeywordHit, Segment } from '../../core/schemas.ts';
import { scoreCall } from '../../scoring-models/evaluate.ts';
import { parseScorecard } from '../../scoring-models/scorecard.ts';

/** A checkpoint that deducts for each complaint threat, heard in the transcript or — with `source` — in the audio. */
const card = (when: string) =>
  parseScorecard(`
id: kws-card
version: 1
name: 投诉威胁
passScore: 60
checkpoints:
  - id: complaint_threat
    name: 客户投诉威胁
    deduct: 10
    deductEach: true
    maxDeduct: 30
    expect: absent
    when: ${when}
`);

const hit = (o: Partial<KeywordHit>): KeywordHit => ({
  term: '投诉',
  form: '投诉',
  lexicon: 'sensitive',
  channel: 1,
  role: 'customer',
  start: 40,
  end: 40.8,
  score: 0.8,
  threshold: 0.25,
  ...o,
});

const seg = (text: string): Segment => ({ id: 's0', role: 'customer', start: 38, end: 42, text, textMasked: text, tokens: [], hits: [] });
const run = (when: string, segments: Segment[], keywordHits?: KeywordHit[]) =>
  scoreCall(card(when), { segments, meta: { custom: {} }, durationSec: 90, ...(keywordHits ? { keywordHits } : {}) }).items[0]!;

const hits = [hit({}), hit({ term: '12378', form: '12378', start: 60, end: 61.5, score: 0.4 }), hit({ role: 'agent', channel: 0, start: 10, end: 10.7 })];

describe('phrase/lexicon conditions on keywords spotted in the audio', () => {
  it.each([
    // [condition, transcript, deductions expected]
    ['{ phrase: [投诉, "12378"], role: customer, source: audio }', [], 2],
    ['{ phrase: [投诉, "12378"], role: customer, source: audio, audioMinScore: 0.5 }', [], 1],
    ['{ lexicon: sensitive, source: audio }', [], 3],
    ['{ phrase: [投诉], source: auto }', [], 2], // no transcript: the audio (both sides)
    ['{ phrase: [投诉], source: auto }', [seg('我想问一下年费')], 0], // a transcript without the word: the text decides
    ['{ phrase: [投诉], source: auto }', [seg('我要投诉你们')], 1],
    ['{ phrase: [投诉], role: customer }', [], 0], // default source is the text: no transcript, no match
  ])('%s with %j → %i hits', (when, segments, n) => {
    const item = run(when, segments as Segment[], hits);
    expect(item.passed).toBe(n === 0);
    expect(item.points).toBe(30 - 10 * n);
    expect(item.evidence).toHaveLength(n);
  });

  it('cites the audio hit with its time and score, pointing at no segment when there is no transcript', () => {
    const item = run('{ phrase: [投诉], role: customer, source: audio }', [], hits);
    expect(item.evidence).toEqual([{ kind: 'match', segmentId: '', start: 40, end: 40.8, quote: '[音频] 投诉（0.80）' }]);
    expect(item.reason).toContain('音频');
  });

  it('points audio evidence at the nearest segment of that side when there is a transcript', () => {
    const item = run('{ phrase: [投诉], role: customer, source: audio }', [seg('嗯')], hits);
    expect(item.evidence.map((e) => e.segmentId)).toEqual(['s0']);
  });

  it('matches a spoken form of a term (我要投诉 is a form of 投诉)', () => {
    const item = run('{ phrase: [投诉], source: audio }', [], [hit({ form: '我要投诉' })]);
    expect(item.evidence.map((e) => e.quote)).toEqual(['[音频] 我要投诉（0.80）']);
  });

  it.each([
    ['{ regex: 投诉, source: audio }', 'source only goes with phrase or lexicon'],
    ['{ lexicon: sensitive, category: 监管, source: auto }', 'carry no category'],
    ['{ phrase: [投诉], audioMinScore: 0.5 }', 'audioMinScore goes with source'],
    ['{ phrase: [投诉], source: speech }', 'source'],
  ])('refuses %s', (when, message) => {
    expect(() => card(when)).toThrow(message);
  });
});
