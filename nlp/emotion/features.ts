import { tokenize } from '../segmenter.ts';

/** How text becomes features; stored in the model so a model is only ever used with the features it was trained on. */
export type FeatureConfig = {
  hashBits: number;
  words: boolean;
  wordBigrams: boolean;
  charNgrams: number[];
  cues: boolean;
};

export const defaultFeatureConfig: FeatureConfig = { hashBits: 18, words: true, wordBigrams: true, charNgrams: [1, 2], cues: true };

/** A sparse, L2-normalised feature vector: parallel arrays of bucket indices and values. */
export type SparseVector = { index: Int32Array; value: Float32Array };

/** FNV-1a over UTF-16 code units: stable across runs and platforms, unlike any built-in hash. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const NEGATORS = new Set(['不', '没', '没有', '别', '不是', '不太', '不怎么', '并不', '一点也不', '从不', '未', '无', '不会', '不能', '不要', '不用', '别再']);
const INTENSIFIERS = new Set(['太', '非常', '特别', '根本', '很', '超', '超级', '真', '真的', '极', '极其', '十分', '相当', '实在', '太过', '好', '最', '一点', '完全', '再也', '简直', '居然', '竟然']);
const COMPLAINT = ['投诉', '退款', '骗', '坑', '态度差', '曝光', '12378', '举报', '差评', '垃圾', '恶心', '媒体', '律师', '报警', '银保监', '监管'];
const PUNCT = /[\s\p{P}\p{S}]/u;

/** Named features of a text, before hashing (exposed for inspection and tests). */
export function featureNames(text: string, config: FeatureConfig = defaultFeatureConfig): string[] {
  const out: string[] = [];
  const normalised = text.toLowerCase().replace(/\d+/g, '0');
  if (config.words) {
    const words = tokenize(normalised);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      out.push(`w:${w}`);
      if (config.wordBigrams && i + 1 < words.length) out.push(`b:${w}|${words[i + 1]}`);
      if (config.cues && i > 0) {
        const prev = words[i - 1]!;
        // A negator within two words flips the meaning of what follows (不 太 满意 → NEG:满意).
        const prev2 = i > 1 ? words[i - 2]! : '';
        if (NEGATORS.has(prev) || (NEGATORS.has(prev2) && INTENSIFIERS.has(prev))) out.push(`neg:${w}`);
        if (INTENSIFIERS.has(prev)) out.push(`int:${w}`);
      }
    }
  }
  const chars = [...normalised].filter((c) => !PUNCT.test(c));
  for (const n of config.charNgrams) {
    for (let i = 0; i + n <= chars.length; i++) out.push(`c${n}:${chars.slice(i, i + n).join('')}`);
  }
  if (config.cues) {
    const bangs = (text.match(/[!！]/g) ?? []).length;
    const questions = (text.match(/[?？]/g) ?? []).length;
    if (bangs > 0) out.push('cue:bang');
    if (bangs > 1) out.push('cue:bangs');
    if (questions > 0) out.push('cue:question');
    if (questions > 1) out.push('cue:questions');
    if (/[?？][!！]|[!！][?？]/.test(text)) out.push('cue:?!');
    for (const c of COMPLAINT) if (normalised.includes(c)) out.push('cue:complaint', `cue:complaint:${c}`);
    const len = chars.length;
    out.push(len < 8 ? 'len:short' : len < 30 ? 'len:medium' : len < 100 ? 'len:long' : 'len:verylong');
  }
  out.push('bias');
  return out;
}

/** Hashes named features into 2^hashBits buckets, binary presence, L2-normalised. */
export function extractFeatures(text: string, config: FeatureConfig = defaultFeatureConfig): SparseVector {
  const mask = (1 << config.hashBits) - 1;
  const buckets = new Set<number>();
  for (const name of featureNames(text, config)) buckets.add(fnv1a(name) & mask);
  const index = Int32Array.from([...buckets].sort((a, b) => a - b));
  const value = new Float32Array(index.length).fill(1 / Math.sqrt(index.length));
  return { index, value };
}
