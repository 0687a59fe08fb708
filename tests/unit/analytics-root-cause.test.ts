import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeDecomposition, overIndexing, REMAINDER } from '../../analytics/root-cause.ts';
import { complaintTarget, lowScoreTarget, negativeEmotionTarget } from '../../analytics/targets.ts';
import { mulberry32 } from '../../core/prng.ts';
import type { CallDoc } from '../../core/schemas.ts';
import { tempStoreWith } from '../helpers.ts';

type Spec = { id: string; recordedAt: string; branch?: string; team: string; agentId: string; product: string; channel: string; score: number; complaint: boolean; tags?: string[]; emotionEnd?: string };

/** A CallDoc shaped like core/schemas.ts with only what root cause reads. */
function call(s: Spec): CallDoc {
  return {
    id: s.id,
    status: 'ok',
    ingestedAt: '2026-05-02T00:00:00.000Z',
    recordedAt: s.recordedAt,
    durationSec: 60,
    language: 'zh',
    source: { file: `${s.id}.wav`, sha256: s.id, kind: 'audio' },
    meta: { ...(s.branch ? { branch: s.branch } : {}), team: s.team, agentId: s.agentId, product: s.product, channel: s.channel, custom: {} },
    transcriptSource: 'vendor:test',
    segments: [{ id: 's0', role: 'customer', start: 0, end: 4, text: '你好', textMasked: '你好', tokens: [], hits: [] }],
    speech: [],
    acoustics: null,
    nlp: {
      tags: (s.tags ?? []).map((id) => ({ id, path: id, complaint: false, confidence: 0.9, via: 'keywords' as const, segmentIds: [] })),
      forbiddenHits: 0,
      sensitiveHits: 0,
      piiFound: [],
      customerEmotion: s.emotionEnd ? { start: 'neutral', end: s.emotionEnd, worst: { label: s.emotionEnd, score: 0.9, segmentStart: 0, text: '' } } : null,
    },
    scores: [{ scorecardId: 'card', version: '1', total: s.score, maxTotal: 100, passed: s.score >= 60, vetoed: false, items: [] }],
    review: { status: 'none', flags: s.complaint ? ['complaint_threat'] : [] },
    warnings: [],
    versions: {},
  } as CallDoc;
}

const BRANCHES = ['上海分行', '杭州分行', '南京分行', '北京分行', '广州分行', '深圳分行', '成都分行', '武汉分行'];
const PLANTED_BRANCH = '杭州分行';
const PLANTED_TEAM = 'T4';
const TEAMS = ['T1', 'T2', 'T3', 'T4', 'T5', 'T6'];
const PRODUCTS = ['信用卡', '借记卡', '个人贷款', '理财', '手机银行'];
const CHANNELS = ['phone', 'app', 'video'];

/**
 * 1,500 calls in March and 1,500 in April 2026; branch, team, agent, product and channel drawn
 * independently and uniformly. Complaints: 5 % everywhere, except 杭州分行 in April (30 %).
 * Scores below 60: 10 % everywhere, except team T4 (40 %), both months.
 * Tags (from a second generator, so the draws above stay the same): fee.annual on 20 % of calls,
 * card.limit on 20 %; the customer ends angry on 5 % of calls, 40 % of those tagged fee.annual.
 */
function plantedCalls(): CallDoc[] {
  const rand = mulberry32(20261126);
  const randTags = mulberry32(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const docs: CallDoc[] = [];
  for (const [month, days] of [['03', 31], ['04', 30]] as const) {
    for (let i = 0; i < 1500; i++) {
      const branch = pick(BRANCHES);
      const team = pick(TEAMS);
      const day = String(1 + Math.floor(rand() * days)).padStart(2, '0');
      const hour = String(9 + Math.floor(rand() * 9)).padStart(2, '0');
      const complaintRate = branch === PLANTED_BRANCH && month === '04' ? 0.3 : 0.05;
      const lowRate = team === PLANTED_TEAM ? 0.4 : 0.1;
      const tags = [...(randTags() < 0.2 ? ['fee.annual'] : []), ...(randTags() < 0.2 ? ['card.limit'] : [])];
      const angry = randTags() < (tags.includes('fee.annual') ? 0.4 : 0.05);
      docs.push(
        call({
          id: `m${month}-${i}`,
          recordedAt: `2026-${month}-${day}T${hour}:00:00+08:00`,
          branch,
          team,
          agentId: `A${Math.floor(rand() * 40)}`,
          product: pick(PRODUCTS),
          channel: pick(CHANNELS),
          score: rand() < lowRate ? 30 + Math.floor(rand() * 30) : 60 + Math.floor(rand() * 41),
          complaint: rand() < complaintRate,
          tags,
          emotionEnd: angry ? 'angry' : 'neutral',
        }),
      );
    }
  }
  return docs;
}

/** Counting straight over the generated documents: the independent answer. */
function countWhere(docs: CallDoc[], keep: (d: CallDoc) => boolean, hit: (d: CallDoc) => boolean) {
  const kept = docs.filter(keep);
  return { calls: kept.length, targetCalls: kept.filter(hit).length };
}
const isComplaint = (d: CallDoc) => d.review!.flags.includes('complaint_threat');
const isApril = (d: CallDoc) => d.recordedAt!.startsWith('2026-04');
const APRIL = { dates: { recordedAt: { gte: '2026-04-01', lt: '2026-05-01' } } };

describe('root cause on a synthetic dataset with planted causes', () => {
  const docs = plantedCalls();
  let s: Awaited<ReturnType<typeof tempStoreWith>>;
  beforeAll(async () => (s = await tempStoreWith(docs)));
  afterAll(async () => s.close());

  it('finds the branch with the planted complaint rate, first and significant after BH', async () => {
    const r = await overIndexing(s.store, { filter: APRIL, ...complaintTarget() });
    const all = countWhere(docs, isApril, isComplaint);
    const planted = countWhere(docs, (d) => isApril(d) && d.meta.branch === PLANTED_BRANCH, isComplaint);
    expect({ calls: r.calls, targetCalls: r.targetCalls }).toEqual(all);
    const top = r.rows[0]!;
    expect([top.dimension, top.value]).toEqual(['branch', PLANTED_BRANCH]);
    expect({ calls: top.calls, targetCalls: top.targetCalls }).toEqual(planted);
    expect(top.lift).toBeCloseTo(planted.targetCalls / planted.calls / (all.targetCalls / all.calls), 12);
    expect(top.support).toBeCloseTo(planted.targetCalls / all.targetCalls, 12);
    expect(top.significant).toBe(true);
    expect(top.qValue).toBeLessThan(1e-6);
    // Everything else was drawn at the same 5 %: nothing else survives the correction.
    expect(r.rows.filter((row) => row.significant).map((row) => row.value)).toEqual([PLANTED_BRANCH]);
    // 8 branches + 6 teams + 40 agents + 5 products + 3 channels, all with ≥ 20 calls in April
    expect(r.tested).toBe(8 + 6 + 40 + 5 + 3);
  });

  it('finds the team with the planted low scores for a score-below-60 target', async () => {
    const r = await overIndexing(s.store, { ...lowScoreTarget(60), dimensions: ['branch', 'team', 'product'] });
    const planted = countWhere(docs, (d) => d.meta.team === PLANTED_TEAM, (d) => d.scores[0]!.total < 60);
    expect(r.rows[0]).toMatchObject({ dimension: 'team', value: PLANTED_TEAM, ...planted, significant: true });
    expect(r.rows.filter((row) => row.significant).map((row) => row.value)).toEqual([PLANTED_TEAM]);
  });

  it('finds the tag the planted negative emotion goes with', async () => {
    const r = await overIndexing(s.store, { ...negativeEmotionTarget(), dimensions: ['tags', 'branch'] });
    const planted = countWhere(docs, (d) => d.nlp!.tags.some((t) => t.id === 'fee.annual'), (d) => d.nlp!.customerEmotion?.end === 'angry');
    expect(r.rows[0]).toMatchObject({ dimension: 'tags', value: 'fee.annual', ...planted, significant: true });
    expect(r.rows.filter((row) => row.significant).map((row) => row.value)).toEqual(['fee.annual']);
  });

  it('decomposes the March → April complaint change by branch: sums exactly, the planted branch carries it', async () => {
    const d = await changeDecomposition(s.store, {
      ...complaintTarget(),
      dimension: 'branch',
      before: { from: '2026-03-01', to: '2026-04-01' },
      after: { from: '2026-04-01', to: '2026-05-01' },
    });
    const march = countWhere(docs, (x) => !isApril(x), isComplaint);
    const april = countWhere(docs, isApril, isComplaint);
    expect(d.before).toEqual({ ...march, rate: march.targetCalls / march.calls });
    expect(d.after).toEqual({ ...april, rate: april.targetCalls / april.calls });
    expect(d.change).toBeCloseTo(april.targetCalls / april.calls - march.targetCalls / march.calls, 15);
    const sum = d.contributions.reduce((acc, c) => acc + c.total, 0);
    expect(sum).toBeCloseTo(d.change, 14);
    expect(d.contributions).toHaveLength(8);
    const top = d.contributions[0]!;
    expect(top.value).toBe(PLANTED_BRANCH);
    expect(top.rateEffect / d.change).toBeGreaterThan(0.8);
    expect(Math.abs(top.mixEffect)).toBeLessThan(0.1 * top.rateEffect);
  });
});

describe('change decomposition worked by hand', () => {
  // before: X 100 calls / 10 complaints, Y 100 / 10 (R₀ = 0.1)
  // after:  X 100 / 40, Y 300 / 30                  (R₁ = 70/400 = 0.175, change 0.075, R̄ = 0.1375)
  // X: mix (0.25 − 0.5)·((0.1 + 0.4)/2 − 0.1375) = −0.028125; rate (0.4 − 0.1)·(0.5 + 0.25)/2 = 0.1125; total 0.084375
  // Y: mix (0.75 − 0.5)·(0.1 − 0.1375) = −0.009375;           rate 0;                           total −0.009375
  const docs: CallDoc[] = [];
  const add = (branch: string, month: string, calls: number, complaints: number) => {
    for (let i = 0; i < calls; i++) {
      docs.push(call({ id: `${branch}${month}-${i}`, recordedAt: `2026-${month}-10T10:00:00+08:00`, branch, team: 'T', agentId: 'A', product: 'P', channel: 'phone', score: 80, complaint: i < complaints }));
    }
  };
  add('X', '03', 100, 10);
  add('Y', '03', 100, 10);
  add('X', '04', 100, 40);
  add('Y', '04', 300, 30);
  let s: Awaited<ReturnType<typeof tempStoreWith>>;
  beforeAll(async () => (s = await tempStoreWith(docs)));
  afterAll(async () => s.close());
  const request = { ...complaintTarget(), dimension: 'branch' as const, before: { from: '2026-03-01', to: '2026-04-01' }, after: { from: '2026-04-01', to: '2026-05-01' } };

  it('gives the hand-computed mix and rate effects', async () => {
    const d = await changeDecomposition(s.store, request);
    expect(d.change).toBeCloseTo(0.075, 14);
    const [x, y] = d.contributions;
    expect(x).toMatchObject({ value: 'X', before: { calls: 100, targetCalls: 10, share: 0.5, rate: 0.1 }, after: { calls: 100, targetCalls: 40, share: 0.25, rate: 0.4 } });
    expect(x!.mixEffect).toBeCloseTo(-0.028125, 14);
    expect(x!.rateEffect).toBeCloseTo(0.1125, 14);
    expect(x!.total).toBeCloseTo(0.084375, 14);
    expect(y!.value).toBe('Y');
    expect(y!.mixEffect).toBeCloseTo(-0.009375, 14);
    expect(y!.rateEffect).toBeCloseTo(0, 14);
  });

  it('folds values beyond `size` into one remainder so the sum stays exact', async () => {
    const d = await changeDecomposition(s.store, { ...request, size: 1 });
    // the biggest branch per period: X and Y tie at 100 in March (key order keeps X), Y (300) in April
    expect(d.contributions.map((c) => c.value).sort()).toEqual([REMAINDER, 'X', 'Y'].sort());
    expect(d.contributions.reduce((acc, c) => acc + c.total, 0)).toBeCloseTo(0.075, 14);
  });

  it('refuses a period without calls and bad input', async () => {
    await expect(changeDecomposition(s.store, { ...request, before: { from: '2025-01-01', to: '2025-02-01' } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(changeDecomposition(s.store, { ...request, dimension: 'tags' } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(overIndexing(s.store, { target: {}, minCalls: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
