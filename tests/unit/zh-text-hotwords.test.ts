import { describe, expect, it } from 'vitest';
import { applyHotwords, BANKING_HOTWORDS, compileHotwords } from '../../asr/hotwords.ts';
import { normaliseZh } from '../../asr/zh-text.ts';

describe('engine text normalisation', () => {
  it('turns traditional characters into simplified ones, 帳 into 账 in money words', () => {
    expect(normaliseZh('您好，銀行帳戶與個人資料請您稍等')).toBe('您好，银行账户与个人资料请您稍等');
    expect(normaliseZh('轉帳到帳了')).toBe('转账到账了');
    expect(normaliseZh('蚊帳')).toBe('蚊帐');
  });

  it('keeps numbers exactly as spoken: digits stay digits, numerals stay numerals', () => {
    expect(normaliseZh('工號四三八八')).toBe('工号四三八八');
    expect(normaliseZh('工号 4388，尾号幺二三四')).toBe('工号 4388，尾号幺二三四');
    expect(normaliseZh('卡号６２２５')).toBe('卡号6225');
  });

  it('drops spaces between Chinese characters but keeps them between English words', () => {
    expect(normaliseZh('信用 卡 的 credit card 年费')).toBe('信用卡的 credit card 年费');
  });
});

describe('hot-word correction', () => {
  const hot = compileHotwords(BANKING_HOTWORDS);

  it('replaces sound-alike runs with the hot-word', () => {
    expect(applyHotwords('我要偷诉到银保间会', hot)).toBe('我要投诉到银保监会');
    expect(applyHotwords('信用卡年非太贵了', hot)).toBe('信用卡年费太贵了');
  });

  it('leaves text alone when nothing sounds like a hot-word', () => {
    const text = '今天天气不错，工号4388，我们下午见。';
    expect(applyHotwords(text, hot)).toBe(text);
  });

  it('ignores hot-words that are not at least two Chinese characters', () => {
    expect(compileHotwords(['卡', 'VIP', ' 挂失 ']).map((h) => h.word)).toEqual(['挂失']);
  });
});
