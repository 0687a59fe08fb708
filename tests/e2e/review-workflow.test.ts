import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_DIST } from '../../api/app.ts';
import { openReview, type Review } from '../../api/review/open-review.ts';
import { repoRoot } from '../../core/config.ts';
import { tempDir, testPipeline, type TestPipeline } from '../helpers.ts';
import { MemoryAuditLog } from '../memory-audit.ts';
import { REVIEW_ACTORS, type ReviewActorName } from '../review-actors.ts';
import { ingestDevTranscripts } from '../review-calls.ts';
import { startReviewServer, type ReviewServer } from '../review-server.ts';

/**
 * The review workflow in Chromium: an inspector reviews a flagged call, its agent appeals, the team
 * supervisor recommends, the QA supervisor rules; a closed calibration session shows its κ table.
 * The dev calls go through the real pipeline into a real SQLite store.
 */
const SHOTS = path.join(repoRoot, 'test-output', 'e2e');
const data = tempDir('callscope-review-e2e-');
const audit = new MemoryAuditLog();
let p: TestPipeline;
let review: Review;
let server: ReviewServer;
let browser: Browser;
let page: Page;
let ids: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(path.join(UI_DIST, 'index.html'))) throw new Error('ui/dist is missing: run `npm run build:ui` first');
  mkdirSync(SHOTS, { recursive: true });
  p = testPipeline(path.join(data.dir, 'data'));
  mkdirSync(path.join(data.dir, 'in'));
  ids = await ingestDevTranscripts(p, path.join(data.dir, 'in'));
  review = openReview(p.config, p.store, audit);
  review.workflow.saveInspector({ userId: 'u-i1', name: '质检员甲', teams: [], skills: ['信用卡'], active: true });
  review.workflow.saveInspector({ userId: 'u-i2', name: '质检员乙', teams: [], skills: [], active: true });
  await review.workflow.sync(REVIEW_ACTORS.qa);
  server = await startReviewServer(p.store, review, p.config);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (err) => {
    throw err;
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  review?.close();
  await p?.close();
  data.cleanup();
});

/** Logs in as another user (a real session cookie) and opens a page afresh as them. */
async function openAs(who: ReviewActorName, hash: string): Promise<void> {
  await page.context().clearCookies();
  await page.context().addCookies([await server.loginAs(who)]);
  await page.goto('about:blank');
  await page.goto(`${server.url}/${hash}`);
}

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, name), fullPage: true });

describe('review → appeal → ruling in the browser', () => {
  it('the inspector sees their queue with reasons and deadlines', async () => {
    await openAs('i1', `#/review?mine=1`);
    const rows = page.getByTestId('queue-row');
    // u-i1 has the 信用卡 skill: SYN-0001, SYN-0002, SYN-0007 (complaint flags / tags, SYN-0002 also vetoed).
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(3);
    const row = page.locator('[data-testid="queue-row"][data-call-id="SYN-0007"]');
    expect(await row.innerText()).toContain('投诉意向');
    await shot('review-1-queue.png');
  });

  it('reviews the flagged call: overturns one checkpoint with a comment; the reviewed score is shown beside the machine’s', async () => {
    await page.locator('[data-testid="queue-row"][data-call-id="SYN-0007"] a').click();
    await page.waitForURL(/#\/review\/items\//);
    const closing = page.locator('[data-testid="decision"][data-checkpoint-id="closing"]');
    await closing.getByTestId('overturn').click();
    await closing.getByTestId('comment').fill('结束语不完整，未说“感谢您的来电”');
    // The transcript shows the machine's evidence highlighted (SYN-0007's closing phrase, found by the machine).
    await expect.poll(() => page.locator('[data-testid="segment"] mark.evidence-ok').count()).toBeGreaterThan(0);
    await shot('review-2-call-before.png');
    await page.getByTestId('submit-review').click();
    await expect.poll(() => page.getByTestId('item-status').innerText()).toBe('已复核');
    // 93 − 5 (closing) = 88: still passes (≥ 85).
    expect(await page.getByTestId('reviewed-score').locator('.total').innerText()).toContain('88');
    expect(await closing.getByTestId('human-verdict').innerText()).toBe('人工：不通过（改判）');
    await shot('review-3-call-reviewed.png');
    expect(audit.actions()).toEqual(['review.submitted', 'score.override']);
  });

  it('the agent appeals the overturned decision on their own call', async () => {
    await openAs('agent', `#/review`);
    const rows = page.getByTestId('queue-row');
    await expect.poll(() => rows.count()).toBe(1);
    await rows.first().locator('a').click();
    const closing = page.locator('[data-testid="decision"][data-checkpoint-id="closing"]');
    await closing.getByTestId('appeal').click();
    await closing.getByTestId('appeal-reason').fill('录音最后我说了“感谢您的来电，再见”');
    await closing.getByTestId('appeal-submit').click();
    await expect.poll(() => page.getByTestId('appeal-record').getAttribute('data-status')).toBe('filed');
    expect(await page.getByTestId('item-status').innerText()).toBe('申诉中');
    await shot('review-4-appeal-filed.png');
  });

  it('the team supervisor recommends overturning', async () => {
    await openAs('supervisor', `#/review/appeals`);
    const card = page.getByTestId('appeal-card');
    await expect.poll(() => card.count()).toBe(1);
    await card.getByTestId('step-comment').fill('听了录音，结束语完整');
    await card.getByTestId('overturn').click();
    await expect.poll(() => page.getByTestId('appeal-status').innerText()).toBe('待质检主管裁定');
    await shot('review-5-recommended.png');
  });

  it('the QA supervisor rules; the call’s reviewed score is restored and the history has every step', async () => {
    await openAs('qa', `#/review/appeals`);
    const card = page.getByTestId('appeal-card');
    await expect.poll(() => card.count()).toBe(1);
    await card.getByTestId('step-comment').fill('同意改判');
    await card.getByTestId('overturn').click();
    await expect.poll(() => page.getByTestId('no-appeals').count()).toBe(1);
    await page.getByTestId('appeal-filter').selectOption('overturned');
    await expect.poll(() => page.getByTestId('appeal-status').innerText()).toBe('已改判');
    expect((await card.locator('.history li').allInnerTexts()).map((t) => t.split(' · ').slice(1).join(' · '))).toEqual([
      'u-a9054 · 提出申诉：录音最后我说了“感谢您的来电，再见”',
      'u-sup1 · 组长建议（改判）：听了录音，结束语完整',
      'u-qa · 主管裁定（改判）：同意改判',
    ]);
    await shot('review-6-ruled.png');
    await card.locator('header a').click();
    await expect.poll(() => page.getByTestId('reviewed-score').locator('.total').innerText()).toContain('93');
    await shot('review-7-call-after-appeal.png');
    expect(audit.actions()).toEqual(['review.submitted', 'score.override', 'appeal.filed', 'appeal.recommended', 'appeal.ruled', 'score.override']);
  });

  it('an agent cannot open another agent’s call, and the page says so', async () => {
    const url = page.url();
    await openAs('otherAgent', url.slice(url.indexOf('#')));
    await expect.poll(() => page.getByTestId('error').innerText()).toContain('no review item');
  });
});

describe('calibration in the browser: create, answer blind, close, κ report', () => {
  const calls = ['SYN-0002', 'SYN-0019', 'SYN-0007'];
  let sessionId: string;
  const machineOf = async (c: string) => {
    const doc = (await p.store.get(ids[c]!))!;
    return Object.fromEntries(doc.scores[0]!.items.map((i) => [i.checkpointId, i.passed === null ? 'na' : i.passed ? 'passed' : 'failed'] as const));
  };

  it('the QA supervisor creates a session from queued calls and two inspectors', async () => {
    await openAs('qa', '#/review/calibrations');
    const form = page.getByTestId('new-session');
    await form.getByTestId('session-name').fill('三月校准');
    for (const c of calls) await form.locator('label', { hasText: `${c} ·` }).locator('input').check();
    for (const u of ['u-i1', 'u-i2']) await form.locator('label', { hasText: `（${u}）` }).locator('input').check();
    await shot('review-8-calibration-new.png');
    await form.getByTestId('create-session').click();
    await page.waitForURL(/#\/review\/calibrations\/[0-9a-f-]{36}$/);
    sessionId = page.url().split('/').pop()!;
    expect(review.calibrations.session(sessionId)).toMatchObject({ name: '三月校准', inspectorIds: ['u-i1', 'u-i2'] });
    expect(review.calibrations.session(sessionId).callIds.sort()).toEqual(calls.map((c) => ids[c]).sort());
  });

  it('an inspector answers blind in the page (no κ, no machine answers shown); the other answers by API', async () => {
    await openAs('i1', `#/review/calibrations/${sessionId}`);
    const forms = page.getByTestId('calibration-call');
    await expect.poll(() => forms.count()).toBe(3);
    expect(await page.getByTestId('kappa-report').count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toContain('机器');
    // u-i1 agrees with the machine everywhere.
    for (const c of calls) {
      const machine = await machineOf(c);
      const form = page.locator(`[data-testid="calibration-call"][data-call-id="${ids[c]}"]`);
      for (const [cp, cat] of Object.entries(machine)) await form.locator(`input[name="${ids[c]}-${cp}"][value="${cat}"]`).check();
      await form.getByTestId('submit-answers').click();
      await expect.poll(() => form.locator('.badge.pass').count()).toBe(1);
    }
    await shot('review-9-calibration-blind.png');
    // u-i2 fails the closing of SYN-0019, which the machine passed.
    for (const c of calls) {
      const machine = await machineOf(c);
      review.calibrations.answer(REVIEW_ACTORS.i2, sessionId, ids[c]!, c === 'SYN-0019' ? { ...machine, closing: 'failed' } : machine);
    }
  });

  it('closed, the report shows κ per checkpoint (closing: Cohen 0.400 between inspectors, machine ↔ u-i2 0.400, Fleiss 0.333)', async () => {
    await openAs('qa', `#/review/calibrations/${sessionId}`);
    await page.getByTestId('close-session').click();
    const row = page.locator('[data-testid="kappa-row"][data-checkpoint-id="closing"]');
    await expect.poll(() => row.count()).toBe(1);
    // closing: machine/u-i1 f,p,p; u-i2 f,f,p. Cohen po 2/3, pe 4/9 → 0.4; Fleiss (= Scott's π for two) pe 1/2 → 1/3.
    expect(await row.getByTestId('pair').innerText()).toBe('0.400');
    expect(await row.getByTestId('machine').allInnerTexts()).toEqual(['1.000', '0.400']);
    expect(await row.getByTestId('fleiss').innerText()).toBe('0.333');
    const { value: token } = await server.loginAs('qa');
    const csv = await (await fetch(`${server.url}/api/review/calibrations/${sessionId}/report?format=csv`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(csv).toContain('closing,规范结束语,cohen_inspectors,u-i1,u-i2,3,0.6667,0.4');
    await shot('review-10-calibration-report.png');
  });
});

describe('batch review in the browser', () => {
  it('an inspector selects two queued calls and confirms the machine’s decisions in one request', async () => {
    await openAs('i1', '#/review?mine=1&status=queued');
    const rows = page.getByTestId('queue-row');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    const picked = ['SYN-0001', 'SYN-0010'];
    for (const c of picked) await page.locator(`[data-testid="queue-row"][data-call-id="${c}"]`).getByTestId('select').check();
    await page.getByTestId('batch-confirm').click();
    await expect.poll(() => page.getByTestId('notice').innerText()).toBe('已批量确认 2 通');
    await expect.poll(() => page.locator('[data-testid="queue-row"][data-call-id="SYN-0001"]').count()).toBe(0);
    const { items } = review.workflow.list(REVIEW_ACTORS.qa.scope, { status: 'done', limit: 50, offset: 0 });
    const done = items.filter((i) => picked.includes(i.meta.callId!));
    expect(done.map((i) => [i.reviewer, i.reviewedScore!.total === i.machineScore.total])).toEqual([
      ['u-i1', true],
      ['u-i1', true],
    ]);
    await shot('review-11-batch.png');
  });
});
