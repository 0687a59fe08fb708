import type { CallDoc, Role } from '../core/schemas.ts';
import type { CallStore } from '../indexer/call-store.ts';
import type { Filter } from '../indexer/query-model.ts';
import { tokenize } from '../nlp/segmenter.ts';
import { isContentWord } from './cluster/text-features.ts';

/** The 【…】 tags PII masking leaves in `textMasked` (【手机号】, 【卡号尾号1234】): never a term. */
const PII_TAG = /【[^】]*】/gu;
/** Phrases never span punctuation, a PII tag or a space. */
const BREAK = /[^\p{L}\p{N}]+/u;
const HAN = /\p{Script=Han}/u;
const PAGE = 500;

export type Period = { from: string; to: string };
/** Calls holding each term (document frequency) in the calls read of one period. */
export type TermCounts = { calls: number; total: number; terms: Map<string, number>; phrases: Map<string, number> };

/**
 * A term of a hot-topics list: a jieba word of two or more characters (one Han character is too
 * vague to read as a topic) that is not a stop word or a number.
 */
function isTerm(w: string): boolean {
  return isContentWord(w) && (!HAN.test(w) || w.length > 1);
}

/** Two adjacent words as one phrase: Han words join without a space (信用卡盗刷), Latin ones with one. */
function joinPhrase(a: string, b: string): string {
  return HAN.test(a.at(-1)!) && HAN.test(b[0]!) ? a + b : `${a} ${b}`;
}

/** The distinct terms and phrases said by `role` (every role when absent) in one call, from masked text. */
export function callTerms(doc: CallDoc, role: Role | undefined): { terms: Set<string>; phrases: Set<string> } {
  const terms = new Set<string>();
  const phrases = new Set<string>();
  for (const seg of doc.segments) {
    if (role && seg.role !== role) continue;
    const text = seg.textMasked.normalize('NFKC').toLowerCase().replace(PII_TAG, ' ');
    for (const run of text.split(BREAK)) {
      if (!run) continue;
      const words = tokenize(run);
      for (let i = 0; i < words.length; i++) {
        const w = words[i]!;
        if (!isTerm(w)) continue;
        terms.add(w);
        const next = words[i + 1];
        if (next !== undefined && isTerm(next)) phrases.add(joinPhrase(w, next));
      }
    }
  }
  return { terms, phrases };
}

/** `filter` narrowed to calls recorded in [from, to): a nested double `not` when the filter already bounds recordedAt. */
export function withinPeriod(filter: Filter, p: Period): Filter {
  const range = { recordedAt: { gte: p.from, lt: p.to } };
  if (!filter.dates?.recordedAt) return { ...filter, dates: { ...filter.dates, ...range } };
  return { ...filter, not: [...(filter.not ?? []), { not: [{ dates: range }] }] };
}

/**
 * Document frequencies of the terms and phrases of one period, read through `store.query` in
 * recording order. Beyond `maxCalls` calls it keeps a systematic sample (every (total / maxCalls)-th
 * call of that order, so every stretch of the period is represented) and says how many it read.
 */
export async function periodTermCounts(store: CallStore, filter: Filter, period: Period, role: Role | undefined, maxCalls: number): Promise<TermCounts> {
  const f = withinPeriod(filter, period);
  const total = (await store.query({ filter: f, size: 0 })).total;
  const step = total > maxCalls ? total / maxCalls : 1;
  const counts: TermCounts = { calls: 0, total, terms: new Map(), phrases: new Map() };
  let position = 0;
  let nextPick = 0;
  let after: string | undefined;
  do {
    const page = await store.query({ filter: f, sort: [{ field: 'recordedAt', order: 'asc' }], size: PAGE, ...(after ? { after } : {}) });
    for (const { call } of page.items) {
      if (position++ !== Math.floor(nextPick) || counts.calls === maxCalls) continue;
      nextPick += step;
      counts.calls++;
      const { terms, phrases } = callTerms(call, role);
      for (const t of terms) counts.terms.set(t, (counts.terms.get(t) ?? 0) + 1);
      for (const p of phrases) counts.phrases.set(p, (counts.phrases.get(p) ?? 0) + 1);
    }
    after = page.next ?? undefined;
  } while (after && counts.calls < maxCalls);
  return counts;
}
