import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCalls } from '../../bench/store/synthetic-calls.ts';
import { createApp, UI_DIST } from '../../api/app.ts';
import { authWithAdmin, signInBrowser } from '../auth-helpers.ts';
import { repoRoot } from '../../core/config.ts';
import type { CallDoc } from '../../core/schemas.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { tempDir, tempStoreWith } from '../helpers.ts';

/**
 * The call page's player against a real recording: a 2-minute WAV made by ffmpeg, served at
 * GET /api/calls/:id/audio in front of the real app (the audio endpoint itself belongs to the
 * accounts work; this test covers the player and its sync with the transcript).
 */
const SHOTS = path.join(repoRoot, 'test-output', 'e2e');
const docs: CallDoc[] = [...syntheticCalls(5, { seed: 21, startDate: '2026-10-01', days: 5, embeddingDims: 4 })];
const doc = docs[0]!;
const tmp = tempDir('callscope-audio-');
let s: { store: CallStore; close(): Promise<void> };
let server: ServerType;
let url: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(path.join(UI_DIST, 'index.html'))) throw new Error('ui/dist is missing: run `npm run build:ui` first');
  mkdirSync(SHOTS, { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=120', '-ar', '8000', '-ac', '1', path.join(tmp.dir, 'call.wav')]);
  s = await tempStoreWith(docs);
  const outer = new Hono();
  outer.get('/api/calls/:id/audio', serveStatic({ root: tmp.dir, rewriteRequestPath: () => '/call.wav' }));
  outer.route('/', createApp(s.store, { auth: await authWithAdmin(tmp.dir) }));
  await new Promise<void>((resolve) => {
    server = serve({ fetch: outer.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      url = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signInBrowser(page.context(), url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await s?.close();
  tmp.cleanup();
});

describe('call detail: audio synced to the transcript', () => {
  it('seeks to a clicked sentence and highlights the sentence being played', async () => {
    await page.goto(`${url}/#/calls/${doc.id}`);
    await expect.poll(() => page.getByTestId('audio-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('ready');
    const target = doc.segments[4]!;
    await page.locator(`[data-segment-id="${target.id}"] .bubble`).click();
    const time = () => page.locator('audio').evaluate((a: HTMLAudioElement) => a.currentTime);
    await expect.poll(time).toBeGreaterThanOrEqual(target.start);
    expect(await time()).toBeLessThan(target.end + 2);
    await expect.poll(() => page.locator('[data-testid="segment"].playing').getAttribute('data-segment-id')).toBe(target.id);
    // While it plays, the highlighted sentence is the one whose span holds the playback time.
    await page.waitForTimeout(1200);
    const [t, playing] = await page.evaluate(() => [
      (document.querySelector('audio') as HTMLAudioElement).currentTime,
      document.querySelector('[data-testid="segment"].playing')?.getAttribute('data-segment-id') ?? null,
    ]);
    const expected = doc.segments.find((x) => (t as number) >= x.start && (t as number) < x.end)?.id ?? null;
    expect(playing).toBe(expected);
    await page.screenshot({ path: path.join(SHOTS, 'explore-9-audio-sync.png'), fullPage: false });
    await page.locator('audio').evaluate((a: HTMLAudioElement) => a.pause());
  });
});
