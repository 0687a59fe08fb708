import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hotTopics } from '../../analytics/hot-topics.ts';
import type { CallDoc } from '../../core/schemas.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { tempDir } from '../helpers.ts';
import { textCall, type Line } from '../text-call.ts';

const CUSTOMER_COMPLAINS = '你们客服态度太差了我要投诉';
const AGENT_MENTIONS = '如果您不满意可以投诉';

/** A call that opens with the agent's greeting, tagged with `tags`. */
function call(id: string, recordedAt: string, tags: string[], lines: Line[]): CallDoc {
  const nlp = { tags: tags.map((t) => ({ id: t, path: t, complaint: false, confidence: 0.9, via: 'keywords' as const, segmentIds: [] })), forbiddenHits: 0, sensitiveHits: 0, piiFound: [], customerEmotion: null };
  return textCall(id, recordedAt, [['agent', '您好很高兴为您服务'], ...lines], { nlp });
}

const within = (i: number, [lo, hi]: [number, number]) => i >= lo && i < hi;

/**
 * April (current): 200 calls. Tags by call index: Y [0,12), Z [0,40), W [100,105), V [150,153).
 * Customer says 投诉 in [0,20), the agent in [20,30).
 * March (baseline): 300 calls. Y [0,3), Z [0,20), W [0,30); customer 投诉 [0,6), agent [6,36).
 * Rising: Y 12/200 vs 3/300, Z 40/200 vs 20/300, customer 投诉 20/200 vs 6/300. W and the agent's 投诉
 * fall; V rises but has only 3 calls (< minCount 5). G² and p from scipy chi2_contingency(lambda_="log-likelihood").
 */
function docs(): CallDoc[] {
  const out: CallDoc[] = [];
  const period = (month: string, n: number, tagRanges: Record<string, [number, number]>, customer: [number, number], agent: [number, number]) => {
    for (let i = 0; i < n; i++) {
      const tags = Object.entries(tagRanges).filter(([, r]) => within(i, r)).map(([t]) => t);
      const lines: Array<['agent' | 'customer', string]> = [];
      if (within(i, customer)) lines.push(['customer', CUSTOMER_COMPLAINS]);
      if (within(i, agent)) lines.push(['agent', AGENT_MENTIONS]);
      if (lines.length === 0) lines.push(['customer', '我想查询一下余额']);
      out.push(call(`${month}-${i}`, `2026-${month}-15T10:00:00+08:00`, tags, lines));
    }
  };
  period('04', 200, { Y: [0, 12], Z: [0, 40], W: [100, 105], V: [150, 153] }, [0, 20], [20, 30]);
  period('03', 300, { Y: [0, 3], Z: [0, 20], W: [0, 30] }, [0, 6], [6, 36]);
  return out;
}

describe('hot topics', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: CallStore;
  beforeAll(async () => {
    tmp = tempDir('callscope-analytics-');
    store = new SqliteCallStore(path.join(tmp.dir, 'index.sqlite'), { index: searchTokens, query: tokenize });
    await store.putMany(docs().map((doc) => ({ doc, docHash: doc.id })));
  });
  afterAll(async () => {
    await store.close();
    tmp.cleanup();
  });

  const request = {
    current: { from: '2026-04-01', to: '2026-05-01' },
    baseline: { from: '2026-03-01', to: '2026-04-01' },
    words: [{ word: '投诉', role: 'customer' as const }, { word: '投诉', role: 'agent' as const }],
  };

  it('ranks rising tags and role words by G², leaving out falling and rare ones', async () => {
    const r = await hotTopics(store, request);
    expect(r.current.calls).toBe(200);
    expect(r.baseline.calls).toBe(300);
    expect(r.topics.map((t) => [t.source, t.key, t.role ?? null])).toEqual([
      ['tags', 'Z', null],
      ['words', '投诉', 'customer'],
      ['tags', 'Y', null],
    ]);
    const [z, word, y] = r.topics;
    expect(z!.g2).toBeCloseTo(19.806005780653233, 9);
    expect(z!.pValue).toBeCloseTo(8.571293577109888e-6, 9);
    expect(z).toMatchObject({ current: { calls: 40, share: 0.2 }, baseline: { calls: 20 } });
    expect(z!.ratio).toBeCloseTo(0.2 / (20 / 300), 12);
    expect(word!.g2).toBeCloseTo(15.505880153723712, 9);
    expect(word).toMatchObject({ current: { calls: 20 }, baseline: { calls: 6 } });
    expect(y!.g2).toBeCloseTo(10.354238566616528, 9);
    expect(y!.pValue).toBeCloseTo(0.0012917773721753646, 7);
  });

  it('keeps a rare rising tag when the minimum count allows it, with an infinite ratio', async () => {
    const r = await hotTopics(store, { ...request, words: [], minCount: 3 });
    const v = r.topics.find((t) => t.key === 'V');
    expect(v).toMatchObject({ current: { calls: 3 }, baseline: { calls: 0 }, ratio: Infinity });
  });

  it('refuses a request with nothing to count', async () => {
    await expect(hotTopics(store, { ...request, labels: [], words: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
