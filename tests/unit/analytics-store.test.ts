import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare } from '../../analytics/compare.ts';
import { averageOf, checkpointFailureRate, complaintRate, negativeEmotionRate } from '../../analytics/metrics.ts';
import { trend } from '../../analytics/trend.ts';
import type { CallDoc } from '../../core/schemas.ts';
import { tempStoreWith } from '../helpers.ts';

type Spec = {
  id: string;
  recordedAt: string;
  branch: string;
  score?: number;
  complaint?: boolean;
  escalated?: boolean;
  emotionEnd?: string;
  greeting?: boolean | null;
  durationSec?: number;
};

/** A CallDoc shaped like core/schemas.ts with only what these tests read. */
function call(s: Spec): CallDoc {
  const greeting = s.greeting === undefined ? [] : [{ checkpointId: 'greeting', name: 'greeting', applicable: s.greeting !== null, passed: s.greeting, points: s.greeting ? 10 : 0, maxPoints: 10, veto: false, reason: '', evidence: [] }];
  return {
    id: s.id,
    status: 'ok',
    ingestedAt: '2026-04-02T00:00:00.000Z',
    recordedAt: s.recordedAt,
    durationSec: s.durationSec ?? 60,
    language: 'zh',
    source: { file: `${s.id}.wav`, sha256: s.id, kind: 'audio' },
    meta: { branch: s.branch, ...(s.escalated ? { complaintEscalated: true } : {}), custom: {} },
    transcriptSource: 'vendor:test',
    segments: [{ id: 's0', role: 'customer', start: 0, end: 4, text: '你好', textMasked: '你好', tokens: [], hits: [] }],
    speech: [],
    acoustics: null,
    nlp: {
      tags: [],
      forbiddenHits: 0,
      sensitiveHits: 0,
      piiFound: [],
      customerEmotion: s.emotionEnd ? { start: 'neutral', end: s.emotionEnd, worst: { label: s.emotionEnd, score: 0.9, segmentStart: 0, text: '' } } : null,
    },
    scores: s.score === undefined ? [] : [{ scorecardId: 'card', version: '1', total: s.score, maxTotal: 100, passed: s.score >= 60, vetoed: false, items: greeting }],
    review: { status: 'none', flags: s.complaint ? ['complaint_threat'] : [] },
    warnings: [],
    versions: {},
  } as CallDoc;
}

describe('trend', () => {
  // 上海分行, local dates (+08:00). Window 03-02..03-04 (to = 03-05), previous window 02-27..03-01.
  //  03-02: t1 80 complaint | t2 60 | t3 70 angry, greeting failed | t3b 23:30 local, 50, greeting passed
  //  03-03: nothing
  //  03-04: t4 23:59 local, 90 greeting passed | t5 50 complaint (escalated only) angry greeting failed
  //  03-05 00:10 local (= 03-04 16:10Z): t6, outside the window
  //  02-28: p1 40 complaint | 03-01: p2 100 | 03-02 北京分行 x1 complaint: other branch, filtered out
  const docs = [
    call({ id: 't1', recordedAt: '2026-03-02T09:00:00+08:00', branch: '上海分行', score: 80, complaint: true, emotionEnd: 'neutral' }),
    call({ id: 't2', recordedAt: '2026-03-02T10:00:00+08:00', branch: '上海分行', score: 60, emotionEnd: 'neutral' }),
    call({ id: 't3', recordedAt: '2026-03-02T11:00:00+08:00', branch: '上海分行', score: 70, emotionEnd: 'angry', greeting: false }),
    call({ id: 't3b', recordedAt: '2026-03-02T15:30:00Z', branch: '上海分行', score: 50, emotionEnd: 'neutral', greeting: true }),
    call({ id: 't4', recordedAt: '2026-03-04T23:59:00+08:00', branch: '上海分行', score: 90, emotionEnd: 'positive', greeting: true }),
    call({ id: 't5', recordedAt: '2026-03-04T12:00:00+08:00', branch: '上海分行', score: 50, escalated: true, emotionEnd: 'negative', greeting: false }),
    call({ id: 't6', recordedAt: '2026-03-04T16:10:00Z', branch: '上海分行', score: 10, complaint: true }),
    call({ id: 'p1', recordedAt: '2026-02-28T09:00:00+08:00', branch: '上海分行', score: 40, complaint: true }),
    call({ id: 'p2', recordedAt: '2026-03-01T09:00:00+08:00', branch: '上海分行', score: 100 }),
    call({ id: 'x1', recordedAt: '2026-03-02T09:00:00+08:00', branch: '北京分行', score: 0, complaint: true }),
  ];
  let s: Awaited<ReturnType<typeof tempStoreWith>>;
  beforeAll(async () => (s = await tempStoreWith(docs)));
  afterAll(async () => s.close());

  const metrics = [{ kind: 'count' as const, name: 'calls' }, complaintRate(), checkpointFailureRate('greeting'), negativeEmotionRate(), averageOf('score', 'avgScore')];

  it('gives daily counts, rates and averages with the previous window overlaid, empty days included', async () => {
    const t = await trend(s.store, { filter: { terms: { branch: ['上海分行'] } }, interval: 'day', from: '2026-03-02', to: '2026-03-05', metrics });
    expect(t.previous).toMatchObject({ from: '2026-02-27', to: '2026-03-02' });
    expect(t.points.map((p) => [p.bucket, p.previousBucket])).toEqual([
      ['2026-03-02', '2026-02-27'],
      ['2026-03-03', '2026-02-28'],
      ['2026-03-04', '2026-03-01'],
    ]);
    const [d2, d3, d4] = t.points;
    expect(d2!.current.calls).toEqual({ kind: 'count', count: 4 });
    expect(d2!.current.complaintRate).toEqual({ kind: 'rate', numerator: 1, denominator: 4, rate: 0.25 });
    expect(d2!.current.checkpointFailureRate).toEqual({ kind: 'rate', numerator: 1, denominator: 2, rate: 0.5 });
    expect(d2!.current.negativeEmotionRate).toMatchObject({ numerator: 1, denominator: 4 });
    expect(d2!.current.avgScore).toEqual({ kind: 'mean', n: 4, mean: 65 }); // (80+60+70+50)/4
    expect(d3!.current.calls).toEqual({ kind: 'count', count: 0 });
    expect(d3!.current.complaintRate).toEqual({ kind: 'rate', numerator: 0, denominator: 0, rate: null });
    expect(d3!.current.avgScore).toEqual({ kind: 'mean', n: 0, mean: null });
    expect(d4!.current.calls).toEqual({ kind: 'count', count: 2 }); // t6 is on 03-05 in China
    expect(d4!.current.complaintRate).toMatchObject({ numerator: 1, denominator: 2 }); // escalated counts as a complaint
    expect(d4!.current.negativeEmotionRate).toMatchObject({ numerator: 1, denominator: 2 });
    expect(d4!.current.avgScore).toMatchObject({ mean: 70 });
    // previous window: 02-27 empty, 02-28 p1, 03-01 p2
    expect(t.points.map((p) => (p.previous.calls as { count: number }).count)).toEqual([0, 1, 1]);
    expect(d3!.previous.complaintRate).toMatchObject({ numerator: 1, denominator: 1, rate: 1 });
    // totals
    expect(t.current.totals.calls).toEqual({ kind: 'count', count: 6 });
    expect(t.current.totals.complaintRate).toMatchObject({ numerator: 2, denominator: 6 });
    expect(t.current.totals.checkpointFailureRate).toMatchObject({ numerator: 2, denominator: 4, rate: 0.5 });
    expect(t.current.totals.avgScore).toMatchObject({ n: 6, mean: 400 / 6 });
    expect(t.previous.totals.avgScore).toMatchObject({ n: 2, mean: 70 });
  });

  it('buckets by month against the previous month, keeping a date range of the filter', async () => {
    const t = await trend(s.store, {
      filter: { terms: { branch: ['上海分行'] }, dates: { recordedAt: { gte: '2026-03-02' } } },
      interval: 'month',
      from: '2026-03-01',
      to: '2026-04-01',
      metrics: [{ kind: 'count', name: 'calls' }],
    });
    expect(t.previous).toMatchObject({ from: '2026-02-01', to: '2026-03-01' });
    expect(t.points).toHaveLength(1);
    expect(t.points[0]!.current.calls).toEqual({ kind: 'count', count: 7 }); // t1..t6 and t3b; p2 (03-01) is before the filter's range
    expect(t.points[0]!.previous.calls).toEqual({ kind: 'count', count: 0 }); // p1 is before the filter's range too
  });

  it('buckets by week (Monday) against the week before', async () => {
    const t = await trend(s.store, { filter: { terms: { branch: ['上海分行'] } }, interval: 'week', from: '2026-03-02', to: '2026-03-09', metrics: [{ kind: 'count', name: 'calls' }, complaintRate()] });
    expect(t.points.map((p) => [p.bucket, p.previousBucket])).toEqual([['2026-03-02', '2026-02-23']]);
    expect(t.points[0]!.current.calls).toEqual({ kind: 'count', count: 7 }); // t1 t2 t3 t3b t4 t5 and t6 (03-05 in China)
    expect(t.points[0]!.current.complaintRate).toMatchObject({ numerator: 3, denominator: 7 }); // t1, t5 (escalated), t6
    expect(t.points[0]!.previous.calls).toEqual({ kind: 'count', count: 2 }); // p1, p2
  });

  it.each([
    [{ interval: 'week', from: '2026-03-03', to: '2026-03-10' }, 'does not start a week'],
    [{ interval: 'month', from: '2026-03-01', to: '2026-03-15' }, 'does not start a month'],
    [{ interval: 'day', from: '2026-03-05', to: '2026-03-02' }, 'must be before'],
    [{ interval: 'day', from: '2026-02-30', to: '2026-03-02' }, 'invalid trend request'],
    [{ interval: 'hour', from: '2026-03-01', to: '2026-03-02' }, 'invalid trend request'],
  ])('refuses %o', async (bad, message) => {
    await expect(trend(s.store, { ...(bad as { interval: 'day'; from: string; to: string }), metrics: [{ kind: 'count', name: 'calls' }] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining(message),
    });
  });
});

describe('compare', () => {
  // A分行: 10 calls, scores A, complaints on the first 4. B分行: 20 calls, scores B, complaints on the first 2.
  // Expected statistics from scipy 1.17 (ttest_ind equal_var=False, mannwhitneyu asymptotic) and the
  // textbook formulas evaluated in Python (pooled z; Newcombe method 10 from two Wilson intervals).
  const A = [70, 75, 80, 62, 90, 85, 77, 68, 73, 81];
  const B = [60, 65, 72, 58, 66, 70, 74, 61, 69, 63, 71, 67, 59, 64, 68, 73, 62, 66, 70, 65];
  const docs = [
    ...A.map((score, i) => call({ id: `a${i}`, recordedAt: '2026-03-10T10:00:00+08:00', branch: 'A分行', score, complaint: i < 4 })),
    ...B.map((score, i) => call({ id: `b${i}`, recordedAt: '2026-03-10T10:00:00+08:00', branch: 'B分行', score, complaint: i < 2 })),
    call({ id: 'a-noscore', recordedAt: '2026-03-10T10:00:00+08:00', branch: 'A分行' }),
  ];
  let s: Awaited<ReturnType<typeof tempStoreWith>>;
  beforeAll(async () => (s = await tempStoreWith(docs)));
  afterAll(async () => s.close());

  const cohorts = { a: { label: 'A', filter: { terms: { branch: ['A分行'] } } }, b: { label: 'B', filter: { terms: { branch: ['B分行'] } } } };

  it('tests rates with a two-proportion z and a Newcombe interval, means with Welch', async () => {
    const c = await compare(s.store, { ...cohorts, metrics: [{ kind: 'count', name: 'calls' }, complaintRate(), averageOf('score', 'avgScore')] });
    expect(c.a.calls).toBe(11);
    expect(c.b.calls).toBe(20);
    const [calls, rate, score] = c.metrics;
    expect(calls!.difference).toBe(-9);
    // complaints 4/11 vs 2/20 (a-noscore is a call without complaint)
    expect(rate!.sampleSizes).toEqual({ a: 11, b: 20 });
    expect(rate!.difference).toBeCloseTo(4 / 11 - 0.1, 12);
    const rc = await compare(s.store, { a: { label: 'A', filter: { terms: { branch: ['A分行'] }, ranges: { score: { gte: 0 } } } }, b: cohorts.b, metrics: [complaintRate()] });
    const r = rc.metrics[0]!; // 4/10 vs 2/20
    expect(r.test!.statistic).toBeCloseTo(1.9364916731037083, 8);
    expect(r.test!.pValue).toBeCloseTo(0.05280751141611363, 6);
    expect(r.interval!.low).toBeCloseTo(-0.006846681665229448, 6);
    expect(r.interval!.high).toBeCloseTo(0.5962424802953663, 6);
    // the call without a score is left out of the mean
    expect(score!.sampleSizes).toEqual({ a: 10, b: 20 });
    expect(score!.difference).toBeCloseTo(76.1 - 66.15, 10);
    expect(score!.test).toMatchObject({ name: 'welch t' });
    expect(score!.test!.statistic).toBeCloseTo(3.50461406113281, 8);
    expect(score!.test!.df).toBeCloseTo(11.982407292450393, 6);
    expect(score!.test!.pValue).toBeCloseTo(0.0043539361591921795, 7);
    expect(score!.interval!.low).toBeCloseTo(3.763093823291385, 6);
    expect(score!.interval!.high).toBeCloseTo(16.136906176708592, 6);
  });

  it('runs Mann-Whitney U on the per-call values when asked', async () => {
    const c = await compare(s.store, { ...cohorts, metrics: [averageOf('score')], meanTest: 'mann-whitney' });
    expect(c.metrics[0]!.test).toMatchObject({ name: 'mann-whitney u', statistic: 170.5 });
    expect(c.metrics[0]!.test!.pValue).toBeCloseTo(0.002051476432330375, 6);
  });

  it('refuses a rank test on a cohort larger than the cap (Welch needs no per-call read), and bad input', async () => {
    await expect(compare(s.store, { ...cohorts, metrics: [averageOf('score')], meanTest: 'mann-whitney', maxCallsForMeanTest: 5 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const welch = await compare(s.store, { ...cohorts, metrics: [averageOf('score')], maxCallsForMeanTest: 5 });
    expect(welch.metrics[0]!.test).toMatchObject({ name: 'welch t' });
    await expect(compare(s.store, { ...cohorts, metrics: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(compare(s.store, { ...cohorts, metrics: [{ kind: 'mean', name: 'x', field: 'nope' }] } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
