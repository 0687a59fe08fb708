import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallStore } from '../../indexer/call-store.ts';
import type { AggResult, Filter, StoreQuery } from '../../indexer/query-model.ts';
import { contractCalls } from './store-fixtures.ts';

/**
 * The behaviour every CallStore engine must show, on the six calls of store-fixtures.ts (whose
 * header table is where each expected value comes from). Run by one test file per engine.
 */
export type OpenedStore = { store: CallStore; cleanup(): Promise<void> };

const sorted = (ids: string[]) => [...ids].sort();
const shanghaiMidnight = (date: string) => Date.parse(`${date}T00:00:00+08:00`);

export function callStoreContract(engine: string, open: () => Promise<OpenedStore>): void {
  describe(`CallStore contract: ${engine}`, () => {
    let opened: OpenedStore;
    let store: CallStore;
    const ids = async (filter: Filter, extra: Partial<StoreQuery> = {}) =>
      sorted((await store.query({ filter, size: 50, ...extra })).items.map((h) => h.call.id));
    const agg = async (filter: Filter, a: unknown): Promise<AggResult> =>
      (await store.aggregate({ filter, aggs: { a } } as Parameters<CallStore['aggregate']>[0])).aggs.a!;
    const terms = (r: AggResult) => (r.type === 'terms' ? r.buckets.map((b) => [b.key, b.count]) : []);

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      await store.putMany(contractCalls.map((doc) => ({ doc, docHash: `hash-${doc.id}` })));
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    describe('documents', () => {
      it('get returns the document put, docHash its hash, counts the ok and failed calls', async () => {
        expect(await store.get('c2')).toEqual(contractCalls[1]);
        expect(await store.docHash('c2')).toBe('hash-c2');
        expect(await store.get('nope')).toBeNull();
        expect(await store.counts()).toEqual({ calls: 6, failed: 1 });
      });

      it('put replaces, delete removes, and both are visible to queries', async () => {
        const extra = { ...contractCalls[0]!, id: 'c7', meta: { ...contractCalls[0]!.meta, branch: '深圳分行' } };
        await store.put(extra, 'h7');
        expect(await ids({ terms: { branch: ['深圳分行'] } })).toEqual(['c7']);
        await store.put({ ...extra, meta: { ...extra.meta, branch: '杭州分行' } }, 'h7b');
        expect(await ids({ terms: { branch: ['深圳分行'] } })).toEqual([]);
        expect(await store.docHash('c7')).toBe('h7b');
        await store.delete('c7');
        expect(await store.get('c7')).toBeNull();
        expect(await ids({ text: { words: '信用卡年费' } })).toEqual(['c1']);
        expect(await store.counts()).toEqual({ calls: 6, failed: 1 });
      });
    });

    describe('refs (ids, recording times and text hashes without documents)', () => {
      it('lists the calls a filter keeps, oldest recording first', async () => {
        const all = await store.refs({});
        // c1 03-02 02:00Z, c2 03-02 23:00Z, c5 03-05 04:00Z, c3 03-09, c4 03-16, c6 04-01 (store-fixtures table).
        expect(all.map((r) => r.id)).toEqual(['c1', 'c2', 'c5', 'c3', 'c4', 'c6']);
        expect(all[0]!.recordedMs).toBe(Date.parse('2026-03-02T10:00:00+08:00'));
        expect((await store.refs({ terms: { branch: ['北京分行'] } })).map((r) => r.id)).toEqual(['c3', 'c4']);
        expect((await store.refs({ text: { words: '信用卡年费' } })).map((r) => r.id)).toEqual(['c1']);
        expect(await store.refs({ terms: { branch: ['无此分行'] } })).toEqual([]);
      });

      it('the text hash follows the segment text only', async () => {
        const hashOf = async (id: string) => (await store.refs({ ids: [id] }))[0]!.textHash;
        const c1 = contractCalls[0]!;
        const copy = { ...c1, id: 'c9', meta: { ...c1.meta, branch: '西安分行' } };
        await store.put(copy, 'h9');
        expect(await hashOf('c9')).toBe(await hashOf('c1'));
        await store.put({ ...copy, segments: copy.segments.map((s, i) => (i === 0 ? { ...s, text: '别的话', textMasked: '别的话' } : s)) }, 'h9b');
        expect(await hashOf('c9')).not.toBe(await hashOf('c1'));
        await store.delete('c9');
        expect(await store.refs({ ids: ['c9'] })).toEqual([]);
      });
    });

    describe('grades beside documents (putGrades)', () => {
      // c8: c1 in a branch of its own, so the other cases never see it; its grade is rewritten by hand below.
      const c8 = { ...contractCalls[0]!, id: 'c8', meta: { ...contractCalls[0]!.meta, branch: '成都分行' } };
      const failing = [{ ...c8.scores[0]!, version: '2', total: 30, passed: false, vetoed: true, items: c8.scores[0]!.items.map((i) => (i.checkpointId === 'greeting' ? { ...i, passed: false } : i)) }];
      const inChengdu = { terms: { branch: ['成都分行'] } } satisfies Filter;

      it('replace the grades of a call built from the same inputs: get, filters and aggregations see them', async () => {
        await store.put(c8, 'base8.g1');
        expect(await store.putGrades([{ id: 'c8', baseHash: 'base8', docHash: 'base8.g2', scores: failing, scoreVersion: 'card@2' }, { id: 'absent', baseHash: 'base8', docHash: 'base8.g2', scores: failing, scoreVersion: 'card@2' }])).toEqual(['absent']);
        const doc = await store.get('c8');
        expect(doc!.scores).toEqual(failing);
        expect(doc!.versions.score).toBe('card@2');
        expect(doc!.segments).toEqual(c8.segments);
        expect(await store.docHash('c8')).toBe('base8.g2');
        expect(await ids({ ...inChengdu, ranges: { score: { lte: 35 } } })).toEqual(['c8']);
        expect(await ids({ ...inChengdu, booleans: { vetoed: true } })).toEqual(['c8']);
        expect(await ids({ ...inChengdu, checkpoints: [{ checkpointId: 'greeting', outcome: ['failed'] }] })).toEqual(['c8']);
        expect(await ids({ ...inChengdu, checkpoints: [{ checkpointId: 'greeting', outcome: ['passed'] }] })).toEqual([]);
        const stats = await agg(inChengdu, { type: 'stats', field: 'score' });
        expect(stats.type === 'stats' && [stats.count, stats.min, stats.max]).toEqual([1, 30, 30]);
      });

      it('leave a call built from other inputs alone and name it; a whole put replaces the grades again; delete removes them', async () => {
        expect(await store.putGrades([{ id: 'c8', baseHash: 'other', docHash: 'other.g9', scores: [], scoreVersion: 'card@9' }])).toEqual(['c8']);
        expect(await store.docHash('c8')).toBe('base8.g2');
        await store.put(c8, 'base8.g3');
        expect((await store.get('c8'))!.scores).toEqual(c8.scores);
        expect(await ids({ ...inChengdu, checkpoints: [{ checkpointId: 'greeting', outcome: ['passed'] }] })).toEqual(['c8']);
        await store.delete('c8');
        expect(await store.get('c8')).toBeNull();
        expect(await store.counts()).toEqual({ calls: 6, failed: 1 });
      });
    });

    describe('full text over masked segments', () => {
      it.each<[string, Filter['text'], string[]]>([
        ['a word said by anyone', { words: '投诉' }, ['c2', 'c3', 'c4']],
        ['customer said X', { words: '投诉', role: 'customer' }, ['c2', 'c4']],
        ['agent said X', { words: '投诉', role: 'agent' }, ['c3']],
        ['a sub-word of a dictionary word (信用卡年费 → 年费)', { words: '年费' }, ['c1', 'c6']],
        ['all words in one segment', { words: '年费 减免' }, ['c6']],
        ['words split over two segments do not match', { words: '违约金 投诉' }, []],
        ['a phrase: words in order', { phrase: '年费减免' }, ['c6']],
        ['a phrase in another order does not match', { phrase: '减免 年费' }, []],
        ['AND at call level', { and: [{ words: '投诉', role: 'customer' }, { words: '违约金' }] }, ['c2']],
        ['OR', { or: [{ words: '违约金' }, { words: '额度' }] }, ['c2', 'c3']],
        ['NOT: customer complained and the agent never apologised', { and: [{ words: '投诉', role: 'customer' }, { not: { words: '抱歉', role: 'agent' } }] }, ['c2']],
      ])('%s', async (_, text, expected) => {
        expect(await ids({ text })).toEqual(expected);
      });

      it('returns the segments that matched, not the others', async () => {
        const page = await store.query({ filter: { text: { phrase: '年费减免' } } });
        expect(page.items[0]!.matches.map((m) => [m.segmentId, m.role, m.text])).toEqual([['s1', 'agent', '可以为您申请年费减免']]);
      });

      it('text without words is a BAD_REQUEST', async () => {
        await expect(store.query({ filter: { text: { words: '，。！' } } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      });

      it('the legacy search keeps its shape (role filter, all words in one segment)', async () => {
        const res = await store.search({ q: '投诉', role: 'customer', limit: 50, offset: 0 });
        expect(res.total).toBe(2);
        expect(sorted(res.items.map((h) => h.call.id))).toEqual(['c2', 'c4']);
        expect(res.items.find((h) => h.call.id === 'c2')!.matches.map((m) => m.segmentId)).toEqual(['s2']);
      });
    });

    describe('filters', () => {
      it.each<[string, Filter, string[]]>([
        ['a metadata field', { terms: { branch: ['上海分行'] } }, ['c1', 'c2']],
        ['several values of one field', { terms: { product: ['理财', '个人贷款'] } }, ['c2', 'c4']],
        ['status', { terms: { status: ['failed'] } }, ['c5']],
        ['agent and team', { terms: { agentId: ['A3'], team: ['T2'] } }, ['c3', 'c4']],
        ['tags: any', { tags: { any: ['fee.annual', 'wealth.loss'] } }, ['c1', 'c4']],
        ['tags: all', { tags: { all: ['fee.installment', 'service.attitude'] } }, ['c2']],
        ['tags: none', { tags: { none: ['fee.annual', 'card.limit'] }, terms: { status: ['ok'] } }, ['c2', 'c4', 'c6']],
        ['flags', { flags: { any: ['complaint_threat'] } }, ['c2', 'c4']],
        ['checkpoint failed', { checkpoints: [{ checkpointId: 'greeting', outcome: ['failed'] }] }, ['c2']],
        ['checkpoint not applicable', { checkpoints: [{ checkpointId: 'empathy', outcome: ['not_applicable'] }] }, ['c3']],
        ['two checkpoints', { checkpoints: [{ checkpointId: 'greeting', outcome: ['passed'] }, { checkpointId: 'empathy', outcome: ['failed'] }] }, ['c4']],
        ['score range', { ranges: { score: { gte: 60 } } }, ['c1', 'c3', 'c6']],
        ['score range both ends', { ranges: { score: { gt: 40, lt: 88 } } }, ['c2', 'c3']],
        // Bounds past what a 64-bit integer holds (an "unbounded" range) keep every scored call.
        ['score range with extreme bounds', { ranges: { score: { gte: -Number.MAX_VALUE, lte: Number.MAX_VALUE } } }, ['c1', 'c2', 'c3', 'c4', 'c6']],
        ['passed', { booleans: { passed: false } }, ['c2', 'c4']],
        ['vetoed', { booleans: { vetoed: true } }, ['c4']],
        ['customer emotion at the end', { terms: { customerEmotionEnd: ['angry', 'sad'] } }, ['c2', 'c4']],
        ['dates are instants (03-03 07:00 in Shanghai is 03-02 in UTC)', { dates: { recordedAt: { gte: '2026-03-03T00:00:00+08:00', lt: '2026-03-10T00:00:00+08:00' } } }, ['c2', 'c3', 'c5']],
        ['a bare date is a Shanghai day', { dates: { recordedAt: { gte: '2026-03-03', lt: '2026-03-05' } } }, ['c2']],
        ['a custom string field', { custom: { queue: ['Q1'] } }, ['c1', 'c3']],
        ['a custom number range', { custom: { waitSec: { gte: 60 } } }, ['c2']],
        ['a custom boolean', { custom: { vip: [true] } }, ['c1']],
        ['not', { not: [{ terms: { branch: ['上海分行'] } }] }, ['c3', 'c4', 'c5', 'c6']],
        ['ids', { ids: ['c6', 'c1', 'zz'] }, ['c1', 'c6']],
        ['text and metadata together', { text: { words: '投诉' }, terms: { branch: ['北京分行'] } }, ['c3', 'c4']],
        ['text and a checkpoint outcome', { text: { words: '投诉' }, checkpoints: [{ checkpointId: 'greeting', outcome: ['failed'] }] }, ['c2']],
        ['text, tags none and flags any', { text: { words: '投诉' }, tags: { none: ['wealth.loss'] }, flags: { any: ['complaint_threat'] } }, ['c2']],
        ['text with a not holding text', { text: { words: '投诉' }, not: [{ text: { words: '违约金' } }] }, ['c3', 'c4']],
      ])('%s', async (_, filter, expected) => {
        expect(await ids(filter)).toEqual(expected);
      });

      it.each<[string, unknown]>([
        ['an unknown field', { terms: { colour: ['red'] } }],
        ['an empty range', { ranges: { score: {} } }],
        ['a date that is not one', { dates: { recordedAt: { gte: 'yesterday' } } }],
        ['a custom key with a quote', { custom: { 'a"b': ['x'] } }],
      ])('refuses %s with BAD_REQUEST', async (_, filter) => {
        await expect(store.query({ filter } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      });
    });

    describe('sorting and paging', () => {
      it('sorts by score, missing values last, and pages with a cursor', async () => {
        const seen: string[][] = [];
        let after: string | undefined;
        for (let i = 0; i < 4; i++) {
          const page = await store.query({ sort: [{ field: 'score', order: 'desc' }], size: 2, ...(after ? { after } : {}) });
          expect(page.total).toBe(6);
          seen.push(page.items.map((h) => h.call.id));
          if (!page.next) break;
          after = page.next;
        }
        expect(seen).toEqual([['c1', 'c6'], ['c3', 'c2'], ['c4', 'c5']]);
      });

      it('sorts by recording time ascending, and by offset', async () => {
        const page = await store.query({ sort: [{ field: 'recordedAt', order: 'asc' }], size: 3, offset: 2 });
        expect(page.items.map((h) => h.call.id)).toEqual(['c5', 'c3', 'c4']);
      });

      it('newest first by default; the legacy list keeps its filters', async () => {
        expect((await store.query({ size: 2 })).items.map((h) => h.call.id)).toEqual(['c6', 'c4']);
        const list = await store.list({ branch: '上海分行', minScore: 50, limit: 50, offset: 0 });
        expect(list.items.map((d) => d.id)).toEqual(['c2', 'c1']);
      });

      it('text results newest first, paged by cursor and by offset, with and without other conditions', async () => {
        const pages: string[][] = [];
        let after: string | undefined;
        for (let i = 0; i < 4; i++) {
          const page = await store.query({ filter: { text: { words: '投诉' } }, size: 1, ...(after ? { after } : {}) });
          expect([page.total, page.totalRelation]).toEqual([3, 'eq']);
          pages.push(page.items.map((h) => h.call.id));
          if (!page.next) break;
          after = page.next;
        }
        expect(pages).toEqual([['c4'], ['c3'], ['c2']]);
        expect((await store.query({ filter: { text: { words: '投诉' } }, size: 2, offset: 1 })).items.map((h) => h.call.id)).toEqual(['c3', 'c2']);
        const narrowed = await store.query({ filter: { text: { or: [{ words: '投诉' }, { words: '年费' }] }, dates: { recordedAt: { gte: '2026-03-02', lt: '2026-03-10' } }, terms: { product: ['信用卡', '个人贷款'] } } });
        expect(narrowed.items.map((h) => h.call.id)).toEqual(['c3', 'c2', 'c1']);
      });

      it('calls recorded in the same minute are ordered by their exact time, then id; a re-put that moves a call in time moves it in the results', async () => {
        const base = contractCalls[2]!; // c3: '投诉' said by the agent
        const at = (id: string, recordedAt: string | null) => ({ ...base, id, recordedAt, meta: { ...base.meta, branch: '深圳分行' } });
        await store.putMany([
          { doc: at('u2', null), docHash: 'u2' },
          { doc: at('u1', null), docHash: 'u1' },
          { doc: at('m2', '2026-05-01T10:00:30+08:00'), docHash: 'm2' },
          { doc: at('m1', '2026-05-01T10:00:30+08:00'), docHash: 'm1' },
          { doc: at('m3', '2026-05-01T10:00:59+08:00'), docHash: 'm3' },
          { doc: at('m0', '2026-05-01T10:00:01+08:00'), docHash: 'm0' },
        ]);
        try {
          const text = { words: '投诉', role: 'agent' as const };
          // Calls without a recording time come last (missing values last), by id.
          expect((await store.query({ filter: { text }, size: 10 })).items.map((h) => h.call.id)).toEqual(['m3', 'm1', 'm2', 'm0', 'c3', 'u1', 'u2']);
          const first = await store.query({ filter: { text }, size: 2 });
          expect((await store.query({ filter: { text }, size: 10, after: first.next! })).items.map((h) => h.call.id)).toEqual(['m2', 'm0', 'c3', 'u1', 'u2']);
          const sixth = await store.query({ filter: { text }, size: 6 });
          expect((await store.query({ filter: { text }, size: 10, after: sixth.next! })).items.map((h) => h.call.id)).toEqual(['u2']);
          await store.put(at('m3', '2026-03-01T08:00:00+08:00'), 'm3b');
          await store.put(at('u2', '2026-03-01T09:00:00+08:00'), 'u2b');
          expect((await store.query({ filter: { text }, size: 10 })).items.map((h) => h.call.id)).toEqual(['m1', 'm2', 'm0', 'c3', 'u2', 'm3', 'u1']);
          expect(await ids({ terms: { branch: ['深圳分行'] } })).toEqual(['m0', 'm1', 'm2', 'm3', 'u1', 'u2']);
        } finally {
          for (const id of ['m0', 'm1', 'm2', 'm3', 'u1', 'u2']) await store.delete(id);
        }
        expect(await ids({ text: { words: '投诉' } })).toEqual(['c2', 'c3', 'c4']);
      });

      it('putMany: the last version of an id in one batch wins, whatever its recording time', async () => {
        const base = contractCalls[2]!;
        const v = (recordedAt: string | null, branch: string) => ({ doc: { ...base, id: 'p1', recordedAt, meta: { ...base.meta, branch } }, docHash: branch });
        await store.putMany([v('2026-06-01T10:00:00+08:00', '深圳分行'), v(null, '杭州分行'), v('2026-02-01T10:00:00+08:00', '南京分行')]);
        try {
          expect(await ids({ terms: { branch: ['深圳分行', '杭州分行', '南京分行'] } })).toEqual(['p1']);
          expect((await store.get('p1'))!.meta.branch).toBe('南京分行');
          expect((await store.query({ filter: { text: { words: '投诉', role: 'agent' } } })).items.map((h) => h.call.id)).toEqual(['c3', 'p1']);
        } finally {
          await store.delete('p1');
        }
      });

      it('total is exact up to trackTotalHits, then "at least" (totalRelation gte)', async () => {
        const text = { text: { words: '投诉' } }; // c2 c3 c4
        expect(await store.query({ filter: text })).toMatchObject({ total: 3, totalRelation: 'eq' });
        expect(await store.query({ filter: text, trackTotalHits: 3 })).toMatchObject({ total: 3, totalRelation: 'eq' });
        const capped = await store.query({ filter: text, trackTotalHits: 2, size: 10 });
        expect([capped.total, capped.totalRelation, capped.items.length]).toEqual([2, 'gte', 3]);
        expect(await store.query({ filter: text, trackTotalHits: true })).toMatchObject({ total: 3, totalRelation: 'eq' });
        expect(await store.query({ filter: { terms: { status: ['ok'] } }, trackTotalHits: 4 })).toMatchObject({ total: 4, totalRelation: 'gte' });
        expect(await store.query({ filter: text, sort: [{ field: 'score', order: 'asc' }], trackTotalHits: 1 })).toMatchObject({ total: 1, totalRelation: 'gte' });
      });

      it('a cursor that is not one is a BAD_REQUEST', async () => {
        await expect(store.query({ after: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      });
    });

    describe('aggregations', () => {
      it('terms: count descending, then key', async () => {
        const r = await store.aggregate({ aggs: { branches: { type: 'terms', field: 'branch' } } });
        expect(r.total).toBe(6);
        expect(terms(r.aggs.branches!)).toEqual([['上海分行', 2], ['北京分行', 2], ['广州分行', 2]]);
      });

      it('terms keeps `size` buckets and counts the rest', async () => {
        const r = await agg({}, { type: 'terms', field: 'product', size: 1 });
        expect(r).toMatchObject({ type: 'terms', buckets: [{ key: '信用卡', count: 3 }], otherCount: 2 });
      });

      it('terms over multi-valued tags, checkpoints and custom fields', async () => {
        expect(terms(await agg({ flags: { any: ['complaint_threat'] } }, { type: 'terms', field: 'tags' }))).toEqual([
          ['fee.installment', 1],
          ['service.attitude', 1],
          ['wealth.loss', 1],
        ]);
        expect(terms(await agg({}, { type: 'terms', field: 'checkpoint:empathy' }))).toEqual([['failed', 2], ['passed', 2], ['not_applicable', 1]]);
        expect(terms(await agg({}, { type: 'terms', field: 'custom:queue' }))).toEqual([['Q1', 2], ['Q2', 1]]);
      });

      it('date histogram by day in Asia/Shanghai (the default) differs from UTC where it should', async () => {
        const r = await agg({}, { type: 'date_histogram', interval: 'day' });
        expect(r.type === 'date_histogram' && r.buckets.map((b) => [b.keyAsString, b.count])).toEqual([
          ['2026-03-02', 1], ['2026-03-03', 1], ['2026-03-05', 1], ['2026-03-09', 1], ['2026-03-16', 1], ['2026-04-01', 1],
        ]);
        expect(r.type === 'date_histogram' && r.buckets[0]!.key).toBe(shanghaiMidnight('2026-03-02'));
        const utc = await agg({}, { type: 'date_histogram', interval: 'day', timeZone: 'UTC' });
        expect(utc.type === 'date_histogram' && utc.buckets.slice(0, 2).map((b) => [b.keyAsString, b.count])).toEqual([['2026-03-02', 2], ['2026-03-05', 1]]);
      });

      it('date histogram by Monday weeks and by months', async () => {
        const weeks = await agg({}, { type: 'date_histogram', interval: 'week' });
        expect(weeks.type === 'date_histogram' && weeks.buckets.map((b) => [b.keyAsString, b.count])).toEqual([
          ['2026-03-02', 3], ['2026-03-09', 1], ['2026-03-16', 1], ['2026-03-30', 1],
        ]);
        const months = await agg({}, { type: 'date_histogram', interval: 'month' });
        expect(months.type === 'date_histogram' && months.buckets.map((b) => [b.key, b.count])).toEqual([
          [shanghaiMidnight('2026-03-01'), 5], [shanghaiMidnight('2026-04-01'), 1],
        ]);
      });

      it('stats and percentiles of the score (calls without a score are left out)', async () => {
        expect(await agg({}, { type: 'stats', field: 'score' })).toEqual({ type: 'stats', count: 5, min: 40, max: 90, avg: 69.6, sum: 348, sumOfSquares: 90 ** 2 + 55 ** 2 + 75 ** 2 + 40 ** 2 + 88 ** 2 });
        const p = await agg({}, { type: 'percentiles', field: 'score', percents: [50] });
        expect(p.type === 'percentiles' && p.values['50']).toBeCloseTo(75, 0);
        expect(await agg({ terms: { status: ['failed'] } }, { type: 'stats', field: 'score' })).toEqual({ type: 'stats', count: 0, min: null, max: null, avg: null, sum: 0, sumOfSquares: 0 });
      });

      it('percentiles per branch and per month (interpolated between closest ranks)', async () => {
        const byBranch = await agg({}, { type: 'terms', field: 'branch', aggs: { p: { type: 'percentiles', field: 'score', percents: [50] } } });
        expect(byBranch.type === 'terms' && byBranch.buckets.map((b) => [b.key, b.aggs.p!.type === 'percentiles' && b.aggs.p!.values['50']])).toEqual([
          ['上海分行', 72.5],
          ['北京分行', 57.5],
          ['广州分行', 88],
        ]);
        const byMonth = await agg({}, { type: 'date_histogram', interval: 'month', aggs: { p: { type: 'percentiles', field: 'score', percents: [50] } } });
        expect(byMonth.type === 'date_histogram' && byMonth.buckets.map((b) => [b.keyAsString, b.aggs.p!.type === 'percentiles' && b.aggs.p!.values['50']])).toEqual([
          ['2026-03-01', 65],
          ['2026-04-01', 88],
        ]);
      });

      it('filtered sub-aggregations under terms (root cause: complaint threats per branch)', async () => {
        const r = await agg({}, { type: 'terms', field: 'branch', aggs: { threats: { type: 'filter', filter: { flags: { any: ['complaint_threat'] } } }, score: { type: 'stats', field: 'score' } } });
        expect(r.type === 'terms' && r.buckets.map((b) => [b.key, b.count, b.aggs.threats!.type === 'filter' && b.aggs.threats!.count, b.aggs.score!.type === 'stats' && b.aggs.score!.avg])).toEqual([
          ['上海分行', 2, 1, 72.5],
          ['北京分行', 2, 1, 57.5],
          ['广州分行', 2, 0, 88],
        ]);
      });

      it('one aggregation name (and one object) used under several parents counts in each place', async () => {
        // The same sub-aggregation object reused, as analytics code builds requests: one per parent.
        const threats = { type: 'filter', filter: { flags: { any: ['complaint_threat'] } } } as const;
        const score = { type: 'stats', field: 'score' } as const;
        const r = await store.aggregate({
          aggs: {
            threats,
            byBranch: { type: 'terms', field: 'branch', aggs: { threats, score } },
            byProduct: { type: 'terms', field: 'product', aggs: { threats, score, byBranch: { type: 'terms', field: 'branch', aggs: { threats } } } },
            byMonth: { type: 'date_histogram', interval: 'month', aggs: { threats: { ...threats, aggs: { score } } } },
          },
        });
        const count = (a: AggResult | undefined) => (a?.type === 'filter' ? a.count : -1);
        const avg = (a: AggResult | undefined) => (a?.type === 'stats' ? a.avg : -1);
        expect(count(r.aggs.threats)).toBe(2);
        const byBranch = r.aggs.byBranch!;
        expect(byBranch.type === 'terms' && byBranch.buckets.map((b) => [b.key, count(b.aggs.threats), avg(b.aggs.score)])).toEqual([
          ['上海分行', 1, 72.5],
          ['北京分行', 1, 57.5],
          ['广州分行', 0, 88],
        ]);
        const byProduct = r.aggs.byProduct!;
        expect(
          byProduct.type === 'terms' &&
            byProduct.buckets.map((b) => [b.key, count(b.aggs.threats), avg(b.aggs.score), b.aggs.byBranch!.type === 'terms' && b.aggs.byBranch!.buckets.map((bb) => [bb.key, count(bb.aggs.threats)])]),
        ).toEqual([
          ['信用卡', 0, (90 + 75 + 88) / 3, [['上海分行', 0], ['北京分行', 0], ['广州分行', 0]]],
          ['个人贷款', 1, 55, [['上海分行', 1]]],
          ['理财', 1, 40, [['北京分行', 1]]],
        ]);
        const byMonth = r.aggs.byMonth!;
        expect(
          byMonth.type === 'date_histogram' &&
            byMonth.buckets.map((b) => [b.keyAsString, count(b.aggs.threats), b.aggs.threats!.type === 'filter' && avg(b.aggs.threats!.aggs.score)]),
        ).toEqual([
          ['2026-03-01', 2, 47.5],
          ['2026-04-01', 0, null],
        ]);
      });

      it('terms under a monthly histogram (trend per product)', async () => {
        const r = await agg({ terms: { status: ['ok'] } }, { type: 'date_histogram', interval: 'month', aggs: { products: { type: 'terms', field: 'product' } } });
        expect(r.type === 'date_histogram' && r.buckets.map((b) => [b.keyAsString, terms(b.aggs.products!)])).toEqual([
          ['2026-03-01', [['信用卡', 2], ['个人贷款', 1], ['理财', 1]]],
          ['2026-04-01', [['信用卡', 1]]],
        ]);
      });

      it('aggregates only what the text filter keeps', async () => {
        const r = await store.aggregate({ filter: { text: { words: '投诉', role: 'customer' } }, aggs: { b: { type: 'terms', field: 'branch' } } });
        expect(r.total).toBe(2);
        expect(terms(r.aggs.b!)).toEqual([['上海分行', 1], ['北京分行', 1]]);
      });

      it('sees puts, re-puts and deletes made after an earlier aggregation', async () => {
        const branches = async () => terms(await agg({}, { type: 'terms', field: 'branch' }));
        expect(await branches()).toEqual([['上海分行', 2], ['北京分行', 2], ['广州分行', 2]]);
        const extra = { ...contractCalls[2]!, id: 'c8', meta: { ...contractCalls[2]!.meta, branch: '深圳分行' } };
        await store.put(extra, 'h8');
        expect(await branches()).toEqual([['上海分行', 2], ['北京分行', 2], ['广州分行', 2], ['深圳分行', 1]]);
        await store.put({ ...contractCalls[0]!, meta: { ...contractCalls[0]!.meta, branch: '深圳分行' } }, 'h1b');
        expect(await branches()).toEqual([['北京分行', 2], ['广州分行', 2], ['深圳分行', 2], ['上海分行', 1]]);
        expect(terms(await agg({ terms: { branch: ['深圳分行'] } }, { type: 'terms', field: 'tags' }))).toEqual([['card.limit', 1], ['fee.annual', 1]]);
        await store.put(contractCalls[0]!, 'hash-c1');
        await store.delete('c8');
        expect(await branches()).toEqual([['上海分行', 2], ['北京分行', 2], ['广州分行', 2]]);
      });

      it('refuses an unknown aggregation field with BAD_REQUEST', async () => {
        await expect(agg({}, { type: 'stats', field: 'colour' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      });
    });

    describe('kNN over call embeddings', () => {
      it('nearest by cosine, with the similarity', async () => {
        const hits = await store.knn({ vector: [1, 0, 0], k: 10 });
        expect(hits.map((h) => h.call.id)).toEqual(['c1', 'c3', 'c6', 'c2', 'c4']);
        expect(hits[0]!.similarity).toBeCloseTo(1, 4);
        expect(hits[1]!.similarity).toBeCloseTo(0.9 / Math.sqrt(0.82), 4);
        expect(hits[4]!.similarity).toBeCloseTo(-0.1 / Math.sqrt(1.01), 4);
      });

      it('k and filters', async () => {
        expect((await store.knn({ vector: [1, 0, 0], k: 2 })).map((h) => h.call.id)).toEqual(['c1', 'c3']);
        expect((await store.knn({ vector: [1, 0, 0], k: 2, filter: { terms: { branch: ['北京分行'] } } })).map((h) => h.call.id)).toEqual(['c3', 'c4']);
        expect((await store.knn({ vector: [0, 1, 0], k: 1, filter: { booleans: { passed: true } } })).map((h) => h.call.id)).toEqual(['c6']);
      });

      it('the exact scan and the approximate index (after warm, reading one list) answer the same', async () => {
        await store.warm?.();
        for (const approach of [{ exact: true }, { nprobe: 1 }]) {
          expect((await store.knn({ vector: [1, 0, 0], k: 10, ...approach })).map((h) => h.call.id)).toEqual(['c1', 'c3', 'c6', 'c2', 'c4']);
          // Pre-filter: k hits whenever k calls match, every one inside the filter.
          expect((await store.knn({ vector: [0, 1, 0], k: 2, filter: { terms: { branch: ['北京分行'] } }, ...approach })).map((h) => h.call.id)).toEqual(['c3', 'c4']);
        }
      });
    });
  });
}
