import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hotTopics, type HotTopic } from '../../analytics/hot-topics.ts';
import { warmTermCache } from '../../analytics/term-discovery.ts';
import type { CallDoc } from '../../core/schemas.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { isStopword } from '../../nlp/stopwords.ts';
import { tempStoreWith } from '../helpers.ts';
import { textCall, type Line } from '../text-call.ts';

const call = (id: string, recordedAt: string, lines: Line[]): CallDoc => textCall(id, recordedAt, lines);

const STOLEN = '我的卡被盗刷了【验证码】'; // content word: 盗刷 only (我 的 被 了 are stop words, 卡 one character)
const FEE = '年费减免怎么办理'; // 年费 减免 办理, phrase 年费减免
const BALANCE = '查询余额'; // the flat control: 查询 余额, phrase 查询余额
const FROZEN = '您的卡已经冻结'; // agent: 冻结
const within = (i: number, [lo, hi]: [number, number]) => i >= lo && i < hi;

/**
 * Every call: the agent greets (您好 高兴 为您服务), the customer asks 我想咨询一下信用卡，手机号是【手机号】.
 * April, 200 calls one minute apart (index = recording order): customer STOLEN [0,60) = 30 %, FEE [60,80),
 * BALANCE [100,200) = 50 %; agent FROZEN [0,40). March, 300 calls: STOLEN [0,6) = 2 %, BALANCE [150,300) = 50 %.
 * G² and p from scipy chi2_contingency(correction=False, lambda_="log-likelihood"):
 * [[60,140],[6,294]] → 87.00182808575568, 1.0842091585750576e-20; [[20,180],[0,300]] → 37.9109583775937;
 * [[40,160],[0,300]] → 78.60840235331221; sampled 100 + 100: [[30,70],[2,98]] → 34.087268693612096, [[10,90],[0,100]] → 14.389502660059355.
 */
function docs(): CallDoc[] {
  const out: CallDoc[] = [];
  const period = (month: string, n: number, customer: Array<[string, [number, number]]>, agent: Array<[string, [number, number]]>) => {
    for (let i = 0; i < n; i++) {
      const lines: Line[] = [['agent', '您好很高兴为您服务'], ['customer', '我想咨询一下信用卡，手机号是【手机号】']];
      for (const [text, r] of customer) if (within(i, r)) lines.push(['customer', text]);
      for (const [text, r] of agent) if (within(i, r)) lines.push(['agent', text]);
      const at = new Date(Date.parse(`2026-${month}-10T00:00:00Z`) + i * 60_000).toISOString();
      out.push(call(`${month}-${String(i).padStart(3, '0')}`, at, lines));
    }
  };
  period('04', 200, [[STOLEN, [0, 60]], [FEE, [60, 80]], [BALANCE, [100, 200]]], [[FROZEN, [0, 40]]]);
  period('03', 300, [[STOLEN, [0, 6]], [BALANCE, [150, 300]]], []);
  return out;
}

const discovered = (topics: HotTopic[]) => topics.filter((t) => t.source === 'terms' || t.source === 'phrases');
const keys = (topics: HotTopic[]) => discovered(topics).map((t) => `${t.source}:${t.key}`);

describe('hot topics: discovered terms and phrases', () => {
  let store: CallStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await tempStoreWith(docs()));
  });
  afterAll(async () => close());

  const request = { current: { from: '2026-04-01', to: '2026-05-01' }, baseline: { from: '2026-03-01', to: '2026-04-01' }, labels: [] };

  it('ranks the planted word first with its call counts, leaves flat words out', async () => {
    const r = await hotTopics(store, { ...request, discover: { role: 'customer' } });
    expect(r.current.calls).toBe(200);
    expect(r.baseline.calls).toBe(300);
    expect(r.sampled).toBeUndefined();
    const [first] = r.topics;
    expect(first).toMatchObject({ source: 'terms', key: '盗刷', role: 'customer', current: { calls: 60, share: 0.3 }, baseline: { calls: 6, share: 0.02 }, new: false });
    expect(first!.g2).toBeCloseTo(87.00182808575568, 9);
    expect(first!.pValue).toBeCloseTo(1.0842091585750576e-20, 25);
    expect(first!.ratio).toBeCloseTo(15, 12);
    // The rest rose from nothing, 20 calls each, same G²: ordered by key.
    expect(keys(r.topics).sort()).toEqual(['phrases:年费减免', 'terms:办理', 'terms:减免', 'terms:年费', 'terms:盗刷'].sort());
    const fee = r.topics.find((t) => t.key === '年费减免')!;
    expect(fee).toMatchObject({ current: { calls: 20 }, baseline: { calls: 0 }, new: true, ratio: Infinity });
    expect(fee.g2).toBeCloseTo(37.9109583775937, 9);
  });

  it('never reports stop words, PII tags or flat words', async () => {
    const r = await hotTopics(store, { ...request, discover: { role: 'customer' }, minCount: 1 });
    for (const t of discovered(r.topics)) {
      expect(isStopword(t.key)).toBe(false);
      expect(t.key).not.toMatch(/验证码|手机号|【|】|^[我的被了]$/);
    }
    expect(keys(r.topics).filter((k) => /余额|查询|信用卡|咨询/.test(k))).toEqual([]);
  });

  it('counts only the requested role', async () => {
    const agent = await hotTopics(store, { ...request, discover: { role: 'agent' } });
    expect(keys(agent.topics)).toEqual(['terms:冻结']);
    expect(agent.topics[0]).toMatchObject({ role: 'agent', current: { calls: 40 }, baseline: { calls: 0 }, new: true });
    expect(agent.topics[0]!.g2).toBeCloseTo(78.60840235331221, 9);
    const customer = await hotTopics(store, { ...request, discover: { role: 'customer' } });
    expect(keys(customer.topics)).not.toContain('terms:冻结');
    const anyone = await hotTopics(store, { ...request, discover: {} });
    expect(keys(anyone.topics)).toEqual(expect.arrayContaining(['terms:冻结', 'terms:盗刷']));
  });

  it('reads a systematic sample beyond the cap and says so', async () => {
    // Cap 100: every 2nd April call (indices 0,2,…: 盗刷 30, 年费减免 10) and every 3rd March call (0,3,…: 盗刷 2).
    const r = await hotTopics(store, { ...request, discover: { role: 'customer', maxCalls: 100, phrases: false } });
    expect(r.sampled).toEqual({ current: 100, baseline: 100 });
    expect(r.current.calls).toBe(200);
    expect(keys(r.topics)[0]).toBe('terms:盗刷');
    expect(r.topics[0]).toMatchObject({ current: { calls: 30, share: 0.3 }, baseline: { calls: 2, share: 0.02 } });
    expect(r.topics[0]!.g2).toBeCloseTo(34.087268693612096, 9);
    expect(r.topics.find((t) => t.key === '年费')).toMatchObject({ current: { calls: 10 }, baseline: { calls: 0 } });
    expect(r.topics.find((t) => t.key === '年费')!.g2).toBeCloseTo(14.389502660059355, 9);
    expect(keys(r.topics).some((k) => k.startsWith('phrases:'))).toBe(false);
  });

  it('discovers nothing unless asked, and honours the filter', async () => {
    await expect(hotTopics(store, request)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const words = await hotTopics(store, { ...request, words: [{ word: '盗刷', role: 'customer' }] });
    expect(words.topics.map((t) => t.source)).toEqual(['words']);
    const none = await hotTopics(store, { ...request, filter: { terms: { branch: ['北京分行'] } }, discover: { role: 'customer' } });
    expect(none.current.calls).toBe(0);
    expect(discovered(none.topics)).toEqual([]);
    // A filter that bounds recordedAt itself: only the first 100 April minutes and the whole of March.
    const early = await hotTopics(store, { ...request, filter: { dates: { recordedAt: { lt: '2026-04-10T01:40:00Z' } } }, discover: { role: 'customer' } });
    expect(early.current.calls).toBe(100);
    expect(early.topics[0]).toMatchObject({ key: '盗刷', current: { calls: 60, share: 0.6 }, baseline: { calls: 6 } });
  });

  it('after warmTermCache, discovery reads no call document', async () => {
    // A store object of its own (its own term cache), counting the documents read through query.
    let reads = 0;
    const counted = new Proxy(store, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return prop === 'query' ? (...a: unknown[]) => (reads++, (v as (...x: unknown[]) => unknown).apply(target, a)) : v.bind(target);
      },
    });
    await warmTermCache(counted);
    expect(reads).toBeGreaterThan(0);
    reads = 0;
    const r = await hotTopics(counted, { ...request, discover: { role: 'customer' } });
    expect(reads).toBe(0);
    expect(r.topics.find((t) => t.key === '盗刷')).toMatchObject({ current: { calls: 60 }, baseline: { calls: 6 } });
  });

  // Last: it rewrites calls. Each call's terms are cut once and kept (TermCache) while its text is unchanged.
  it('counts a call again when its text changes, and not at all once deleted', async () => {
    const before = await hotTopics(store, { ...request, discover: { role: 'customer' } });
    expect(before.topics.find((t) => t.key === '盗刷')).toMatchObject({ current: { calls: 60 } });
    // April call 100 (BALANCE) now also says STOLEN; April call 0 (STOLEN) is deleted: still 60 of 199.
    const all = docs();
    const changed = all.find((d) => d.id === '04-100')!;
    const extra = { ...changed.segments[0]!, id: 'sx', role: 'customer' as const, text: STOLEN, textMasked: STOLEN };
    await store.put({ ...changed, segments: [...changed.segments, extra] }, 'changed');
    await store.delete('04-000');
    const after = await hotTopics(store, { ...request, discover: { role: 'customer' } });
    expect(after.current.calls).toBe(199);
    expect(after.topics.find((t) => t.key === '盗刷')).toMatchObject({ current: { calls: 60, share: 60 / 199 } });
    await store.put(changed, 'original'); // back to its own text: 59
    const again = await hotTopics(store, { ...request, discover: { role: 'customer' } });
    expect(again.topics.find((t) => t.key === '盗刷')).toMatchObject({ current: { calls: 59 } });
  });
});
