import { pinyin } from 'pinyin-pro';

/**
 * Hot-words for engines without native contextual biasing. sherpa-onnx biases only transducer
 * models; asking its offline Paraformer for a hot-word stream ends the process ("Only transducer
 * models support contextual biasing", exit 255, measured with 1.13.8). So the Paraformer engine
 * decodes plainly and this pass corrects sound-alike slips afterwards: a run of Han characters
 * whose toneless pinyin equals a hot-word's (银保间会 → 银保监会) becomes the hot-word.
 */
export const BANKING_HOTWORDS = [
  '星河银行', '工号', '信用卡', '年费', '分期', '账单', '还款', '理财', '投诉', '银保监会', '金融监管局',
  '身份证', '挂失', '冻结', '手续费', '滞纳金', '转账', '额度', '请您稍等', '感谢您的来电',
];

type Compiled = { word: string; syllables: string[] };

const HAN = /\p{Script=Han}/u;

function syllablesOf(text: string): string[] {
  // Whole-string conversion so polyphones follow their context (银行 → hang, 还款 → huan).
  return pinyin(text, { toneType: 'none', type: 'array', nonZh: 'consecutive' }).map((s) => s.toLowerCase());
}

export function compileHotwords(words: string[]): Compiled[] {
  return words
    .map((w) => w.trim())
    .filter((w) => [...w].length >= 2 && [...w].every((c) => HAN.test(c)))
    .map((word) => ({ word, syllables: syllablesOf(word) }))
    .sort((a, b) => b.syllables.length - a.syllables.length);
}

/** Replaces sound-alike runs of Han characters with the hot-word they sound like. */
export function applyHotwords(text: string, hotwords: Compiled[]): string {
  if (hotwords.length === 0 || !text) return text;
  const chars = [...text];
  const syl: Array<string | null> = chars.map(() => null);
  // Pinyin of the Han characters in context, then mapped back onto their positions.
  const hanIdx = chars.flatMap((c, i) => (HAN.test(c) ? [i] : []));
  const hanSyl = syllablesOf(hanIdx.map((i) => chars[i]).join(''));
  hanIdx.forEach((ci, k) => (syl[ci] = hanSyl[k] ?? null));
  const out: string[] = [];
  for (let i = 0; i < chars.length; ) {
    const hit = hotwords.find((h) => {
      const n = h.syllables.length;
      if (i + n > chars.length) return false;
      for (let k = 0; k < n; k++) if (syl[i + k] !== h.syllables[k]) return false;
      return true;
    });
    if (hit) {
      out.push(hit.word);
      i += hit.syllables.length;
    } else out.push(chars[i++]!);
  }
  return out.join('');
}
