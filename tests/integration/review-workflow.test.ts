import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEnv } from '../../api/actor.ts';
import { openReview, type Review } from '../../api/review/open-review.ts';
import { reviewRoutes } from '../../api/review/routes.ts';
import { matchLabels } from '../../scoring-models/labels.ts';
import { mountAs } from '../as-actor.ts';
import { tempDir, testPipeline, type TestPipeline } from '../helpers.ts';
import { MemoryAuditLog } from '../memory-audit.ts';
import { REVIEW_ACTORS, type ReviewActorName } from '../review-actors.ts';
import { ingestDevTranscripts } from '../review-calls.ts';

/**
 * The review workflow over the real pipeline's SQLite store (the ten dev calls, scored by the shipped
 * scorecard) and its own SQLite file, through its HTTP routes, as each role. Expected scores are
 * worked out by hand from bank-service-standard.yaml (base 100, pass 85) and the machine's decisions.
 */
const data = tempDir('callscope-review-');
let p: TestPipeline;
let review: Review;
let routes: Hono<ApiEnv>;
let ids: Record<string, string>;
const audit = new MemoryAuditLog();
let clock = new Date('2026-03-02T01:00:00.000Z');

beforeAll(async () => {
  p = testPipeline(path.join(data.dir, 'data'));
  mkdirSync(path.join(data.dir, 'in'));
  ids = await ingestDevTranscripts(p, path.join(data.dir, 'in'));
  review = openReview(p.config, p.store, audit, () => clock);
  routes = reviewRoutes(review.workflow, review.calibrations);
});

afterAll(async () => {
  review?.close();
  await p?.close();
  data.cleanup();
});

async function call(who: ReviewActorName, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const app = mountAs(REVIEW_ACTORS[who], routes, '/api/review');
  const res = await app.request(`/api/review${url}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // CSV / JSON lines
  }
  return { status: res.status, body: parsed };
}

const itemOf = async (callId: string) => (await call('qa', 'GET', `/queue?callId=${ids[callId]}`)).body.items[0];
const confirmAll = (item: any, overturn: Record<string, string> = {}) =>
  item.machineScore.items.map((i: any) => ({ checkpointId: i.checkpointId, verdict: overturn[i.checkpointId] ? 'overturn' : 'confirm', comment: overturn[i.checkpointId] ?? '' }));

describe('queue: rules, sampling, assignment', () => {
  it('registers inspectors with teams and skills', async () => {
    expect((await call('qa', 'PUT', '/inspectors/u-i1', { name: '质检员甲', skills: ['信用卡'] })).status).toBe(200);
    expect((await call('qa', 'PUT', '/inspectors/u-i2', { name: '质检员乙' })).status).toBe(200);
    expect((await call('qa', 'PUT', '/inspectors/u-i3', { name: '质检员丙', teams: ['借记卡服务组'], skills: ['借记卡'] })).status).toBe(200);
    expect((await call('i1', 'PUT', '/inspectors/u-i1', { name: 'x' })).status).toBe(403);
    expect((await call('i1', 'GET', '/inspectors')).body.items.map((i: any) => i.userId)).toEqual(['u-i1', 'u-i2', 'u-i3']);
  });

  it('sync queues vetoed, complaint and flagged calls, samples the rest per agent and week, and is idempotent', async () => {
    const first = await call('qa', 'POST', '/sync');
    expect(first.status).toBe(200);
    // Nine calls are vetoed or carry complaint flags/tags; SYN-0031 (85, passed, no complaint) is its agent's weekly sample.
    expect(first.body).toMatchObject({ examined: 10, added: 10 });
    expect(first.body.byReason).toMatchObject({ vetoed: 4, sample: 1 });
    const vetoed = await call('qa', 'GET', '/queue?reason=vetoed&limit=50');
    expect(vetoed.body.items.map((i: any) => i.meta.callId).sort()).toEqual(['SYN-0002', 'SYN-0004', 'SYN-0014', 'SYN-0019']);
    const sample = await call('qa', 'GET', '/queue?reason=sample');
    expect(sample.body.items.map((i: any) => i.meta.callId)).toEqual(['SYN-0031']);
    expect(sample.body.items[0].reasons).toEqual([{ kind: 'sample', detail: '2026-W08 随机抽检' }]);
    const complaint = await call('qa', 'GET', '/queue?reason=complaint');
    expect(complaint.body.items.map((i: any) => i.meta.callId)).toContain('SYN-0007');
    expect((await call('qa', 'POST', '/sync')).body).toMatchObject({ examined: 10, added: 0 });
    expect((await call('qa', 'GET', '/queue')).body.total).toBe(10);
  });

  it('assigns by skill and team, then to the least loaded inspector', async () => {
    const all = (await call('qa', 'GET', '/queue')).body.items as any[];
    const by = Object.fromEntries(all.map((i) => [i.meta.callId, i.assignee]));
    // Hand trace, newest recording first: credit-card calls go to u-i1 (the only 信用卡 skill); 借记卡服务组
    // calls to u-i3 (covers that team, 借记卡 skill); the others to the less loaded of u-i1/u-i2 (ties by id).
    expect(by).toEqual({
      'SYN-0007': 'u-i1', 'SYN-0002': 'u-i1', 'SYN-0019': 'u-i3', 'SYN-0031': 'u-i3', 'SYN-0014': 'u-i2',
      'SYN-0004': 'u-i3', 'SYN-0028': 'u-i2', 'SYN-0001': 'u-i1', 'SYN-0037': 'u-i2', 'SYN-0010': 'u-i1',
    });
    expect((await call('i2', 'GET', '/queue?assignee=me')).body.total).toBe(3);
  });

  it('claim, release and assign', async () => {
    const item = await itemOf('SYN-0037');
    expect((await call('i1', 'POST', `/items/${item.id}/claim`)).body).toMatchObject({ status: 'in_review', assignee: 'u-i1' });
    expect((await call('i2', 'POST', `/items/${item.id}/claim`)).status).toBe(409);
    expect((await call('i2', 'POST', `/items/${item.id}/release`)).status).toBe(403);
    expect((await call('i1', 'POST', `/items/${item.id}/release`)).body).toMatchObject({ status: 'queued', assignee: null });
    expect((await call('qa', 'POST', `/items/${item.id}/assign`, { userId: 'u-i2' })).body).toMatchObject({ assignee: 'u-i2' });
    expect((await call('qa', 'POST', `/items/${item.id}/assign`, { userId: 'nobody' })).status).toBe(400);
    expect((await call('agent', 'POST', `/items/${item.id}/claim`)).status).toBe(403);
  });
});

describe('review: human decisions and the reviewed score', () => {
  it('an overturned veto item re-scores the call; machine and human decisions are both kept', async () => {
    const item = await itemOf('SYN-0019');
    const r = await call('i3', 'POST', `/items/${item.id}/review`, { decisions: confirmAll(item, { no_pii_readout: '客户自己报的卡号，坐席未复述' }) });
    expect(r.status).toBe(200);
    // 80 + the 20 points no_pii_readout took = 100, no longer vetoed, passes (≥ 85).
    expect(r.body.reviewedScore).toMatchObject({ total: 100, passed: true, vetoed: false });
    expect(r.body.machineScore).toMatchObject({ total: 80, passed: false, vetoed: true });
    const d = r.body.decisions.find((x: any) => x.checkpointId === 'no_pii_readout');
    expect(d).toMatchObject({ machinePassed: false, humanPassed: true, verdict: 'overturn', comment: '客户自己报的卡号，坐席未复述', by: 'u-i3' });
    expect(r.body.status).toBe('done');
    const overrides = audit.events.filter((e) => e.action === 'score.override' && e.target === ids['SYN-0019']);
    expect(overrides).toEqual([expect.objectContaining({ actor: 'u-i3', details: expect.objectContaining({ from: { total: 80, passed: false }, to: { total: 100, passed: true }, checkpoints: ['no_pii_readout'] }) })]);
  });

  it('refuses incomplete reviews, an overturn without a comment, someone else’s item, and a second review', async () => {
    const item = await itemOf('SYN-0004');
    expect((await call('i3', 'POST', `/items/${item.id}/review`, { decisions: confirmAll(item).slice(1) })).body.error.message).toMatch(/standard_greeting.*needs a decision/);
    const noComment = confirmAll(item).map((d: any) => (d.checkpointId === 'closing' ? { ...d, verdict: 'overturn' } : d));
    expect((await call('i3', 'POST', `/items/${item.id}/review`, { decisions: noComment })).body.error.message).toMatch(/needs a comment/);
    expect((await call('i1', 'POST', `/items/${item.id}/review`, { decisions: confirmAll(item) })).status).toBe(403);
    const done = await itemOf('SYN-0019');
    expect((await call('i3', 'POST', `/items/${done.id}/review`, { decisions: confirmAll(done) })).status).toBe(409);
  });

  it('batch review saves all items or none', async () => {
    const a = await itemOf('SYN-0004');
    const b = await itemOf('SYN-0031');
    const bad = await call('i3', 'POST', '/reviews', { reviews: [{ itemId: a.id, decisions: confirmAll(a) }, { itemId: b.id, decisions: confirmAll(b).slice(2) }] });
    expect(bad.status).toBe(400);
    expect((await itemOf('SYN-0004')).status).toBe('queued');
    const ok = await call('i3', 'POST', '/reviews', { reviews: [{ itemId: a.id, decisions: confirmAll(a) }, { itemId: b.id, decisions: confirmAll(b) }] });
    expect(ok.status).toBe(200);
    expect(ok.body.items.map((i: any) => [i.meta.callId, i.status, i.reviewedScore.total])).toEqual([
      ['SYN-0004', 'done', 78],
      ['SYN-0031', 'done', 85],
    ]);
  });
});

describe('appeal: agent → team supervisor → QA supervisor', () => {
  let itemId: string;
  let appealId: string;

  it('the inspector fails the closing of SYN-0007 (93 → 88)', async () => {
    const item = await itemOf('SYN-0007');
    itemId = item.id;
    const r = await call('i1', 'POST', `/items/${item.id}/review`, { decisions: confirmAll(item, { closing: '结束语不完整' }) });
    expect(r.body.reviewedScore).toMatchObject({ total: 88, passed: true });
  });

  it('only the call’s own agent appeals, only a failed decision, with a reason', async () => {
    expect((await call('otherAgent', 'POST', `/items/${itemId}/appeals`, { checkpointId: 'closing', reason: '我说了' })).status).toBe(404);
    expect((await call('i1', 'POST', `/items/${itemId}/appeals`, { checkpointId: 'closing', reason: '我说了' })).status).toBe(403);
    expect((await call('agent', 'POST', `/items/${itemId}/appeals`, { checkpointId: 'standard_greeting', reason: 'x' })).status).toBe(400);
    expect((await call('agent', 'POST', `/items/${itemId}/appeals`, { checkpointId: 'closing', reason: ' ' })).status).toBe(400);
    const r = await call('agent', 'POST', `/items/${itemId}/appeals`, { checkpointId: 'closing', reason: '录音最后我说了“感谢您的来电”' });
    expect(r.status).toBe(201);
    appealId = r.body.id;
    expect(r.body).toMatchObject({ status: 'filed', agentId: 'A9054', dueAt: '2026-03-03T01:00:00.000Z', overdue: false });
    expect((await call('agent', 'POST', `/items/${itemId}/appeals`, { checkpointId: 'closing', reason: 'again' })).status).toBe(409);
  });

  it('the agent sees their own reviewed calls only', async () => {
    const mine = (await call('agent', 'GET', '/queue')).body.items.map((i: any) => i.meta.callId);
    expect(mine).toEqual(['SYN-0007']);
    expect((await call('otherAgent', 'GET', `/items/${itemId}`)).status).toBe(404);
    expect((await call('agent', 'GET', `/items/${itemId}`)).body.item.status).toBe('appealed');
  });

  it('the step is overdue after its SLA, and shows so in the queue', async () => {
    clock = new Date('2026-03-03T02:00:00.000Z'); // 25 h after filing; recommend SLA 24 h
    const overdue = await call('qa', 'GET', '/queue?overdue=true&status=appealed');
    expect(overdue.body.items.map((i: any) => i.meta.callId)).toEqual(['SYN-0007']);
    expect(overdue.body.items[0].appeals[0].overdue).toBe(true);
  });

  it('the QA supervisor cannot rule before the team supervisor recommends; another team’s supervisor cannot see it', async () => {
    expect((await call('qa', 'POST', `/appeals/${appealId}/rule`, { outcome: 'overturn', comment: 'x' })).status).toBe(409);
    expect((await call('otherSupervisor', 'POST', `/appeals/${appealId}/recommend`, { outcome: 'overturn', comment: 'x' })).status).toBe(404);
    expect((await call('qa', 'POST', `/appeals/${appealId}/recommend`, { outcome: 'overturn', comment: 'x' })).status).toBe(403);
    const r = await call('supervisor', 'POST', `/appeals/${appealId}/recommend`, { outcome: 'overturn', comment: '听了录音，结束语完整' });
    expect(r.body).toMatchObject({ status: 'recommended', dueAt: '2026-03-05T02:00:00.000Z', overdue: false });
  });

  it('the QA supervisor’s ruling overturns the decision and restores the score; the history has every step with its time', async () => {
    clock = new Date('2026-03-03T05:00:00.000Z');
    const r = await call('qa', 'POST', `/appeals/${appealId}/rule`, { outcome: 'overturn', comment: '同意改判' });
    expect(r.body.status).toBe('overturned');
    expect(r.body.history.map((h: any) => [h.action, h.by, h.at, h.outcome ?? null])).toEqual([
      ['filed', 'u-a9054', '2026-03-02T01:00:00.000Z', null],
      ['recommended', 'u-sup1', '2026-03-03T02:00:00.000Z', 'overturn'],
      ['ruled', 'u-qa', '2026-03-03T05:00:00.000Z', 'overturn'],
    ]);
    const item = (await call('agent', 'GET', `/items/${itemId}`)).body.item;
    expect(item.status).toBe('done');
    expect(item.reviewedScore).toMatchObject({ total: 93, passed: true });
    expect(item.decisions.find((d: any) => d.checkpointId === 'closing')).toMatchObject({ machinePassed: true, humanPassed: true, appealId });
    expect((await call('qa', 'POST', `/appeals/${appealId}/rule`, { outcome: 'uphold', comment: 'x' })).status).toBe(409);
    const trail = audit.events.filter((e) => e.target === ids['SYN-0007'] || e.target === appealId).map((e) => e.action);
    expect(trail).toEqual(['review.submitted', 'score.override', 'appeal.filed', 'appeal.recommended', 'appeal.ruled', 'score.override']);
  });

  it('appeal lists are scoped: the team supervisor sees their team’s, the other team’s supervisor none', async () => {
    expect((await call('supervisor', 'GET', '/appeals')).body.items.map((a: any) => a.id)).toEqual([appealId]);
    expect((await call('otherSupervisor', 'GET', '/appeals')).body.items).toEqual([]);
    expect((await call('qa', 'GET', '/appeals?status=open')).body.items).toEqual([]);
  });
});

describe('calibration: blind, κ per checkpoint', () => {
  let id: string;
  const calls = ['SYN-0002', 'SYN-0019', 'SYN-0007'];
  const machineOf = async (callId: string) => Object.fromEntries((await itemOf(callId)).machineScore.items.map((i: any) => [i.checkpointId, i.passed === null ? 'na' : i.passed ? 'passed' : 'failed']));

  it('a QA supervisor creates a session; inspectors cannot', async () => {
    const body = { name: '三月校准', callIds: calls.map((c) => ids[c]), inspectorIds: ['u-i1', 'u-i2', 'u-i3'] };
    expect((await call('i1', 'POST', '/calibrations', body)).status).toBe(403);
    const r = await call('qa', 'POST', '/calibrations', body);
    expect(r.status).toBe(201);
    id = r.body.id;
    expect(r.body.checkpoints).toHaveLength(13);
    expect(audit.actions()).toContain('calibration.created');
  });

  it('inspectors answer blind: each sees only their own answers, and no report before the session closes', async () => {
    for (const c of calls) {
      const machine = await machineOf(c);
      // u-i1 and u-i3 agree with the machine; u-i2 fails the closing of SYN-0019 (machine: passed).
      expect((await call('i1', 'PUT', `/calibrations/${id}/answers`, { callId: ids[c], decisions: machine })).status).toBe(200);
      expect((await call('i3', 'PUT', `/calibrations/${id}/answers`, { callId: ids[c], decisions: machine })).status).toBe(200);
      const mine = c === 'SYN-0019' ? { ...machine, closing: 'failed' } : machine;
      expect((await call('i2', 'PUT', `/calibrations/${id}/answers`, { callId: ids[c], decisions: mine })).status).toBe(200);
    }
    const view = (await call('i2', 'GET', `/calibrations/${id}`)).body;
    expect(view.answers.map((a: any) => a.inspectorId)).toEqual(['u-i2', 'u-i2', 'u-i2']);
    expect(JSON.stringify(view)).not.toContain('machine');
    expect((await call('i2', 'GET', `/calibrations/${id}/report`)).status).toBe(409);
    expect((await call('analyst', 'PUT', `/calibrations/${id}/answers`, { callId: ids['SYN-0002'], decisions: {} })).status).toBe(403);
  });

  it('after closing, the report gives the hand-computed κ', async () => {
    expect((await call('qa', 'POST', `/calibrations/${id}/close`)).body.status).toBe('closed');
    expect((await call('i1', 'PUT', `/calibrations/${id}/answers`, { callId: ids['SYN-0002'], decisions: await machineOf('SYN-0002') })).status).toBe(409);
    const r = (await call('i2', 'GET', `/calibrations/${id}/report`)).body;
    const closing = r.checkpoints.find((c: any) => c.checkpointId === 'closing');
    // closing: machine f,p,p (SYN-0002, SYN-0019, SYN-0007); i1 = i3 = machine; i2 f,f,p.
    // Cohen i1↔i2: po 2/3, pe (1·2 + 2·1)/9 = 4/9 → κ = 0.4. Fleiss over f/p counts [3,0],[1,2],[0,3]: P̄ 7/9, Pe 41/81 → 0.55.
    const pairOf = (a: string, b: string) => closing.inspectorPairs.find((p: any) => p.a === a && p.b === b);
    expect(pairOf('u-i1', 'u-i2').kappa).toBeCloseTo(0.4, 10);
    expect(pairOf('u-i1', 'u-i3').kappa).toBe(1);
    expect(closing.machine.map((m: any) => [m.b, m.n, m.kappa === null ? null : Math.round(m.kappa * 1e6) / 1e6])).toEqual([
      ['u-i1', 3, 1],
      ['u-i2', 3, 0.4],
      ['u-i3', 3, 1],
    ]);
    expect(closing.fleiss.kappa).toBeCloseTo(0.55, 10);
    expect(r.answers[ids['SYN-0019']!]['u-i2'].closing).toBe('failed');
    expect(r.answers[ids['SYN-0019']!].machine.closing).toBe('passed');
  });

  it('exports the report as CSV', async () => {
    const csv = await call('qa', 'GET', `/calibrations/${id}/report?format=csv`);
    expect(csv.status).toBe(200);
    const lines = String(csv.body).trim().split('\n');
    expect(lines[0]).toBe('checkpoint_id,checkpoint,measure,rater_a,rater_b,calls,agreement,kappa');
    expect(lines).toContain('closing,规范结束语,cohen_inspectors,u-i1,u-i2,3,0.6667,0.4');
    expect(lines).toContain('closing,规范结束语,fleiss,all,3 inspectors,3,,0.55');
    expect(audit.actions()).toContain('calibration.exported');
  });
});

describe('backtest labels from reviewed calls', () => {
  it('exports the final human failures as LabelLine JSON (what `callscope scorecard test --labels` reads)', async () => {
    const r = await call('qa', 'GET', '/labels?scorecardId=bank-service-standard');
    const lines = String(r.body).trim().split('\n').map((l) => JSON.parse(l));
    const by = Object.fromEntries(lines.map((l: any) => [l.callId, l.violations]));
    // SYN-0019: the PII veto overturned, nothing else failed; SYN-0007: closing failed then restored on appeal,
    // its interruption (AGENT_INTERRUPTION) confirmed failed (speech_rate has no label).
    expect(by['SYN-0019']).toEqual([]);
    expect(by['SYN-0007']).toEqual(['AGENT_INTERRUPTION']);
    expect(Object.keys(by).sort()).toEqual(['SYN-0004', 'SYN-0007', 'SYN-0019', 'SYN-0031']);
    // The backtest reads them as they are.
    const docs = [];
    for await (const d of p.store.all()) docs.push(d);
    const matched = matchLabels(lines.map((value: unknown, i: number) => ({ where: `labels:${i + 1}`, value })), docs);
    expect(matched.problems).toEqual([]);
    expect(matched.calls.map((c) => [c.name, c.violations])).toContainEqual(['SYN-0007', ['AGENT_INTERRUPTION']]);
    expect((await call('i1', 'GET', '/labels?scorecardId=bank-service-standard')).status).toBe(403);
  });
});

describe('SLA and scorecard versions', () => {
  it('a queued item past its review SLA (48 h) is overdue', async () => {
    const queued = (await call('qa', 'GET', '/queue?status=queued')).body;
    expect(queued.total).toBeGreaterThan(0);
    expect((await call('qa', 'GET', '/queue?status=queued&overdue=true')).body.total).toBe(0);
    clock = new Date('2026-03-04T01:00:01.000Z'); // queued at 03-02T01:00
    const overdue = (await call('qa', 'GET', '/queue?status=queued&overdue=true')).body;
    expect(overdue.total).toBe(queued.total);
    expect(overdue.items.every((i: any) => i.overdue && i.dueAt === '2026-03-04T01:00:00.000Z')).toBe(true);
  });

  it('a call graded by a new scorecard version is queued again, once', async () => {
    const doc = (await p.store.get(ids['SYN-0019']!))!;
    await p.store.put({ ...doc, scores: [...doc.scores, { ...doc.scores[0]!, version: '6' }] }, 'rescored');
    expect((await call('qa', 'POST', '/sync')).body).toMatchObject({ added: 1, byReason: { vetoed: 1 } });
    expect((await call('qa', 'POST', '/sync')).body.added).toBe(0);
    const items = (await call('qa', 'GET', `/queue?callId=${ids['SYN-0019']}`)).body.items;
    expect(items.map((i: any) => [i.scorecardVersion, i.status])).toEqual([
      ['5', 'done'],
      ['6', 'queued'],
    ]);
  });
});

describe('role × endpoint: every role not allowed gets 403 before anything happens', () => {
  const ROLES = ['admin', 'qa_supervisor', 'qa_inspector', 'supervisor', 'analyst', 'agent', 'trainer'] as const;
  const U = '00000000-0000-4000-8000-000000000000';
  // Written out by hand (docs/review.md), not read from permissions.ts, so a change there must change this too.
  const ALLOWED: Array<[string, string, string[]]> = [
    ['GET', '/queue', ['admin', 'qa_supervisor', 'qa_inspector', 'supervisor', 'agent']],
    ['POST', '/sync', ['admin', 'qa_supervisor']],
    ['GET', `/items/${U}`, ['admin', 'qa_supervisor', 'qa_inspector', 'supervisor', 'agent', 'trainer']],
    ['POST', `/items/${U}/claim`, ['qa_supervisor', 'qa_inspector']],
    ['POST', `/items/${U}/release`, ['qa_supervisor', 'qa_inspector']],
    ['POST', `/items/${U}/assign`, ['admin', 'qa_supervisor']],
    ['POST', `/items/${U}/review`, ['qa_supervisor', 'qa_inspector']],
    ['POST', '/reviews', ['qa_supervisor', 'qa_inspector']],
    ['GET', '/inspectors', ['admin', 'qa_supervisor', 'qa_inspector']],
    ['PUT', '/inspectors/u-x', ['admin', 'qa_supervisor']],
    ['GET', '/appeals', ['admin', 'qa_supervisor', 'qa_inspector', 'supervisor', 'agent']],
    ['POST', `/items/${U}/appeals`, ['agent']],
    ['POST', `/appeals/${U}/recommend`, ['supervisor']],
    ['POST', `/appeals/${U}/rule`, ['qa_supervisor']],
    ['GET', '/calibrations', ['admin', 'qa_supervisor', 'qa_inspector']],
    ['POST', '/calibrations', ['admin', 'qa_supervisor']],
    ['GET', `/calibrations/${U}`, ['admin', 'qa_supervisor', 'qa_inspector']],
    ['PUT', `/calibrations/${U}/answers`, ['qa_supervisor', 'qa_inspector']],
    ['POST', `/calibrations/${U}/close`, ['admin', 'qa_supervisor']],
    ['GET', `/calibrations/${U}/report`, ['admin', 'qa_supervisor', 'qa_inspector', 'analyst', 'trainer']],
    ['GET', '/labels?scorecardId=bank-service-standard', ['admin', 'qa_supervisor', 'analyst']],
  ];
  const cases = ALLOWED.flatMap(([method, url, allowed]) => ROLES.map((role) => [method, url, role, allowed.includes(role)] as const));

  it.each(cases)('%s %s as %s (allowed: %s)', async (method, url, role, allowed) => {
    const actor = { userId: `u-${role}`, name: role, role, scope: role === 'agent' ? { kind: 'own' as const, agentId: 'A0000' } : { kind: 'all' as const }, canUnmask: false };
    const app = mountAs(actor, routes, '/api/review');
    const res = await app.request(`/api/review${url}`, { method, ...(method === 'GET' ? {} : { body: '{}', headers: { 'Content-Type': 'application/json' } }) });
    if (allowed) expect(res.status).not.toBe(403);
    else expect(res.status).toBe(403);
  });
});
