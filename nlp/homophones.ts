import { pinyin } from 'pinyin-pro';

/**
 * Homophone folding, the way case folding works for Latin text: every Chinese character is replaced
 * by one stand-in per toneless syllable (工 and 公 both become the stand-in of "gong"), so lexicons,
 * scorecard phrases and regexes also match what an ASR engine wrote with a sound-alike character
 * (公号 for 工号, 少等 for 稍等, 报歉 for 抱歉). The mapping is one character for one, so offsets into
 * the folded text are offsets into the original. Spoken digits fold to the digit (幺二三七八 is 12378),
 * so a number matches however the vendor wrote it. Stand-ins are Private Use Area characters handed
 * out per process: folded text is only ever compared with text folded in the same process.
 */
const DIGITS: Record<string, string> = { 零: '0', 〇: '0', 一: '1', 幺: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
const HAN = /^[\u3400-\u9fff]$/;
const PUA_START = 0xe000;
const standIns = new Map<string, string>();
const folded = new Map<string, string>();

export function foldChar(ch: string): string {
  let f = folded.get(ch);
  if (f === undefined) {
    if (DIGITS[ch]) f = DIGITS[ch];
    else if (!HAN.test(ch)) f = ch;
    else {
      const syllable = pinyin(ch, { toneType: 'none', v: true });
      f = standIns.get(syllable);
      if (f === undefined) standIns.set(syllable, (f = String.fromCharCode(PUA_START + standIns.size)));
    }
    folded.set(ch, f);
  }
  return f;
}

/** The text with every Chinese character folded; same length, in UTF-16 units and in characters. */
export function foldHomophones(text: string): string {
  let out = '';
  for (const ch of text) out += foldChar(ch);
  return out;
}

/**
 * Two syllables collide across word boundaries easily (预计今天 holds 基金's sounds); three rarely.
 * So a sound-alike match shorter than this must start and end on word boundaries; longer ones need not
 * (an engine's slips break its words, 合时一下深份 for 核实一下身份).
 */
const SOUND_ALIKE_FREE_LENGTH = 3;

/**
 * Whether a sound-alike match [start, end) counts: long enough, or on word boundaries (`boundaries`
 * gives jieba's word boundaries of the text, computed only when needed: see segmenter.wordBoundaries).
 */
export function soundAlikeFits(start: number, end: number, boundaries: () => Set<number>): boolean {
  if (end - start >= SOUND_ALIKE_FREE_LENGTH) return true;
  const b = boundaries();
  return b.has(start) && b.has(end);
}
