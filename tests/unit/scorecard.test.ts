import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../core/config.ts';
import type { Segment } from '../../core/schemas.ts';
import { shippedLexicons } from '../../nlp/analyze-stage.ts';
import { scoreCall, type ScoringInput } from '../../scoring-models/evaluate.ts';
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
  seg(3, 'agent', 21, 24, '请问还有什么可以帮您的吗？'),
  seg(4, 'customer', 25, 26, '没有了。'),
  seg(5, 'agent', 27, 30, '好的，感谢您的来电，再见！'),
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
      seg(6, 'agent', 20.5, 21, '我也没办法。你听不懂吗？这不归我管。不知道。'),
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
    const calls = [...goodCall.slice(0, 2), seg(6, 'customer', 12, 12.4, '我也没办法，你听不懂吗'), ...goodCall.slice(2)];
    expect(score(calls).item('no_forbidden_phrases').passed).toBe(true);
  });

  it('fails closing when the agent ends without it', () => {
    const abrupt = goodCall.slice(0, 3).concat(seg(3, 'agent', 21, 25, '另外您这张卡可以办理分期，需要介绍一下吗？'));
    const { item } = score(abrupt);
    expect(item('closing').passed).toBe(false);
    expect(item('closing').evidence.map((e) => e.segmentId)).toEqual(['s0', 's2', 's3']);
  });
});

describe('timeline operators', () => {
  const card = (when: string) =>
    parseScorecard(`id: t\nversion: 1\nname: t\npassScore: 0\ncheckpoints:\n  - { id: c, name: c, deduct: 5, deductEach: true, maxDeduct: 10, expect: absent, when: ${when} }\n`);
  const run = (when: string, segments: Segment[], speech: ScoringInput['speech'] = []) =>
    scoreCall(card(when), { segments, meta: { custom: {} }, durationSec: 100, speech }).items[0]!;
  const silenceCard = '{ silence: { minSec: 10, exceptAfter: { lexicon: required, category: 等待提示 } } }';

  it('flags a long silence nobody announced, with its span as evidence', () => {
    const item = run(silenceCard, [seg(0, 'agent', 0, 5, '我帮您查一下。'), seg(1, 'agent', 17, 20, '查到了。')]);
    expect(item.passed).toBe(false);
    expect(item.evidence).toEqual([{ kind: 'match', segmentId: 's0', start: 5, end: 17, quote: '静音 12 秒' }]);
  });

  it('excuses a silence right after a hold notice, and ignores shorter ones', () => {
    expect(run(silenceCard, [seg(0, 'agent', 0, 5, '好的，请您稍等。'), seg(1, 'agent', 17, 20, '感谢您的耐心等待。')]).passed).toBe(true);
    expect(run(silenceCard, [seg(0, 'agent', 0, 5, '我帮您查一下。'), seg(1, 'agent', 14.9, 20, '查到了。')]).passed).toBe(true);
  });

  it('counts as speech what either the audio or the transcript has', () => {
    const segments = [seg(0, 'agent', 0, 5, '我帮您查一下。'), seg(1, 'agent', 17, 20, '查到了。')];
    // The customer spoke from 9 to 11 s (a turn the vendor transcript missed): no 10 s silence is left.
    expect(run(silenceCard, segments, [{ channel: 1, start: 9, end: 11 }]).passed).toBe(true);
  });

  it('finds the agent cutting in on the customer from the two channels of a stereo call', () => {
    const segments = [seg(0, 'customer', 0, 6, '我想问一下这个年费怎么回事'), seg(1, 'agent', 5, 9, '您先听我说')];
    const speech = [
      { channel: 1, start: 0, end: 6 },
      { channel: 0, start: 4.8, end: 9 },
    ];
    const item = run('{ interruption: { by: agent } }', segments, speech);
    expect(item.passed).toBe(false);
    expect(item.evidence).toEqual([{ kind: 'match', segmentId: 's1', start: 4.8, end: 6, quote: '坐席在对方说话时插话，重叠 1.2 秒' }]);
    // The customer never starts while the agent talks.
    expect(run('{ interruption: { by: customer } }', segments, speech).passed).toBe(true);
  });

  it('uses the transcript turns when there is no stereo audio', () => {
    const segments = [seg(0, 'customer', 0, 6, '我想问一下'), seg(1, 'agent', 5.6, 9, '您先听我说')];
    // 0.4 s of overlap is under the 0.5 s bar.
    expect(run('{ interruption: { by: agent } }', segments).passed).toBe(true);
    expect(run('{ interruption: { by: agent } }', [segments[0]!, seg(1, 'agent', 5, 9, '您先听我说')]).passed).toBe(false);
  });
});

describe('applicability, metadata, emotion, any, lexicon categories', () => {
  const card = (cp: string) => parseScorecard(`id: t\nversion: 1\nname: t\npassScore: 0\ncheckpoints:\n  - ${cp}\n`);
  const inbound = { custom: {}, direction: 'inbound' };
  const verify = `{ id: v, name: v, veto: true, deduct: 15, expect: present, appliesWhen: { metadata: { field: direction, in: [inbound] } }, when: { lexicon: required, category: 身份核实, role: agent } }`;

  it('is not applicable where its condition finds nothing: no deduction, no veto', () => {
    const s = scoreCall(card(verify), { segments: goodCall, meta: { custom: {}, direction: 'outbound' }, durationSec: 30 });
    expect(s.items[0]).toMatchObject({ applicable: false, passed: null, points: 15, maxPoints: 15, evidence: [] });
    expect(s).toMatchObject({ total: 100, vetoed: false });
  });

  it('applies where it should, and vetoes the call when it fails', () => {
    const s = scoreCall(card(verify), { segments: goodCall, meta: inbound, durationSec: 30 });
    expect(s.items[0]).toMatchObject({ applicable: true, passed: false, points: 0 });
    expect(s).toMatchObject({ total: 85, vetoed: true, passed: false });
    const verified = [...goodCall.slice(0, 2), seg(9, 'agent', 12, 14, '为了您的账户安全，先核实一下身份。'), ...goodCall.slice(2)];
    expect(scoreCall(card(verify), { segments: verified, meta: inbound, durationSec: 30 }).items[0]).toMatchObject({ passed: true });
  });

  it('reads custom metadata columns too', () => {
    const cp = `{ id: m, name: m, deduct: 1, expect: absent, when: { metadata: { field: shift, in: [night] } } }`;
    expect(scoreCall(card(cp), { segments: goodCall, meta: { custom: { shift: 'night' } }, durationSec: 30 }).items[0]!.evidence[0]!.quote).toBe('shift = night');
  });

  it('matches segments by emotion and by any of several conditions', () => {
    const angry = { ...seg(9, 'customer', 12, 14, '你们这是什么服务！'), emotion: { label: 'angry', score: 0.9 } };
    const cp = `{ id: e, name: e, deduct: 1, expect: absent, when: { any: [ { emotion: { labels: [angry] }, role: customer }, { lexicon: sensitive, role: customer } ] } }`;
    const calm = scoreCall(card(cp), { segments: goodCall, meta: { custom: {} }, durationSec: 30 }).items[0]!;
    expect(calm.passed).toBe(true);
    const hot = scoreCall(card(cp), { segments: [...goodCall, angry, seg(10, 'customer', 15, 16, '我要投诉！')], meta: { custom: {} }, durationSec: 30 }).items[0]!;
    expect(hot.evidence.map((e) => e.segmentId)).toEqual(['s9', 's10']);
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
    expect(() => parseScorecard(two)).toThrow(/one operator per condition, found phrase and regex/);
    const badRegex = `id: demo\nversion: 1\nname: x\npassScore: 1\ncheckpoints:\n  - { id: a, name: a, deduct: 1, expect: present, when: { regex: "([" } }\n`;
    expect(() => parseScorecard(badRegex)).toThrow(/not a supported regular expression/);
  });

  it('reports YAML syntax errors with a line', () => {
    expect(() => parseScorecard('id: x\n  bad: [\n', 'x.yaml')).toThrow(/x\.yaml:\d+:/);
  });
});
