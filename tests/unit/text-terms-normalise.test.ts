import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticCalls } from '../../bench/store/synthetic-calls.ts';
import { normaliseTerms } from '../../indexer/text-terms.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';

/**
 * The definition normaliseTerms had before its code-unit fast path (and searchTokens' own filter,
 * dropped since): the fast path must give exactly these terms.
 */
const isWord = (t: string) => /[\p{L}\p{N}]/u.test(t);
function definition(words: string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    if (/^[\p{L}\p{N}]+$/u.test(w)) out.push(w.toLowerCase());
    else for (const t of w.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (t.length > 0) out.push(t);
  }
  return out;
}

describe('normaliseTerms', () => {
  it('cuts and lower-cases words as written by hand', () => {
    expect(normaliseTerms(['信用卡', '年费', '，', ' ', 'VIP', 'Visa卡', 'ATM-2024', '３Ｄ', 'Ａｂｃ', 'Café', 'ΣΟΦΊΑΣ', 'İstanbul', '😀', 'a😀B', '100%', '〇', '々', '', 'x.y.z'])).toEqual([
      '信用卡', '年费', 'vip', 'visa卡', 'atm', '2024', '３ｄ', 'ａｂｃ', 'café', 'σοφίας', 'i̇stanbul', 'a', 'b', '100', '〇', '々', 'x', 'y', 'z',
    ]);
    // A decomposed accent (combining mark) is no letter: it splits the word, as FTS5's unicode61 sees it.
    expect(normaliseTerms(['Cafe\u0301s'])).toEqual(['cafe', 's']);
  });

  it('agrees with the regex definition on varied text', () => {
    const texts = [
      '您好，请问您的信用卡（尾号1234）年费是￥300元吗？',
      'Hello WORLD, ÀÉÎ õü ß ẞ Ǆ ǅ ǆ — ½ ² Ⅻ ⅻ ١٢٣ ๑๒ 𝟘𝟙 𠀀𠀁 😀👍🏽 ＡＢＣ ａｂｃ １２３ ｶﾀｶﾅ 한국어 Ελληνικά ΣΣ',
      '「账单」『分期』【还款】……——～！＠＃￥％…＆＊（）＋＝｛｝｜：＂＜＞？',
      'iPhone15Pro 和 5G套餐 APP登录 U盾 K歌 e路通',
    ];
    for (const t of texts) {
      for (const words of [searchTokens(t), tokenize(t), [...t], t.split(' ')]) expect(normaliseTerms(words)).toEqual(definition(words));
    }
    // Every BMP code unit alone, and between ASCII letters.
    const units = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c));
    expect(normaliseTerms(units)).toEqual(definition(units));
    const between = units.map((u) => `Ab${u}Cd`);
    expect(normaliseTerms(between)).toEqual(definition(between));
  });

  it('gives the index the same terms as before on the synthetic calls and the shared data texts', () => {
    const texts = [...syntheticCalls(300, { seed: 11 })].flatMap((d) => d.segments.map((s) => s.textMasked));
    const data = path.resolve(import.meta.dirname, '../../../shared/data');
    for (const file of ['chnsenticorp_hotel.jsonl', 'online_shopping_10_cats.jsonl', 'smp2020_ewect_emotion.jsonl', 'cfpb_complaints.jsonl', 'banking77.jsonl']) {
      const f = path.join(data, file);
      if (!existsSync(f)) continue;
      const lines = readFileSync(f, 'utf8').split('\n').filter(Boolean).slice(0, 800);
      texts.push(...lines.map((l) => (JSON.parse(l) as { text: string }).text));
    }
    expect(texts.length).toBeGreaterThan(3000);
    for (const t of texts) {
      const tokens = searchTokens(t);
      // searchTokens no longer drops punctuation itself: the terms are those of the filtered tokens.
      expect(normaliseTerms(tokens)).toEqual(definition(tokens.filter(isWord)));
    }
  });
});
