import { describe, expect, it } from 'vitest';
import type { Segment } from '../../core/schemas.ts';
import { shippedLexicons } from '../../nlp/analyze-stage.ts';
import { foldHomophones } from '../../nlp/homophones.ts';
import { scoreCall } from '../../scoring-models/evaluate.ts';
import { parseScorecard } from '../../scoring-models/scorecard.ts';

const hits = (text: string, role: 'agent' | 'customer' = 'agent') => shippedLexicons().filter((l) => l.roles.has(role)).flatMap((l) => l.match(text));

describe('homophone folding', () => {
  it('folds characters of one toneless syllable together, keeping length and everything else', () => {
    expect(foldHomophones('工号')).toBe(foldHomophones('公号'));
    expect(foldHomophones('稍等')).toBe(foldHomophones('少等'));
    expect(foldHomophones('您好')).not.toBe(foldHomophones('你好'));
    const mixed = '工号1234，OK！';
    expect(foldHomophones(mixed)).toHaveLength(mixed.length);
    expect(foldHomophones(mixed).slice(2)).toBe('1234，OK！');
  });

  it('lexicons match sound-alike slips, and say so', () => {
    const slip = hits('我也没半法，你自己去网点吧');
    expect(slip.find((h) => h.lexicon === 'forbidden' && h.term === '我也没办法')).toMatchObject({ start: 0, end: 5, soundAlike: true });
    const exact = hits('我也没办法');
    expect(exact[0]).toMatchObject({ term: '我也没办法' });
    expect(exact[0]!.soundAlike).toBeUndefined();
    expect(hits('请您少等，我帮您查询').map((h) => h.category)).toContain('等待提示');
  });

  it('spoken digits fold to digits: a regulator hotline read out still counts', () => {
    expect(foldHomophones('幺二三七八')).toBe('12378');
    expect(hits('我要打幺二三七八投诉你们', 'customer').map((h) => [h.term, h.category])).toEqual([
      ['12378', '监管'],
      ['投诉', '投诉'],
    ]);
  });

  it('exclusions fold too: a negated promise written with a slip is still not a promise', () => {
    expect(hits('这款产品不宝本').filter((h) => h.lexicon === 'promise')).toEqual([]);
    expect(hits('这款产品宝本').filter((h) => h.lexicon === 'promise').map((h) => h.term)).toEqual(['保本']);
  });
});

describe('scorecard phrases and regexes hear sound-alikes', () => {
  const seg = (text: string): Segment => ({ id: 's0', role: 'agent', start: 0, end: 5, text, textMasked: text, tokens: [], hits: [] });
  const run = (when: string, text: string) =>
    scoreCall(parseScorecard(`id: t\nversion: 1\nname: t\npassScore: 0\ncheckpoints:\n  - { id: c, name: c, deduct: 1, expect: present, when: ${when} }\n`), {
      segments: [seg(text)],
      meta: { custom: {} },
      durationSec: 5,
    }).items[0]!;

  it('regex', () => {
    expect(run(`{ regex: '工号\\d{4}' }`, '您好，公号4388为您服务').evidence[0]!.quote).toBe('公号4388');
    expect(run(`{ regex: '工号\\d{4}' }`, '您好，工号为您服务').passed).toBe(false);
    // A Han range still matches the original text, which folded text would not.
    expect(run(`{ regex: '\\p{Han}号\\d{4}' }`, '您好，工号4388').evidence[0]!.quote).toBe('工号4388');
    expect(run(`{ regex: '[\\x{4e00}-\\x{9fff}]号\\d{4}' }`, '您好，工号4388').evidence[0]!.quote).toBe('工号4388');
  });

  it('a short sound-alike must sit on word boundaries: 预计今天 does not hold 基金', () => {
    expect(run(`{ phrase: [基金] }`, '预计今天上午到账').passed).toBe(false);
    expect(run(`{ regex: '基金' }`, '预计今天上午到账').passed).toBe(false);
    expect(hits('预计今天上午到账').filter((h) => h.soundAlike)).toEqual([]);
    expect(run(`{ phrase: [基金] }`, '这个基金亏了').passed).toBe(true);
  });

  it('phrase', () => {
    expect(run(`{ phrase: [感谢您的来电] }`, '好的，敢谢您的莱电，再见').evidence[0]!.quote).toBe('敢谢您的莱电');
    expect(run(`{ phrase: [感谢您的来电] }`, '好的，谢谢，再见').passed).toBe(false);
  });
});
