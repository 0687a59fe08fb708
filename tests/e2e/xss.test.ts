import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Auth } from '../../api/auth/auth.ts';
import { startServer, type RunningServer } from '../../api/server.ts';
import { repoRoot } from '../../core/config.ts';
import { authWithAdmin, TEST_PASSWORD } from '../auth-helpers.ts';
import { tempDir, testPipeline, type TestPipeline } from '../helpers.ts';

const SHOTS = path.join(repoRoot, 'test-output', 'e2e');
const SCRIPT = '<script>window.__xss = "script"</script>';
const IMG = '<img src=x onerror="window.__xss = \'img\'">';

const data = tempDir('callscope-xss-');
let p: TestPipeline;
let auth: Auth;
let server: RunningServer;
let browser: Browser;
let page: Page;
let id: string;

/**
 * A vendor transcript whose words are markup, ingested through the real pipeline: the UI must show
 * the characters, never run them.
 */
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(data.dir, 'hostile.transcript.json');
  writeFileSync(
    file,
    JSON.stringify({
      format: 'callscope-transcript/v1',
      language: 'zh',
      engine: 'reference',
      segments: [
        { start: 0.5, end: 4, text: '您好，很高兴为您服务，请问有什么可以帮您？', role: 'agent', channel: 0 },
        { start: 4.5, end: 9, text: `我的备注是${SCRIPT}请查一下`, role: 'customer', channel: 1 },
        { start: 9.5, end: 14, text: `还有这个${IMG}图片`, role: 'customer', channel: 1 },
      ],
    }),
  );
  p = testPipeline(path.join(data.dir, 'data'));
  const r = await p.pipeline.ingest([file]);
  id = r.outcomes[0]!.id;
  auth = await authWithAdmin(p.config.dataDir);
  server = await startServer(p.store, '127.0.0.1', 0, { config: p.config, auth });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  auth?.close();
  await p?.close();
  data.cleanup();
});

describe('XSS: markup in a transcript renders as text', () => {
  it('shows <script> and <img onerror> literally in the call detail and runs neither', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${server.url}/`);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(TEST_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor();
    await page.goto(`${server.url}/#/calls/${id}`);
    const segments = page.getByTestId('segment');
    await expect.poll(() => segments.count()).toBe(3);
    const text = await page.locator('main').innerText();
    expect(text).toContain(SCRIPT);
    expect(text).toContain(IMG);
    // Nothing ran, and the markup did not become elements.
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'xss-transcript.png'), fullPage: true });
  });

  it('searching the markup lists the call with the words as text, and runs nothing', async () => {
    await page.goto(`${server.url}/#/?q=${encodeURIComponent('备注')}`);
    await expect.poll(() => page.getByTestId('call-row').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    expect(await page.locator('main img').count()).toBe(0);
  });
});
