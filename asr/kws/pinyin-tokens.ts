import { pinyin } from 'pinyin-pro';
import { CallScopeError } from '../../core/errors.ts';

/**
 * Text → the KWS model's tokens: pinyin initials plus tone-marked finals, in pypinyin's
 * non-strict style (y and w count as initials: 一 → `y ī`, 局 → `j ú`), without tone sandhi
 * (不 stays `b ù`): the model was trained on this spelling (sherpa-onnx `text2token --tokens-type ppinyin`).
 */
const INITIALS = ['zh', 'ch', 'sh', 'b', 'p', 'm', 'f', 'd', 't', 'n', 'l', 'g', 'k', 'h', 'j', 'q', 'x', 'r', 'z', 'c', 's', 'y', 'w'];

/** Digits are read one by one in Mandarin call speech; 1 is also read 幺 (yāo), 0 also 洞 is rare and left out. */
const DIGIT_READINGS: Record<string, string[]> = {
  '0': ['líng'],
  '1': ['yī', 'yāo'],
  '2': ['èr'],
  '3': ['sān'],
  '4': ['sì'],
  '5': ['wǔ'],
  '6': ['liù'],
  '7': ['qī'],
  '8': ['bā'],
  '9': ['jiǔ'],
};

/** Upper bound on pronunciation variants of one keyword (digit strings with several 1s multiply). */
const MAX_VARIANTS = 8;

export function splitSyllable(syllable: string): string[] {
  const initial = INITIALS.find((i) => syllable.startsWith(i) && syllable.length > i.length);
  return initial ? [initial, syllable.slice(initial.length)] : [syllable];
}

/** Every pronunciation of `text` as token sequences (more than one only for digits read 一/幺). */
export function keywordTokenVariants(text: string): string[][] {
  const chars = [...text.replace(/[\s\p{P}\p{S}]/gu, '')];
  if (chars.length === 0) throw new CallScopeError('BAD_REQUEST', `keyword "${text}" has no characters to spot`);
  // Whole-string conversion, so polyphones follow their context (银行 → háng, 还款 → huán).
  const items = pinyin(chars.join(''), { type: 'all', toneType: 'symbol', toneSandhi: false, nonZh: 'removed' });
  const perChar: string[][] = [];
  for (const ch of chars) {
    if (/^\d$/.test(ch)) perChar.push(DIGIT_READINGS[ch]!);
    else if (!/\p{Script=Han}/u.test(ch)) {
      throw new CallScopeError('BAD_REQUEST', `keyword "${text}": "${ch}" is not Chinese or a digit, and the KWS model only knows Mandarin pinyin`);
    }
  }
  // Han characters in order, each with its reading in context.
  const han = items.filter((i) => i.isZh).map((i) => i.pinyin);
  let h = 0;
  for (const [i, ch] of chars.entries()) {
    if (/\p{Script=Han}/u.test(ch)) perChar.splice(i, 0, [han[h++] ?? '']);
  }
  if (perChar.some((r) => r.some((x) => x === ''))) throw new CallScopeError('BAD_REQUEST', `keyword "${text}" has a character without a pinyin reading`);
  let variants: string[][] = [[]];
  for (const readings of perChar) {
    variants = variants.flatMap((v) => readings.map((r) => [...v, ...splitSyllable(r)])).slice(0, MAX_VARIANTS);
  }
  return variants;
}

/** Checks every token against the model's `tokens.txt`: an unknown token would make sherpa-onnx drop the keyword silently. */
export function checkTokens(keyword: string, tokens: string[], known: ReadonlySet<string>): void {
  const unknown = tokens.filter((t) => !known.has(t));
  if (unknown.length > 0) {
    throw new CallScopeError('BAD_REQUEST', `keyword "${keyword}" needs tokens the KWS model does not have: ${unknown.join(' ')}`);
  }
}
