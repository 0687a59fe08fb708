import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../core/config.ts';
import type { Segment } from '../../core/schemas.ts';
import { shippedLexicons } from '../../nlp/analyze-stage.ts';
import { scoreCall } from '../../scoring-models/evaluate.ts';
import { parseScorecard } from '../../scoring-models/scorecard.ts';

const shipped = parseScorecard(
  readFileSync(path.join(repoRoot, 'scoring-models', 'scorecards', 'bank-service-standard.yaml'), 'utf8'),
);

function seg(i: number, role: 'agent' | 'customer', start: number, end: number, text: string): Segment {
  const hits = shippedLexicons().filter((l) => l.roles.has(role)).flatMap((l) => l.match(text));
  return { id: `s${i}`, role, start, end, text, textMasked: text, tokens: [], hits };
}

function score(segments: Segment[], durationSec = 100) {
  const s = scoreCall(shipped, { segments, meta: { custom: {} }, durationSec });
  return { s, item: (id: string) => s.items.find((i) => i.checkpointId === id)! };
}

const goodCall = [
  seg(0, 'agent', 0.5, 7, '您好，星河银行，工号4388，很高兴为您服务，请问有什么可以帮您？'),
  seg(1, 'customer', 7.5, 12, '我想问一下年费。'),
  seg(2, 'agent', 12.5, 20, '好的，我帮您查一下。'),
  seg(3, 'agent', 80, 83, '请问还有什么可以帮您的吗？'),
  seg(4, 'customer', 84, 85, '没有了。'),
  seg(5, 'agent', 86, 90, '好的，感谢您的来电，再见！'),
];

describe('bank-service-standard v1', () => {
  it('passes a compliant call with evidence for every present-check', () => {
    const { s, item } = score(goodCall);
    expect(s.total).toBe(100);
    expect(s.passed).toBe(true);
    expect(item('job_id_in_greeting').passed).toBe(true);
    expect(item('job_id_in_greeting').evidence[0]).toMatchObject({ segmentId: 's0', quote: '工号4388' });
    expect(item('closing').evidence.map((e) => e.quote)).toEqual(['还有什么可以帮您', '感谢您的来电']);
    expect(item('no_forbidden_phrases').passed).toBe(true);
  });

  it('fails the job-id check when 工号 comes after 15 s, citing what was said instead', () => {
    const late = [
      seg(0, 'agent', 0.5, 6, '您好，星河银行，很高兴为您服务。'),
      seg(1, 'customer', 7, 12, '我想问一下年费。'),
      seg(2, 'agent', 16, 20, '我的工号是4388。'),
      ...goodCall.slice(3),
    ];
    const { s, item } = score(late);
    expect(item('job_id_in_greeting').passed).toBe(false);
    expect(item('job_id_in_greeting').evidence.map((e) => e.segmentId)).toEqual(['s0']);
    expect(s.total).toBe(95);
  });

  it('accepts a job id spoken as Chinese numerals', () => {
    const spoken = [seg(0, 'agent', 0.5, 7, '您好，工号四三八八，请问有什么可以帮您？'), ...goodCall.slice(1)];
    expect(score(spoken).item('job_id_in_greeting').passed).toBe(true);
  });

  it('deducts 10 per forbidden phrase, capped at 30, with each quote as evidence', () => {
    const rude = [
      ...goodCall.slice(0, 3),
      seg(6, 'agent', 30, 35, '我也没办法。你听不懂吗？这不归我管。不知道。'),
      ...goodCall.slice(3),
    ];
    const { s, item } = score(rude);
    const cp = item('no_forbidden_phrases');
    expect(cp.passed).toBe(false);
    expect(cp.evidence.map((e) => e.quote)).toEqual(['我也没办法', '你听不懂吗', '这不归我管', '不知道']);
    expect(cp.points).toBe(0);
    expect(s.total).toBe(70);
    expect(s.passed).toBe(false);
  });

  it('ignores a forbidden phrase said by the customer', () => {
    const calls = [...goodCall.slice(0, 2), seg(6, 'customer', 30, 35, '我也没办法，你听不懂吗'), ...goodCall.slice(2)];
    expect(score(calls).item('no_forbidden_phrases').passed).toBe(true);
  });

  it('fails closing when the agent ends without it', () => {
    const abrupt = goodCall.slice(0, 3).concat(seg(3, 'agent', 80, 85, '另外您这张卡可以办理分期，需要介绍一下吗？'));
    const { item } = score(abrupt);
    expect(item('closing').passed).toBe(false);
    expect(item('closing').evidence.map((e) => e.segmentId)).toEqual(['s0', 's2', 's3']);
  });
});

describe('scorecard validation', () => {
  it('names the line of a bad field', () => {
    const bad = `id: demo
version: 1
name: 示例
passScore: 80
checkpoints:
  - id: greeting
    name: 问候
    deduct: 5
    expect: sometimes
    when: { phrase: [您好] }
`;
    expect(() => parseScorecard(bad, 'demo.yaml')).toThrow(/demo\.yaml:9: checkpoints\.0\.expect/);
  });

  it('rejects a condition with two operators and an invalid regex', () => {
    const two = `id: demo\nversion: 1\nname: x\npassScore: 1\ncheckpoints:\n  - { id: a, name: a, deduct: 1, expect: present, when: { phrase: [x], regex: y } }\n`;
    expect(() => parseScorecard(two)).toThrow(/exactly one of phrase, regex, lexicon/);
    const badRegex = `id: demo\nversion: 1\nname: x\npassScore: 1\ncheckpoints:\n  - { id: a, name: a, deduct: 1, expect: present, when: { regex: "([" } }\n`;
    expect(() => parseScorecard(badRegex)).toThrow(/not a valid regular expression/);
  });

  it('reports YAML syntax errors with a line', () => {
    expect(() => parseScorecard('id: x\n  bad: [\n', 'x.yaml')).toThrow(/x\.yaml:\d+:/);
  });
});
