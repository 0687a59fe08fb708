import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuseRoles, rolesOfTurns, type RoleUnit } from '../../asr/role-fusion.ts';
import { isHeldOutDialogue, loadRoleExamples } from '../../asr/role-text/corpus.ts';
import { roleTextModel } from '../../asr/role-text/model.ts';
import { assignRoles } from '../../asr/transcript.ts';
import { SHARED } from '../helpers.ts';

describe('agent/customer line classifier (committed model, trained on STC-3)', () => {
  it.each([
    ['您好，星河银行，工号4388，很高兴为您服务，请问有什么可以帮您？', 'agent'],
    ['好的，请您稍等，我这边帮您查询一下。', 'agent'],
    ['感谢您的来电，还有什么可以帮您的吗？', 'agent'],
    ['我的卡昨天被冻结了，到现在也用不了，你们到底怎么回事？', 'customer'],
    ['我要投诉，你们乱扣我的钱！', 'customer'],
  ])('%s → %s', (text, role) => {
    expect(roleTextModel().logOdds(text) > 0 ? 'agent' : 'customer').toBe(role);
  });

  it('is right on ≥ 90 % of the held-out STC-3 dialogues’ lines, both sides ≥ 85 %', () => {
    const held = loadRoleExamples(path.join(SHARED, 'data')).examples.filter((e) => isHeldOutDialogue(e.dialogue));
    expect(held.length).toBeGreaterThan(1000);
    const right = (xs: typeof held) => xs.filter((e) => roleTextModel().logOdds(e.text) > 0 === e.agent).length / xs.length;
    expect(right(held)).toBeGreaterThanOrEqual(0.9);
    expect(right(held.filter((e) => e.agent))).toBeGreaterThanOrEqual(0.85);
    expect(right(held.filter((e) => !e.agent))).toBeGreaterThanOrEqual(0.85);
  });

  it('says nothing about a line without words', () => {
    expect(roleTextModel().logOdds('，。？')).toBe(0);
  });
});

const u = (start: number, end: number, text: string, clusters?: Record<string, number>): RoleUnit => ({ start, end, text, ...(clusters ? { clusters } : {}) });

describe('roles from words fused with acoustic clusters', () => {
  it('follows the words when the clusters contradict them at random', () => {
    const units = [
      u(0, 4, '您好，很高兴为您服务，工号9054，请问有什么可以帮您？', { S1: 4 }),
      u(4.5, 9, '我信用卡的年费怎么扣了六百块，我都没用过这张卡', { S1: 4.5 }),
      u(9.5, 14, '好的，请您稍等，我帮您查询一下', { S2: 4.5 }),
      u(14.5, 18, '你们这样乱扣费我要投诉', { S2: 3.5 }),
    ];
    const f = fuseRoles(units)!;
    expect(f.roles).toEqual(['agent', 'customer', 'agent', 'customer']);
    expect(f.clusterError).toBeGreaterThanOrEqual(0.3);
  });

  it('follows clean clusters where the words are mute, agent = the cluster the words point to', () => {
    const units = [
      u(0, 4, '您好，很高兴为您服务，请问有什么可以帮您？', { A: 4 }),
      u(4.5, 6, '嗯', { B: 1.5 }),
      u(6.5, 8, '嗯', { B: 1.5 }),
      u(8.5, 10, '嗯', { A: 1.5 }),
      u(10.5, 14, '我想问一下我的卡为什么刷不了', { B: 3.5 }),
    ];
    expect(fuseRoles(units)!.roles).toEqual(['agent', 'customer', 'customer', 'agent', 'customer']);
  });

  it.each([
    ['no words at all', ['…', '…', '…', '…']],
    ['a broken engine’s one-character babble', ['银银银银银银银', '账账账银银银银', '银银 3 银银银', '银银银银银银']],
  ])('declines to judge text that puts every line on one side (%s): the caller keeps its acoustic rule', (_what, texts) => {
    expect(fuseRoles(texts.map((t, i) => u(i * 2, i * 2 + 1.5, t, { [i % 2 ? 'S1' : 'S2']: 1.5 })))).toBeNull();
  });

  it('returns roles in the caller’s order, not time order', () => {
    const f = fuseRoles([u(10, 14, '我要投诉你们'), u(0, 4, '您好，工号4388，很高兴为您服务')])!;
    expect(f.roles).toEqual(['customer', 'agent']);
  });

  it('cuts a diarised turn that runs across a speaker change at the text units', () => {
    const units = [u(0, 4, '您好，工号4388，请问有什么可以帮您？'), u(4.5, 9, '我的卡被冻结了')];
    const f = fuseRoles(units)!;
    const turns = rolesOfTurns([{ start: 0, end: 9, speaker: 'S1' }, { start: 12, end: 13, speaker: 'S2' }], units, f);
    expect(turns.map((t) => [t.start, t.end, t.role])).toEqual([
      [0, 4.5, 'agent'], // the pause between the units goes to the unit it touches first
      [4.5, 9, 'customer'],
      [12, 13, 'customer'],
    ]);
  });
});

describe('a mono vendor transcript without speaker labels', () => {
  it('takes roles from its words and the audio diariser’s turns', () => {
    const segs = [
      { start: 0, end: 3, text: '喂，你好', role: 'unknown' as const },
      { start: 3.5, end: 8, text: '您好，星河银行，工号4388，很高兴为您服务', role: 'unknown' as const },
      { start: 8.5, end: 12, text: '我想查一下我的信用卡账单', role: 'unknown' as const },
    ];
    const roles = assignRoles({ format: 'callscope-transcript/v1', language: 'zh', engine: 'x', segments: segs }, [
      { start: 0, end: 3, speaker: 'S1' },
      { start: 3.5, end: 8, speaker: 'S2' },
      { start: 8.5, end: 12, speaker: 'S1' },
    ]).map((s) => s.role);
    expect(roles).toEqual(['customer', 'agent', 'customer']);
  });
});
