import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_DIST } from '../../api/app.ts';
import { startServer, type RunningServer } from '../../api/server.ts';
import { repoRoot } from '../../core/config.ts';
import { authWithAdmin, signInBrowser } from '../auth-helpers.ts';
import { topicCalls } from '../cluster-fixtures.ts';
import { tempDir, testPipeline, type TestPipeline } from '../helpers.ts';

/**
 * The 聚类 page in a real Chromium against a server whose cluster model does not exist yet and
 * whose requests never wait for the fit (clusterWaitMs 0): the page shows the background fit's
 * progress, then — asking again every 2 s — the four topic clusters of 80 calls (2 customer
 * utterances each, days 1–10 May).
 */
const SHOTS = path.join(repoRoot, 'test-output', 'e2e');
const data = tempDir('callscope-clusters-e2e-');
let p: TestPipeline;
let server: RunningServer;
let browser: Browser;
let page: Page;
const errors: Error[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(UI_DIST, 'index.html'))) throw new Error('ui/dist is missing: run `npm run build:ui` first');
  mkdirSync(SHOTS, { recursive: true });
  p = testPipeline(data.dir);
  const docs = topicCalls(1, 20, 1);
  await p.store.putMany(docs.map((doc) => ({ doc, docHash: doc.id })));
  server = await startServer(p.store, '127.0.0.1', 0, { config: p.config, auth: await authWithAdmin(path.join(data.dir, 'accounts')), clusterWaitMs: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signInBrowser(page.context(), server.url);
  page.on('pageerror', (err) => errors.push(err));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await p?.close();
  data.cleanup();
  expect(errors.map((e) => e.message)).toEqual([]);
});

describe('聚类 page while the model is first fitted', () => {
  it('shows the fit in progress, then the clusters without a reload', async () => {
    await page.goto(`${server.url}/#/clusters?from=2026-05-01&to=2026-05-11&k=4`);
    const computing = page.getByTestId('clusters-computing');
    await computing.waitFor({ timeout: 15_000 });
    expect(await computing.innerText()).toContain('聚类模型首次计算中');
    await page.screenshot({ path: path.join(SHOTS, 'clusters-1-computing.png'), fullPage: true });
    await expect.poll(() => computing.count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.getByText('160').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    // Four topics of 40 utterances each: a quarter each.
    expect(await page.getByText('40 · 25.0%').count()).toBe(4);
    await page.screenshot({ path: path.join(SHOTS, 'clusters-2-fitted.png'), fullPage: true });
    // A cluster's detail: its terms, trend, quotes (each a link to its call) and the link to its calls.
    await page.getByTestId('cluster-detail').getByRole('link').first().click();
    await page.getByTestId('cluster-quote').first().waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('cluster-quote').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('cluster-calls').getAttribute('href')).toContain('cluster');
    await page.screenshot({ path: path.join(SHOTS, 'clusters-3-detail.png'), fullPage: true });
  });
});
