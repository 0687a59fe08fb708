import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallDoc } from '../../core/schemas.ts';
import type { Filter } from '../../indexer/query-model.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { tempDir } from '../helpers.ts';

/**
 * The newest-first text scan on more calls than one candidate batch (256), several calls per
 * minute, calls without a recording time, written in random time order. Expected pages are worked
 * out here from the generated calls (plain filter and sort), never by a store.
 */
type Spec = { id: string; recordedMs: number | null; complains: boolean; apologises: boolean; product: string; branch: string };
const BASE = Date.parse('2026-03-01T00:00:00Z');
const specs: Spec[] = Array.from({ length: 600 }, (_, i) => ({
  id: `t${String(i).padStart(3, '0')}`,
  // (i × 7919) mod 600 scatters the times; / 3 puts three calls in most minutes, with seconds apart.
  recordedMs: i % 50 === 7 ? null : BASE + Math.floor(((i * 7919) % 600) / 3) * 60_000 + (i % 3) * 10_000,
  complains: i % 2 === 0,
  apologises: i % 3 === 0,
  product: i % 4 === 0 ? '信用卡' : '理财',
  branch: i % 5 === 0 ? '上海分行' : '北京分行',
}));

function doc(s: Spec): CallDoc {
  const texts: Array<['agent' | 'customer', string]> = [['agent', '您好请问有什么可以帮您']];
  if (s.complains) texts.push(['customer', '你们这样我要投诉']);
  if (s.apologises) texts.push(['agent', '非常抱歉给您带来不便']);
  return {
    id: s.id,
    status: 'ok',
    ingestedAt: '2026-04-01T00:00:00.000Z',
    recordedAt: s.recordedMs === null ? null : new Date(s.recordedMs).toISOString(),
    durationSec: 60,
    language: 'zh',
    source: { file: `${s.id}.wav`, sha256: s.id, kind: 'audio' },
    meta: { branch: s.branch, product: s.product, custom: {} },
    transcriptSource: 'vendor:test',
    segments: texts.map(([role, text], i) => ({ id: `s${i}`, role, start: i * 5, end: i * 5 + 4, text, textMasked: text, tokens: [], hits: [] })),
    speech: [],
    acoustics: null,
    nlp: null,
    scores: [],
    warnings: [],
    versions: {},
  } as CallDoc;
}

/** Newest recording first, calls without one last, ties by id: the query model's default order. */
const newestFirst = (xs: Spec[]) =>
  [...xs].sort((a, b) => (b.recordedMs ?? -Infinity) - (a.recordedMs ?? -Infinity) || (a.id < b.id ? -1 : 1)).map((s) => s.id);

// With the DuckDB mirror, the scan takes only cheap filters (the rest go to the mirror); SQLite-only, it takes all.
describe.each(['duckdb', 'sqlite'] as const)('newest-first text scan (analytics: %s)', (analytics) => {
  const tmp = tempDir('callscope-scan-');
  let store: SqliteCallStore;
  beforeAll(async () => {
    store = new SqliteCallStore(path.join(tmp.dir, 'index.sqlite'), { index: searchTokens, query: tokenize }, { analytics });
    // Three batches in the generated (random time) order.
    for (let i = 0; i < specs.length; i += 250) await store.putMany(specs.slice(i, i + 250).map((s) => ({ doc: doc(s), docHash: s.id })));
  });
  afterAll(async () => {
    await store.close();
    tmp.cleanup();
  });

  const allPages = async (filter: Filter, size: number) => {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.query({ filter, size, ...(after ? { after } : {}) });
      ids.push(...page.items.map((h) => h.call.id));
      if (!page.next) return { ids, total: page.total };
      after = page.next;
    }
  };

  it.each<[string, Filter, (s: Spec) => boolean]>([
    ['one word', { text: { words: '投诉', role: 'customer' } }, (s) => s.complains],
    // 400 text candidates: two batches of checks on the fact table.
    ['or, with a product (batched checks on the fact table)', { text: { or: [{ words: '投诉' }, { words: '抱歉' }] }, terms: { product: ['信用卡'] } }, (s) => (s.complains || s.apologises) && s.product === '信用卡'],
    ['and not, with a branch (read once from its index)', { text: { and: [{ words: '投诉' }, { not: { words: '抱歉' } }] }, terms: { branch: ['上海分行'] } }, (s) => s.complains && !s.apologises && s.branch === '上海分行'],
    [
      'a recording-time range',
      { text: { words: '抱歉' }, dates: { recordedAt: { gte: '2026-03-01T01:00:00Z', lt: '2026-03-01T02:30:00Z' } } },
      (s) => s.apologises && s.recordedMs !== null && s.recordedMs >= BASE + 3_600_000 && s.recordedMs < BASE + 9_000_000,
    ],
  ])('%s: every page by cursor, and offsets, in the expected order', async (_, filter, keep) => {
    const expected = newestFirst(specs.filter(keep));
    expect(expected.length).toBeGreaterThan(10);
    const paged = await allPages(filter, 37);
    expect(paged.ids).toEqual(expected);
    expect(paged.total).toBe(expected.length);
    const offset = await store.query({ filter, size: 20, offset: 40 });
    expect(offset.items.map((h) => h.call.id)).toEqual(expected.slice(40, 60));
  });

  it('counts up to trackTotalHits and says "at least" beyond it, with the same page', async () => {
    const expected = newestFirst(specs.filter((s) => s.complains));
    const page = await store.query({ filter: { text: { words: '投诉' } }, size: 10, trackTotalHits: 100 });
    expect([page.total, page.totalRelation]).toEqual([100, 'gte']);
    expect(page.items.map((h) => h.call.id)).toEqual(expected.slice(0, 10));
    const exact = await store.query({ filter: { text: { words: '投诉' } }, size: 10, trackTotalHits: true });
    expect([exact.total, exact.totalRelation]).toEqual([expected.length, 'eq']);
  });
});
