import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickInspector } from '../../api/review/assign.ts';
import { doubtsOf } from '../../api/review/confidence.ts';
import type { Inspector } from '../../api/review/model.ts';
import { openReviewDb, REVIEW_SCHEMA_VERSION } from '../../api/review/review-db.ts';
import { defaultRules, loadQueueRules } from '../../api/review/rules.ts';
import { drawSample, isoWeek, type SampleCandidate } from '../../api/review/select.ts';
import type { CheckpointResult, Segment } from '../../core/schemas.ts';
import { tempDir } from '../helpers.ts';

describe('ISO week', () => {
  it.each([
    ['2026-01-01T12:00:00+08:00', '+08:00', '2026-W01'], // a Thursday: week 1 of 2026
    ['2025-12-29T09:00:00+08:00', '+08:00', '2026-W01'], // the Monday of that week, still in 2025
    ['2026-02-23T20:21:53+08:00', '+08:00', '2026-W09'],
    ['2026-01-04T16:30:00Z', '+08:00', '2026-W02'], // Sunday in UTC, already Monday in Beijing
    ['2026-01-04T16:30:00Z', '+00:00', '2026-W01'],
    ['2027-01-01T00:00:00+08:00', '+08:00', '2026-W53'], // 2026 has 53 ISO weeks
  ])('%s at %s is %s', (instant, offset, week) => {
    expect(isoWeek(instant, offset)).toBe(week);
  });
});

describe('weekly sample per agent', () => {
  const rules = { ...defaultRules().sample, perAgentPerWeek: 2 };
  const candidates: SampleCandidate[] = [];
  for (const agentId of ['A1', 'A2']) for (const week of ['2026-W09', '2026-W10']) for (let i = 0; i < 6; i++) candidates.push({ callId: `${agentId}-${week}-${i}`, agentId, week });

  it('takes the quota per agent and week, the same whatever the order', () => {
    const a = drawSample(candidates, () => 0, rules).map((c) => c.callId).sort();
    const b = drawSample([...candidates].reverse(), () => 0, rules).map((c) => c.callId).sort();
    expect(a).toEqual(b);
    expect(a).toHaveLength(8);
    for (const agent of ['A1', 'A2']) for (const week of ['2026-W09', '2026-W10']) expect(a.filter((id) => id.startsWith(`${agent}-${week}`))).toHaveLength(2);
  });

  it('another seed draws another sample; what earlier syncs sampled counts against the quota', () => {
    const a = drawSample(candidates, () => 0, rules).map((c) => c.callId).sort();
    expect(drawSample(candidates, () => 0, { ...rules, seed: 'other' }).map((c) => c.callId).sort()).not.toEqual(a);
    expect(drawSample(candidates, (agent, week) => (agent === 'A1' && week === '2026-W09' ? 2 : 1), rules)).toHaveLength(3);
  });
});

describe('assignment', () => {
  const inspectors: Inspector[] = [
    { userId: 'b', name: 'B', teams: [], skills: [], active: true },
    { userId: 'a', name: 'A', teams: ['T1'], skills: ['信用卡'], active: true },
    { userId: 'c', name: 'C', teams: [], skills: ['信用卡'], active: false },
  ];
  it('prefers skill within team coverage, then the least loaded, ties by id', () => {
    expect(pickInspector({ team: 'T1', product: '信用卡' }, inspectors, () => 5)?.userId).toBe('a');
    expect(pickInspector({ team: 'T2', product: '信用卡' }, inspectors, () => 0)?.userId).toBe('b'); // a does not cover T2, c is inactive
    expect(pickInspector({ team: 'T1', product: '理财' }, inspectors, (u) => (u === 'a' ? 3 : 1))?.userId).toBe('b');
    expect(pickInspector({ team: 'T1', product: '理财' }, inspectors, () => 1)?.userId).toBe('a');
    expect(pickInspector({ team: 'T2' }, [inspectors[1]!], () => 0)).toBeNull();
  });

  it('spreads nine items over three inspectors three each', () => {
    const load = new Map<string, number>();
    const pool: Inspector[] = ['x', 'y', 'z'].map((u) => ({ userId: u, name: u, teams: [], skills: [], active: true }));
    for (let i = 0; i < 9; i++) {
      const who = pickInspector({}, pool, (u) => load.get(u) ?? 0)!;
      load.set(who.userId, (load.get(who.userId) ?? 0) + 1);
    }
    expect([...load.values()]).toEqual([3, 3, 3]);
  });
});

describe('low-confidence decisions', () => {
  const seg = (id: string, over: Partial<Segment>): Segment => ({ id, role: 'customer', start: 0, end: 1, text: '', textMasked: '', tokens: [], hits: [], ...over });
  const item = (checkpointId: string, segmentId: string, values?: Record<string, unknown>): CheckpointResult => ({
    checkpointId, name: checkpointId, applicable: true, passed: false, points: 0, maxPoints: 5, veto: false, reason: '',
    evidence: [{ kind: 'match', segmentId, start: 0, end: 1, quote: '', ...(values ? { values } : {}) }],
  });
  const rules = defaultRules().lowConfidence;

  it('flags a sound-alike hit, an emotion score near the cut and a similarity near its threshold', () => {
    const doc = {
      segments: [
        seg('s1', { textMasked: '我的公号是', hits: [{ lexicon: 'job_id', term: '工号', start: 2, end: 4, soundAlike: true }] }),
        seg('s2', { emotion: { label: 'angry', score: 0.64 } }),
        seg('s3', { emotion: { label: 'angry', score: 0.95 } }),
      ],
    };
    const doubts = doubtsOf(doc, [item('job_id', 's1'), item('calm', 's2'), item('calm_clear', 's3'), item('semantic', 's3', { similarity: 0.71, threshold: 0.7 })], rules);
    expect(doubts).toEqual([
      { checkpointId: 'job_id', kind: 'sound_alike', detail: '「公号」读作「工号」' },
      { checkpointId: 'calm', kind: 'emotion_near_cut', detail: 'angry 0.64（阈值 0.6）' },
      { checkpointId: 'semantic', kind: 'semantic_near_threshold', detail: '相似度 0.710（阈值 0.7）' },
    ]);
    expect(doubtsOf(doc, [item('job_id', 's1')], { ...rules, enabled: false })).toEqual([]);
  });
});

describe('rules file and review database', () => {
  it('reads YAML over the defaults and names a bad field', () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'rules.yaml');
    expect(loadQueueRules(file)).toEqual(defaultRules());
    writeFileSync(file, 'sample:\n  perAgentPerWeek: 5\nslaHours:\n  review: 24\n');
    const r = loadQueueRules(file);
    expect([r.sample.perAgentPerWeek, r.sample.seed, r.slaHours.review, r.slaHours.ruling]).toEqual([5, 'callscope', 24, 48]);
    writeFileSync(file, 'sample:\n  perAgentPerWeek: -1\n');
    expect(() => loadQueueRules(file)).toThrow(/sample.perAgentPerWeek/);
    writeFileSync(file, 'sampel: {}\n');
    expect(() => loadQueueRules(file)).toThrow(/sampel/);
    tmp.cleanup();
  });

  it('migrates a new file to the current schema once, and refuses a newer one', () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'review.sqlite');
    openReviewDb(file).close();
    const db = openReviewDb(file);
    expect(db.pragma('user_version', { simple: true })).toBe(REVIEW_SCHEMA_VERSION);
    db.pragma(`user_version = ${REVIEW_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openReviewDb(file)).toThrow(/newer CallScope/);
    tmp.cleanup();
  });
});
