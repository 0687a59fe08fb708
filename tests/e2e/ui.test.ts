import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../api/server.ts';
import { UI_DIST } from '../../api/app.ts';
import { repoRoot } from '../../core/config.ts';
import { CALLS_DIR, tempDir, testPipeline, type TestPipeline } from '../helpers.ts';
import type { Auth } from '../../api/auth/auth.ts';
import { authWithAdmin, TEST_PASSWORD } from '../auth-helpers.ts';

/** Screenshots land here for a person to look at (CI keeps the folder as output). */
const SHOTS = path.join(repoRoot, 'test-output', 'e2e');
const FILES = ['SYN-0001.mp3', 'SYN-0014.mp3', 'SYN-0028.mp3'];
const data = tempDir('callscope-e2e-');
let p: TestPipeline;
let server: RunningServer;
let browser: Browser;
let page: Page;
let auth: Auth;

beforeAll(async () => {
  if (!existsSync(path.join(UI_DIST, 'index.html'))) throw new Error('ui/dist is missing: run `npm run build:ui` first');
  mkdirSync(SHOTS, { recursive: true });
  p = testPipeline(data.dir);
  await p.pipeline.ingest(FILES.map((f) => path.join(CALLS_DIR, f)), path.join(CALLS_DIR, 'meta.jsonl'));
  auth = await authWithAdmin(data.dir);
  server = await startServer(p.store, '127.0.0.1', 0, { config: p.config, auth });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (err) => {
    throw err;
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  auth?.close();
  await p?.close();
  data.cleanup();
});

describe('call list → search → call detail with evidence', () => {
  it('asks to sign in first (登录), refuses a wrong password, then shows the user and role', async () => {
    await page.goto(`${server.url}/`);
    await page.getByTestId('login').waitFor();
    expect(await page.getByTestId('call-row').count()).toBe(0);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').innerText()).toContain('用户名或密码错误');
    await page.screenshot({ path: path.join(SHOTS, '0-login.png') });
    await page.getByTestId('login-password').fill(TEST_PASSWORD);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('current-user').innerText()).toContain('管理员');
  });

  it('lists every call with agent, branch, score and flags', async () => {
    await page.goto(`${server.url}/`);
    const rows = page.getByTestId('call-row');
    await expect.poll(() => rows.count()).toBe(3);
    const text = await page.locator('body').innerText();
    expect(text).toContain('杨丽');
    expect(text).toContain('成都客服中心');
    expect(text).toContain('服务禁语');
    await page.screenshot({ path: path.join(SHOTS, '1-call-list.png'), fullPage: true });
  });

  it('searches a word that occurs in one call only', async () => {
    const word = '违约金';
    const expected = FILES.filter((f) => readFileSync(path.join(CALLS_DIR, `${f}.transcript.json`), 'utf8').includes(word));
    expect(expected).toEqual(['SYN-0014.mp3']);
    await page.getByTestId('search-input').fill(word);
    await page.getByTestId('search-button').click();
    await expect.poll(() => page.getByTestId('call-row').count()).toBe(1);
    await expect.poll(() => page.getByTestId('result-count').innerText()).toContain('1');
    expect(await page.locator('mark').first().innerText()).toBe(word);
    await page.screenshot({ path: path.join(SHOTS, '2-search.png'), fullPage: true });
  });

  it('opens the call and shows the failed checkpoint with its evidence in the transcript', async () => {
    await page.getByTestId('call-row').first().locator('a').first().click();
    await page.waitForURL(/#\/calls\/[0-9a-f]{64}/);
    const forbidden = page.locator('[data-testid="checkpoint"][data-checkpoint-id="no_forbidden_phrases"]');
    await expect.poll(() => forbidden.getAttribute('data-passed')).toBe('false');
    const evidence = forbidden.getByTestId('evidence');
    expect(await evidence.count()).toBe(1);
    expect(await evidence.first().innerText()).toContain('你听不懂吗');
    const marked = page.locator('[data-testid="segment"].evidence-fail mark.evidence');
    await expect.poll(() => marked.count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, '3-call-detail.png'), fullPage: true });
    expect(await marked.allInnerTexts()).toContain('你听不懂吗');
    await evidence.first().click();
    await page.screenshot({ path: path.join(SHOTS, '3-call-detail.png'), fullPage: true });
  });

  it('finds utterances like a sentence in the other calls (相似), nearest first, and opens one at that sentence', async () => {
    const here = /#\/calls\/([0-9a-f]{64})/.exec(page.url())![1]!;
    await page.getByTestId('similar-button').first().click();
    const panel = page.getByTestId('similar-panel');
    const items = panel.getByTestId('similar-item');
    await expect.poll(() => items.count()).toBeGreaterThan(0);
    // Two other calls are in the store: each is one hit (its nearest sentence), never the call itself.
    const ids = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-call-id')));
    expect(ids.length).toBeLessThanOrEqual(FILES.length - 1);
    expect(ids).not.toContain(here);
    expect(new Set(ids).size).toBe(ids.length);
    const sims = (await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-similarity')))).map(Number);
    expect(sims.every((x) => x > -1 && x <= 1)).toBe(true);
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    await page.screenshot({ path: path.join(SHOTS, '3b-similar.png'), fullPage: true });
    const href = (await items.first().locator('a').getAttribute('href'))!;
    const [, target, seg] = /^#\/calls\/([0-9a-f]{64})\?seg=(.+)$/.exec(href)!;
    await items.first().locator('a').click();
    await page.waitForURL(new RegExp(`#/calls/${target}`));
    await expect.poll(() => page.locator(`[data-testid="segment"][data-segment-id="${decodeURIComponent(seg!)}"]`).count()).toBe(1);
    await expect.poll(() => panel.count()).toBe(0);
  });

  it('says "at least" (10000+) when the store stopped counting, and keeps the next page reachable', async () => {
    // The real answer for the 3 calls, with the count the store gives past trackTotalHits (10,000 and 'gte').
    await page.route('**/api/calls?*', async (route) => {
      const body = (await (await route.fetch()).json()) as Record<string, unknown>;
      await route.fulfill({ json: { ...body, total: 10_000, totalRelation: 'gte' } });
    });
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.getByTestId('result-count').innerText()).toBe('共 10000+ 条');
    const text = await page.locator('body').innerText();
    expect(text).toContain('第 1 / 200+ 页');
    expect(await page.getByRole('link', { name: '下一页 ›' }).count()).toBe(1);
    await page.unroute('**/api/calls?*');
  });

  it('signs out (退出): the session ends and the login page comes back, even on reload', async () => {
    await page.getByTestId('logout').click();
    await page.getByTestId('login').waitFor();
    await page.reload();
    await page.getByTestId('login').waitFor();
    expect(await page.getByTestId('current-user').count()).toBe(0);
  });
});
