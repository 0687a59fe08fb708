import { expect, it } from 'vitest';
import { callText, wordsInOneSegment } from '../../indexer/sqlite/prepared-write.ts';

// A tokenizer that splits on spaces, so the expected rows can be written by hand.
const byspace = { index: (text: string) => text.split(' ') };
const segs = (...xs: Array<['agent' | 'customer' | 'unknown', string]>) => ({ segments: xs.map(([role, textMasked]) => ({ role, textMasked })) }) as never;

it('builds one FTS column a role (segments joined by the break word) and one words line a segment', () => {
  expect(callText(segs(['agent', '您好 请问'], ['customer', '我要 投诉'], ['customer', '年费 太高']), byspace)).toEqual({
    agent: '您好 请问',
    customer: '我要 投诉 \uE000 年费 太高',
    unknown: '',
    words: 'agent 您好 请问\ncustomer 我要 投诉\ncustomer 年费 太高',
  });
});

it('holds only when one segment of the role has every word (whole words, the role name is not a word)', () => {
  const words = 'agent 您好 customer\ncustomer 我要 投诉\ncustomer 年费 太高\nagent 非常 抱歉';
  expect(wordsInOneSegment(words, 'customer', ['我要', '投诉'])).toBe(true);
  expect(wordsInOneSegment(words, null, ['投诉', '年费'])).toBe(false);
  expect(wordsInOneSegment(words, 'agent', ['我要'])).toBe(false);
  expect(wordsInOneSegment(words, 'customer', ['年'])).toBe(false);
  expect(wordsInOneSegment(words, null, ['customer', '您好'])).toBe(true);
  expect(wordsInOneSegment(words, 'customer', ['customer'])).toBe(false);
  expect(wordsInOneSegment(words, 'agent', ['抱歉', '非常'])).toBe(true);
});
