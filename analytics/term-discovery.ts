import type { CallDoc, Role } from '../core/schemas.ts';
import type { CallRef, CallStore } from '../indexer/call-store.ts';
import type { Filter } from '../indexer/query-model.ts';
import { tokenize } from '../nlp/segmenter.ts';
import { isContentWord } from './cluster/text-features.ts';

/** The 【…】 tags PII masking leaves in `textMasked` (【手机号】, 【卡号尾号1234】): never a term. */
const PII_TAG = /【[^】]*】/gu;
/** Phrases never span punctuation, a PII tag or a space. */
const BREAK = /[^\p{L}\p{N}]+/u;
const HAN = /\p{Script=Han}/u;
/** Documents are read in pages of this many ids. */
const PAGE = 500;
const ROLES = ['agent', 'customer', 'unknown'] as const;

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

type TermSets = { terms: Set<string>; phrases: Set<string> };

function addSegmentTerms(textMasked: string, into: TermSets): void {
  const text = textMasked.normalize('NFKC').toLowerCase().replace(PII_TAG, ' ');
  for (const run of text.split(BREAK)) {
    if (!run) continue;
    const words = tokenize(run);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (!isTerm(w)) continue;
      into.terms.add(w);
      const next = words[i + 1];
      if (next !== undefined && isTerm(next)) into.phrases.add(joinPhrase(w, next));
    }
  }
}

/** `filter` narrowed to calls recorded in [from, to): a nested double `not` when the filter already bounds recordedAt. */
export function withinPeriod(filter: Filter, p: Period): Filter {
  const range = { recordedAt: { gte: p.from, lt: p.to } };
  if (!filter.dates?.recordedAt) return { ...filter, dates: { ...filter.dates, ...range } };
  return { ...filter, not: [...(filter.not ?? []), { not: [{ dates: range }] }] };
}

const ROLE_KEYS = [...ROLES, 'any'] as const;
type RoleKey = (typeof ROLE_KEYS)[number];

/**
 * The terms and phrases of each call, per role, as numbers of one vocabulary, kept while the call's
 * segment text hash (CallStore.refs) is the same: a period's counts then cost a lookup per call
 * instead of reading and cutting its document. One call is one Uint32Array: 8 section lengths
 * (terms, phrases of agent, customer, unknown, any role), then the sections. Bounded: beyond
 * `maxCalls` calls the oldest entries go.
 */
export class TermCache {
  private readonly vocabulary = new Map<string, number>();
  private readonly words: string[] = [];
  private readonly calls = new Map<string, { textHash: string; data: Uint32Array }>();

  constructor(private readonly maxCalls = 2_000_000) {}

  get size(): number {
    return this.calls.size;
  }

  get vocabularySize(): number {
    return this.words.length;
  }

  word(n: number): string {
    return this.words[n]!;
  }

  has(ref: CallRef): boolean {
    return this.calls.get(ref.id)?.textHash === ref.textHash;
  }

  /** Cuts every role's text of a call once and keeps it under the text hash of `ref`. */
  add(ref: CallRef, doc: CallDoc): void {
    const byRole = Object.fromEntries(ROLE_KEYS.map((r) => [r, { terms: new Set<string>(), phrases: new Set<string>() }])) as Record<RoleKey, TermSets>;
    for (const seg of doc.segments) addSegmentTerms(seg.textMasked, byRole[seg.role]);
    for (const r of ROLES) {
      for (const t of byRole[r].terms) byRole.any.terms.add(t);
      for (const p of byRole[r].phrases) byRole.any.phrases.add(p);
    }
    const sections = ROLE_KEYS.flatMap((r) => [byRole[r].terms, byRole[r].phrases]);
    const data = new Uint32Array(sections.length + sections.reduce((n, set) => n + set.size, 0));
    let at = sections.length;
    sections.forEach((set, i) => {
      data[i] = set.size;
      for (const w of set) data[at++] = this.intern(w);
    });
    this.calls.delete(ref.id);
    this.calls.set(ref.id, { textHash: ref.textHash, data });
    if (this.calls.size > this.maxCalls) this.calls.delete(this.calls.keys().next().value!);
  }

  /**
   * Adds one to `terms[n]` / `phrases[n]` for each term / phrase n of `role` (any role when absent)
   * in each call of `refs` held with the same text hash (arrays of at least vocabularySize); returns how many calls were counted.
   */
  countInto(refs: readonly CallRef[], role: Role | undefined, terms: Int32Array, phrases: Int32Array): number {
    const section = 2 * ROLE_KEYS.indexOf(role ?? 'any');
    let counted = 0;
    for (const ref of refs) {
      const hit = this.calls.get(ref.id);
      if (!hit || hit.textHash !== ref.textHash) continue;
      counted++;
      const d = hit.data;
      let at = ROLE_KEYS.length * 2;
      for (let i = 0; i < section; i++) at += d[i]!;
      for (let end = at + d[section]!; at < end; at++) terms[d[at]!]!++;
      for (let end = at + d[section + 1]!; at < end; at++) phrases[d[at]!]!++;
    }
    return counted;
  }

  private intern(w: string): number {
    let n = this.vocabulary.get(w);
    if (n === undefined) {
      n = this.words.push(w) - 1;
      this.vocabulary.set(w, n);
    }
    return n;
  }
}

const caches = new WeakMap<CallStore, TermCache>();
/** The term cache of a store (one per store object, for the life of the process). */
export function termCacheOf(store: CallStore): TermCache {
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new TermCache()));
  return cache;
}

/** Reads the documents of the refs the cache lacks (pages of ids) and adds them; yields to the event loop between pages. */
export async function fillTermCache(store: CallStore, cache: TermCache, refs: readonly CallRef[], onProgress?: (done: number, total: number) => void): Promise<void> {
  const missing = refs.filter((r) => !cache.has(r));
  const byId = new Map(missing.map((r) => [r.id, r]));
  for (let i = 0; i < missing.length; i += PAGE) {
    const ids = missing.slice(i, i + PAGE).map((r) => r.id);
    const page = await store.query({ filter: { ids }, size: PAGE });
    for (const { call } of page.items) cache.add(byId.get(call.id)!, call);
    onProgress?.(Math.min(i + PAGE, missing.length), missing.length);
    if (i + PAGE < missing.length) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Cuts the text of every stored call into the store's term cache ahead of the first hot-topics request (`serve` runs it in the background). */
export async function warmTermCache(store: CallStore, onProgress?: (done: number, total: number) => void): Promise<void> {
  await fillTermCache(store, termCacheOf(store), await store.refs({}), onProgress);
}

/**
 * Document frequencies of the terms and phrases of one period, in recording order (CallStore.refs).
 * Beyond `maxCalls` calls it keeps a systematic sample (every (total / maxCalls)-th call of that
 * order, so every stretch of the period is represented) and says how many it read. Calls are cut
 * once and kept in the store's TermCache while their text is unchanged.
 */
export async function periodTermCounts(store: CallStore, filter: Filter, period: Period, role: Role | undefined, maxCalls: number): Promise<TermCounts> {
  const refs = await store.refs(withinPeriod(filter, period));
  const total = refs.length;
  const step = total > maxCalls ? total / maxCalls : 1;
  const picked: CallRef[] = [];
  for (let x = 0; Math.floor(x) < total && picked.length < maxCalls; x += step) picked.push(refs[Math.floor(x)]!);
  const cache = termCacheOf(store);
  await fillTermCache(store, cache, picked);
  const terms = new Int32Array(cache.vocabularySize);
  const phrases = new Int32Array(cache.vocabularySize);
  // A call deleted (or re-indexed with other text) since refs is not counted.
  const calls = cache.countInto(picked, role, terms, phrases);
  const named = (counts: Int32Array) => {
    const out = new Map<string, number>();
    counts.forEach((c, n) => {
      if (c > 0) out.set(cache.word(n), c);
    });
    return out;
  };
  return { calls, total, terms: named(terms), phrases: named(phrases) };
}
