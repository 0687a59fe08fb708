import * as OpenCC from 'opencc-js/t2cn';

/**
 * Engine output → the text NLP and scoring read: simplified Chinese (whisper often answers in
 * traditional characters; OpenCC's character-level `t → cn` table, no phrase rewriting such as
 * 資料 → 数据, which would change what the speaker said), full-width letters and digits made
 * half-width, spaces between Han characters dropped (Paraformer separates English words with
 * spaces), and numbers left exactly as spoken: digits stay digits and Chinese numerals stay
 * numerals, because checkpoints quote what was said (工号四三八八).
 */
const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });

/** OpenCC keeps 帐 (帳 maps to it); in money words (账户, 账单, 转账) mainland usage is 账. */
const ZHANG_KEEP = ['蚊帐', '帐篷', '帐幕', '营帐', '床帐', '帐子'];
const HAN = '\\p{Script=Han}';
const SPACE_BETWEEN_HAN = new RegExp(`(?<=${HAN})\\s+(?=${HAN})`, 'gu');
const FULL_WIDTH_ALNUM = /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g;

function fixZhang(text: string): string {
  return text.replace(/帐/g, (m, at: number) =>
    ZHANG_KEEP.some((w) => text.slice(Math.max(0, at - 1), at + 2).includes(w)) ? m : '账',
  );
}

export function normaliseZh(text: string): string {
  const halfWidth = text.replace(FULL_WIDTH_ALNUM, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  return fixZhang(toSimplified(halfWidth)).replace(SPACE_BETWEEN_HAN, '').replace(/\s+/g, ' ').trim();
}
