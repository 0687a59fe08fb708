import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCHES, syntheticCalls } from '../../bench/store/synthetic-calls.ts';
import { UI_DIST } from '../../api/app.ts';
import { startServer, type RunningServer } from '../../api/server.ts';
import { authWithAdmin, signInBrowser } from '../auth-helpers.ts';
import { repoRoot } from '../../core/config.ts';
import type { CallDoc } from '../../core/schemas.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { tempDir, tempStoreWith } from '../helpers.ts';

/**
 * The exploration pages in a real Chromium against the real API over a real SQLite store of
 * generated calls. Two causes are planted so the answer is known: in October every call of one
 * branch is escalated as a complaint (root cause must name that branch), and in October a new tag
 * appears on every 8th call (hot topics must list it), and every 8th call's customer says 盗刷, a word no
 * September call holds (hot topics must discover it). Every number asserted on screen is counted
 * here over the generated documents.
 */
const SHOTS = path.join(repoRoot, 'test-output', 'e2e');
const PLANTED_BRANCH = BRANCHES[6]!;
const NEW_TAG = 'fee.new_charge';
const NEW_WORD = '盗刷';
const FROM = '2026-10-01';
const TO = '2026-11-01';

const at = (d: CallDoc, from: string, to: string) => {
  const t = Date.parse(d.recordedAt!);
  return t >= Date.parse(`${from}T00:00:00+08:00`) && t < Date.parse(`${to}T00:00:00+08:00`);
};
const docs: CallDoc[] = [...syntheticCalls(1500, { seed: 5, startDate: '2026-09-01', days: 61, embeddingDims: 8 })].map((d, i) => {
  if (!at(d, FROM, TO)) return d;
  const planted = structuredClone(d);
  if (d.meta.branch === PLANTED_BRANCH) planted.meta.complaintEscalated = true;
  if (i % 8 === 0) planted.nlp!.tags.push({ id: NEW_TAG, path: '费用/新增收费', complaint: false, confidence: 0.9, via: 'keywords', segmentIds: [] });
  if (i % 8 === 0) {
    const end = planted.segments.at(-1)?.end ?? 0;
    const text = '我的信用卡被盗刷了';
    planted.segments.push({ id: `${d.id}-stolen`, role: 'customer', start: end, end: end + 2, text, textMasked: text, tokens: [], hits: [] });
  }
  return planted;
});
const inWindow = docs.filter((d) => at(d, FROM, TO));
const september = docs.filter((d) => at(d, '2026-09-01', FROM));
const isComplaint = (d: CallDoc) => (d.review?.flags ?? []).includes('complaint_threat') || d.meta.complaintEscalated === true;
const count = (n: number) => n.toLocaleString('en-US');
const pct = (num: number, den: number) => `${((num / den) * 100).toFixed(1)}%`;

let s: { store: CallStore; close(): Promise<void> };
let server: RunningServer;
const accounts = tempDir('callscope-explore-accounts-');
let browser: Browser;
let page: Page;
const errors: Error[] = [];

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `explore-${name}.png`), fullPage: true });
const resultCount = () => page.getByTestId('result-count').innerText();

beforeAll(async () => {
  if (!existsSync(path.join(UI_DIST, 'index.html'))) throw new Error('ui/dist is missing: run `npm run build:ui` first');
  mkdirSync(SHOTS, { recursive: true });
  s = await tempStoreWith(docs);
  server = await startServer(s.store, '127.0.0.1', 0, { auth: await authWithAdmin(accounts.dir) });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signInBrowser(page.context(), server.url);
  page.on('pageerror', (err) => errors.push(err));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await s?.close();
  accounts.cleanup();
  expect(errors.map((e) => e.message)).toEqual([]);
});

describe('总览 dashboard → filtered call list → call detail', () => {
  it('shows the window totals counted from the calls', async () => {
    await page.goto(`${server.url}/#/overview?from=${FROM}&to=${TO}`);
    const kpi = (name: string) => page.getByTestId(`kpi-${name}`).getByTestId('kpi-value');
    await expect.poll(() => kpi('calls').innerText(), { timeout: 15_000 }).toBe(count(inWindow.length));
    expect(await kpi('complaintRate').innerText()).toBe(pct(inWindow.filter(isComplaint).length, inWindow.length));
    expect(await kpi('passRate').innerText()).toBe(pct(inWindow.filter((d) => d.scores[0]!.passed).length, inWindow.length));
    const scores = inWindow.map((d) => d.scores[0]!.total);
    expect(await kpi('avgScore').innerText()).toBe((scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(1));
    expect(await page.getByTestId('trend-point').count()).toBe(31);
    await expect.poll(() => page.getByTestId('breakdown-bar').count()).toBeGreaterThan(3);
    await shot('1-overview');
  });

  it('a branch bar lists exactly that branch’s calls of the window', async () => {
    const branch = page.getByTestId('breakdown-branch').getByTestId('breakdown-bar').first();
    const name = (await branch.getAttribute('data-key'))!;
    const expected = inWindow.filter((d) => d.meta.branch === name).length;
    expect(await branch.innerText()).toContain(String(expected));
    await branch.click();
    await page.waitForURL(/#\/\?/);
    await expect.poll(resultCount).toBe(`共 ${expected} 条`);
    expect(await page.getByTestId('drill-chip').allInnerTexts()).toContain(`分行：${name}`);
    await shot('2-drill-branch');

    await page.getByTestId('call-row').first().locator('a').first().click();
    await page.waitForURL(/#\/calls\/[0-9a-f]{64}/);
    await expect.poll(() => page.getByTestId('emotion-block').count()).toBeGreaterThan(2);
    // No audio endpoint on this server: the player says so instead of pretending.
    await expect.poll(() => page.getByTestId('audio-state').getAttribute('data-state')).toBe('none');
    expect(await page.getByTestId('audio-player').innerText()).toContain('无录音可播放');
    const id = page.url().match(/calls\/([0-9a-f]{64})/)![1]!;
    const doc = docs.find((d) => d.id === id)!;
    expect(doc.meta.branch).toBe(name);
    expect(await page.getByTestId('emotion-block').count()).toBe(doc.segments.length);
    await shot('3-call-detail');
  });

  it('a trend point lists the complaints of that day; a checkpoint bar its failures', async () => {
    await page.goto(`${server.url}/#/overview?from=${FROM}&to=${TO}&metric=complaintRate`);
    const point = page.locator('[data-testid="trend-point"][data-bucket="2026-10-14"]');
    await point.waitFor();
    await point.click();
    await page.waitForURL(/complaint=true/);
    const expected = docs.filter((d) => at(d, '2026-10-14', '2026-10-15') && isComplaint(d)).length;
    await expect.poll(resultCount).toBe(`共 ${expected} 条`);

    await page.goto(`${server.url}/#/overview?from=${FROM}&to=${TO}`);
    const bar = page.getByTestId('checkpoint-bar').first();
    await bar.waitFor();
    const cp = (await bar.getAttribute('data-key'))!;
    const failed = inWindow.filter((d) => d.scores[0]!.items.some((i) => i.checkpointId === cp && i.passed === false)).length;
    await bar.click();
    await expect.poll(resultCount).toBe(`共 ${failed} 条`);
  });
});

describe('对比, 热点, 根因, 聚类', () => {
  it('compares two products with the counts and rates of each', async () => {
    await page.goto(`${server.url}/#/compare?from=${FROM}&to=${TO}&a.label=信用卡&a.product=信用卡&b.label=借记卡&b.product=借记卡`);
    const a = inWindow.filter((d) => d.meta.product === '信用卡');
    const b = inWindow.filter((d) => d.meta.product === '借记卡');
    const row = page.locator('[data-testid="compare-row"][data-metric="complaintRate"]');
    await expect.poll(() => row.getByTestId('value-a').innerText(), { timeout: 15_000 }).toContain(pct(a.filter(isComplaint).length, a.length));
    expect(await row.getByTestId('value-b').innerText()).toContain(pct(b.filter(isComplaint).length, b.length));
    expect(await page.getByTestId('cohort-a-calls').innerText()).toContain(`${a.length}`);
    await shot('4-compare');
    await page.getByTestId('cohort-b-calls').click();
    await expect.poll(resultCount).toBe(`共 ${b.length} 条`);
  });

  it('lists the planted new tag among rising topics with its count, and drills to its calls', async () => {
    await page.goto(`${server.url}/#/hot?from=${FROM}&to=${TO}`);
    const row = page.locator(`[data-testid="hot-topic"][data-key="${NEW_TAG}"]`);
    await row.waitFor({ timeout: 15_000 });
    const tagged = inWindow.filter((d) => d.nlp!.tags.some((t) => t.id === NEW_TAG)).length;
    expect(await row.getByTestId('hot-current').innerText()).toBe(String(tagged));
    expect(await row.innerText()).toContain('新出现');
    for (const r of await page.getByTestId('hot-topic').all()) {
      const key = (await r.getAttribute('data-key'))!;
      if ((await r.getAttribute('data-source')) !== 'tags') continue;
      const now = inWindow.filter((d) => d.nlp!.tags.some((t) => t.id === key)).length;
      expect(await r.getByTestId('hot-current').innerText()).toBe(String(now));
    }
    await shot('5-hot-topics');
    await row.getByTestId('hot-topic-link').click();
    await expect.poll(resultCount).toBe(`共 ${tagged} 条`);
  });

  it('discovers the planted customer word with its count, and drills to the calls that say it', async () => {
    await page.goto(`${server.url}/#/hot?from=${FROM}&to=${TO}`);
    const row = page.locator(`[data-testid="hot-topic"][data-source="terms"][data-key="${NEW_WORD}"]`);
    await row.waitFor({ timeout: 30_000 });
    const said = inWindow.filter((d) => d.segments.some((x) => x.role === 'customer' && x.textMasked.includes(NEW_WORD))).length;
    expect(said).toBeGreaterThan(0);
    expect(await row.getByTestId('hot-current').innerText()).toBe(String(said));
    expect(await row.innerText()).toContain('发现词');
    expect(await row.innerText()).toContain('新出现');
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'explore-5b-hot-terms.png') });
    await row.getByTestId('hot-topic-link').click();
    await expect.poll(resultCount).toBe(`共 ${said} 条`);
    await page.goto(`${server.url}/#/hot?from=${FROM}&to=${TO}&discover=false`);
    await page.locator(`[data-testid="hot-topic"][data-key="${NEW_TAG}"]`).waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="hot-topic"][data-source="terms"]').count()).toBe(0);
  });

  it('names the planted branch as the top branch factor and its share of the change', async () => {
    await page.goto(`${server.url}/#/root-cause?from=${FROM}&to=${TO}&target=complaint`);
    const factor = page.locator(`[data-testid="factor"][data-dimension="branch"]`).first();
    await factor.waitFor({ timeout: 15_000 });
    expect(await factor.getAttribute('data-value')).toBe(PLANTED_BRANCH);
    const mine = inWindow.filter((d) => d.meta.branch === PLANTED_BRANCH);
    expect(await factor.innerText()).toContain(`${mine.filter(isComplaint).length}/${mine.length}`);

    const r0 = september.filter(isComplaint).length / september.length;
    const r1 = inWindow.filter(isComplaint).length / inWindow.length;
    const sign = r1 - r0 >= 0 ? '+' : '';
    await expect.poll(() => page.getByTestId('change-total').innerText()).toContain(`${sign}${((r1 - r0) * 100).toFixed(2)} pp`);
    // The largest contribution in the waterfall is the planted branch, and it raised the rate.
    const bars = page.getByTestId('waterfall-bar');
    expect(await bars.nth(1).getAttribute('data-key')).toBe(PLANTED_BRANCH);
    expect(Number(await bars.nth(1).getAttribute('data-value'))).toBeGreaterThan(0);
    await shot('6-root-cause');

    await factor.getByTestId('factor-link').click();
    await expect.poll(resultCount).toBe(`共 ${mine.filter(isComplaint).length} 条`);
  });

  it('shows a plain error on the cluster page when the cluster service is absent', async () => {
    await page.goto(`${server.url}/#/clusters?from=${FROM}&to=${TO}`);
    const err = page.getByTestId('error');
    await err.waitFor({ timeout: 15_000 });
    expect(await err.innerText()).toContain('聚类服务不可用');
    await shot('7-clusters-unavailable');
  });

  it('says plainly when the range holds no calls', async () => {
    await page.goto(`${server.url}/#/overview?from=2025-01-01&to=2025-02-01`);
    await expect.poll(() => page.getByTestId('empty').innerText(), { timeout: 15_000 }).toBe('所选范围内没有通话');
    expect(await page.getByTestId('kpi-calls').count()).toBe(0);
  });

  it('switches to English and keeps the choice after a reload', async () => {
    await page.goto(`${server.url}/#/overview?from=${FROM}&to=${TO}`);
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('nav').innerText()).toContain('Root cause');
    await page.reload();
    await expect.poll(() => page.getByTestId('nav').innerText()).toContain('Overview');
    await expect.poll(() => page.getByTestId('kpi-calls').innerText()).toContain('Calls');
    await shot('8-overview-english');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('nav').innerText()).toContain('总览');
  });
});
