import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCalls } from '../../bench/store/synthetic-calls.ts';
import type { Actor } from '../../api/actor.ts';
import { analyticsRoutes } from '../../api/analytics-routes.ts';
import type { CallDoc } from '../../core/schemas.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { ACTORS, mountAs } from '../as-actor.ts';
import { tempStoreWith } from '../helpers.ts';

/**
 * The analysis endpoints over a real SQLite store of generated calls. Every expected number is
 * counted here, over the generated documents, with the definitions written out (never by the
 * analytics code under test).
 */
const docs: CallDoc[] = [...syntheticCalls(800, { seed: 11, startDate: '2026-03-01', days: 61, embeddingDims: 8 })];
const FROM = '2026-04-01';
const TO = '2026-05-01';
const PREV_FROM = '2026-03-02'; // 30 days before FROM
const inDays = (d: CallDoc, from: string, to: string) => {
  const t = Date.parse(d.recordedAt!);
  return t >= Date.parse(`${from}T00:00:00+08:00`) && t < Date.parse(`${to}T00:00:00+08:00`);
};
const isComplaint = (d: CallDoc) => (d.review?.flags ?? []).includes('complaint_threat') || d.meta.complaintEscalated === true;
const isNegative = (d: CallDoc) => ['negative', 'angry'].includes(d.nlp?.customerEmotion?.end ?? '');
const window = docs.filter((d) => inDays(d, FROM, TO));
const previous = docs.filter((d) => inDays(d, PREV_FROM, FROM));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

let s: { store: CallStore; close(): Promise<void> };
const get = async (actor: Actor, url: string) => {
  const res = await mountAs(actor, analyticsRoutes(s.store)).request(url);
  return { status: res.status, body: (await res.json()) as any };
};

beforeAll(async () => {
  s = await tempStoreWith(docs);
});
afterAll(async () => s?.close());

describe('GET /api/analytics/overview', () => {
  it('gives the window totals, the previous period, breakdowns and failing checkpoints counted from the calls', async () => {
    const { status, body } = await get(ACTORS.analyst, `/api/analytics/overview?from=${FROM}&to=${TO}&interval=day`);
    expect(status).toBe(200);
    const cur = body.trend.current.totals;
    expect(cur.calls.count).toBe(window.length);
    expect(body.trend.previous.totals.calls.count).toBe(previous.length);
    expect(body.trend.points).toHaveLength(30);
    expect(cur.avgScore.mean).toBeCloseTo(mean(window.map((d) => d.scores[0]!.total)), 6);
    expect(cur.passRate.numerator).toBe(window.filter((d) => d.scores[0]!.passed).length);
    expect(cur.complaintRate.numerator).toBe(window.filter(isComplaint).length);
    expect(cur.negativeEmotionRate.numerator).toBe(window.filter(isNegative).length);

    const byBranch = new Map<string, number>();
    for (const d of window) byBranch.set(d.meta.branch!, (byBranch.get(d.meta.branch!) ?? 0) + 1);
    const top = [...byBranch.entries()].sort((a, b) => b[1] - a[1])[0]!;
    expect(body.breakdowns.branch[0]).toMatchObject({ key: top[0], metrics: { calls: { count: top[1] } } });
    expect(body.breakdowns.product.reduce((a: number, r: any) => a + r.metrics.calls.count, 0)).toBe(window.length);

    const worst = body.topFailingCheckpoints[0];
    const failed = window.filter((d) => d.scores[0]!.items.some((i) => i.checkpointId === worst.checkpointId && i.passed === false)).length;
    const applicable = window.filter((d) => d.scores[0]!.items.some((i) => i.checkpointId === worst.checkpointId && i.applicable)).length;
    expect(worst).toMatchObject({ failed, applicable });
    for (const c of body.topFailingCheckpoints.slice(1)) expect(c.rate).toBeLessThanOrEqual(worst.rate);
  });

  it('sees only the branches of a scoped actor, whatever the request asks', async () => {
    const branch = window[0]!.meta.branch!;
    const other = window.find((d) => d.meta.branch !== branch)!.meta.branch!;
    const scoped: Actor = { ...ACTORS.analyst, scope: { kind: 'branches', branches: [branch] } };
    const mine = window.filter((d) => d.meta.branch === branch).length;
    const { body } = await get(scoped, `/api/analytics/overview?from=${FROM}&to=${TO}`);
    expect(body.trend.current.totals.calls.count).toBe(mine);
    expect(body.breakdowns.branch.map((r: any) => r.key)).toEqual([branch]);
    const asked = await get(scoped, `/api/analytics/calls?branch=${encodeURIComponent(other)}&from=${FROM}&to=${TO}`);
    expect(asked.body.total).toBe(0);
    const list = await get(scoped, `/api/analytics/calls?from=${FROM}&to=${TO}&limit=5`);
    expect(list.body.total).toBe(mine);
  });

  it.each([
    ['/api/analytics/overview?to=2026-05-01', /from/],
    ['/api/analytics/overview?from=2026-04-01&to=2026-05-01&interval=hour', /interval/],
    ['/api/analytics/overview?from=2026-04-31&to=2026-05-01', /from/],
    ['/api/analytics/overview?from=2026-04-02&to=2026-05-01&interval=week', /Monday/],
    ['/api/analytics/root-cause?target=failedCheckpoint', /checkpoint/],
    ['/api/analytics/compare?a.branch=x&a.colour=red', /colour/],
    ['/api/analytics/calls?limit=0', /limit/],
  ])('answers %s with a 400 naming the problem', async (url, message) => {
    const { status, body } = await get(ACTORS.analyst, url);
    expect(status).toBe(400);
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toMatch(message);
  });
});

describe('drill-down, comparison, hot topics and root cause', () => {
  it('lists the calls behind a number with the same filters', async () => {
    const tag = 'fee.annual';
    const expected = window.filter((d) => d.nlp!.tags.some((t) => t.id === tag) && isComplaint(d)).length;
    const { body } = await get(ACTORS.analyst, `/api/analytics/calls?from=${FROM}&to=${TO}&tag=${tag}&complaint=true&limit=3`);
    expect(body.total).toBe(expected);
    // Counted to the end (the store stops at 10,000 and says 'gte' then: the list shows "10000+").
    expect(body.totalRelation).toBe('eq');
    expect(body.items).toHaveLength(Math.min(3, expected));
    const cp = 'empathy';
    const failedEmpathy = window.filter((d) => d.scores[0]!.items.some((i) => i.checkpointId === cp && i.passed === false)).length;
    expect((await get(ACTORS.analyst, `/api/analytics/calls?from=${FROM}&to=${TO}&failedCheckpoint=${cp}`)).body.total).toBe(failedEmpathy);
    const negatives = window.filter(isNegative).length;
    expect((await get(ACTORS.analyst, `/api/analytics/calls?from=${FROM}&to=${TO}&negativeEmotion=true`)).body.total).toBe(negatives);
  });

  it('compares two cohorts given as a.* and b.* (shared parameters apply to both)', async () => {
    const [p1, p2] = ['信用卡', '借记卡'];
    const { body } = await get(ACTORS.analyst, `/api/analytics/compare?from=${FROM}&to=${TO}&a.product=${encodeURIComponent(p1)}&b.product=${encodeURIComponent(p2)}&a.label=X&b.label=Y`);
    const na = window.filter((d) => d.meta.product === p1);
    const nb = window.filter((d) => d.meta.product === p2);
    expect(body.a).toEqual({ label: 'X', calls: na.length });
    expect(body.b).toEqual({ label: 'Y', calls: nb.length });
    const complaint = body.metrics.find((m: any) => m.name === 'complaintRate');
    expect(complaint.difference).toBeCloseTo(na.filter(isComplaint).length / na.length - nb.filter(isComplaint).length / nb.length, 9);
    expect(complaint.test.name).toBe('two-proportion z');
  });

  it('finds rising tags against the previous period of the same length', async () => {
    const { body } = await get(ACTORS.analyst, `/api/analytics/hot-topics?from=${FROM}&to=${TO}&minCount=1`);
    expect(body.baseline).toMatchObject({ from: PREV_FROM, to: FROM, calls: previous.length });
    expect(body.current.calls).toBe(window.length);
    for (const t of body.topics) {
      const has = (d: CallDoc) => (t.source === 'tags' ? d.nlp!.tags.some((x) => x.id === t.key) : (d.review?.flags ?? []).includes(t.key));
      expect(t.current.calls).toBe(window.filter(has).length);
      expect(t.baseline.calls).toBe(previous.filter(has).length);
      expect(t.current.share).toBeGreaterThan(t.baseline.share);
    }
  });

  it('discovers rising customer terms on request (discover=true), each reachable by the word drill-down, and reports a sample', async () => {
    const url = `/api/analytics/hot-topics?from=${FROM}&to=${TO}&labels=tags&discover=true&wordRole=customer&minCount=3`;
    const { status, body } = await get(ACTORS.analyst, url);
    expect(status).toBe(200);
    expect(body.sampled).toBeUndefined();
    const found = body.topics.filter((t: any) => t.source === 'terms' || t.source === 'phrases');
    expect(found.length).toBeGreaterThan(0);
    for (const t of found.slice(0, 5)) {
      expect(t.role).toBe('customer');
      expect(t.current.share).toBeGreaterThan(t.baseline.share);
      // A call holding the jieba word holds its characters in a customer segment.
      const said = (d: CallDoc) => d.segments.some((x) => x.role === 'customer' && x.textMasked.replace(/[^\p{L}\p{N}]+/gu, '').includes(t.key.replace(/ /g, '')));
      expect(window.filter(said).length).toBeGreaterThanOrEqual(t.current.calls);
      const drill = await get(ACTORS.analyst, `/api/analytics/calls?from=${FROM}&to=${TO}&word=${encodeURIComponent(t.key)}&role=customer&limit=1`);
      expect(drill.body.total).toBeGreaterThanOrEqual(t.current.calls);
    }
    const capped = await get(ACTORS.analyst, `${url}&maxCalls=10`);
    expect(capped.body.sampled).toEqual({ current: 10, baseline: 10 });
    expect(capped.body.current.calls).toBe(window.length);
    const off = await get(ACTORS.analyst, `/api/analytics/hot-topics?from=${FROM}&to=${TO}&minCount=1`);
    expect(off.body.topics.some((t: any) => t.source === 'terms' || t.source === 'phrases')).toBe(false);
  });

  it('ranks over-indexing values and decomposes a change into contributions that sum to it', async () => {
    const rc = await get(ACTORS.analyst, `/api/analytics/root-cause?from=${PREV_FROM}&to=${TO}&target=complaint&dimensions=product,tags&minCalls=10`);
    expect(rc.status).toBe(200);
    const all = docs.filter((d) => inDays(d, PREV_FROM, TO));
    expect(rc.body).toMatchObject({ calls: all.length, targetCalls: all.filter(isComplaint).length });
    for (const r of rc.body.rows) expect(r.lift).toBeGreaterThan(1);
    // Complaints come only with complaint tags in the generator: the top tags must be complaint tags.
    const topTag = rc.body.rows.find((r: any) => r.dimension === 'tags');
    expect(['fee.annual', 'fee.installment', 'service.attitude', 'wealth.loss']).toContain(topTag.value);

    const ch = await get(ACTORS.analyst, `/api/analytics/root-cause/change?target=complaint&dimension=product&beforeFrom=${PREV_FROM}&beforeTo=${FROM}&afterFrom=${FROM}&afterTo=${TO}`);
    const r0 = previous.filter(isComplaint).length / previous.length;
    const r1 = window.filter(isComplaint).length / window.length;
    expect(ch.body.change).toBeCloseTo(r1 - r0, 12);
    expect(ch.body.contributions.reduce((a: number, c: any) => a + c.total, 0)).toBeCloseTo(r1 - r0, 12);
  });
});
