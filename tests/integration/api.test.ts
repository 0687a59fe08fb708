import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Auth } from '../../api/auth/auth.ts';
import { startServer, type RunningServer } from '../../api/server.ts';
import { authWithAdmin, loginToken } from '../auth-helpers.ts';
import { CALLS_DIR, tempDir, testPipeline, type TestPipeline } from '../helpers.ts';

const data = tempDir('callscope-api-');
let p: TestPipeline;
let server: RunningServer;
let ids: Record<string, string>;
let auth: Auth;
let token: string;

beforeAll(async () => {
  p = testPipeline(data.dir);
  const files = ['SYN-0014.mp3', 'SYN-0028.mp3'].map((f) => path.join(CALLS_DIR, f));
  const r = await p.pipeline.ingest([...files, path.join(data.dir, 'missing.wav')], path.join(CALLS_DIR, 'meta.jsonl'));
  ids = Object.fromEntries(r.outcomes.map((o) => [path.basename(o.origin), o.id]));
  auth = await authWithAdmin(data.dir);
  server = await startServer(p.store, '127.0.0.1', 0, { config: p.config, auth });
  token = await loginToken(server.url, 'admin');
});

afterAll(async () => {
  await server.close();
  auth.close();
  await p.close();
  data.cleanup();
});

async function get(pathAndQuery: string): Promise<{ status: number; body: any }> {
  const res = await fetch(server.url + pathAndQuery, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

describe('HTTP API', () => {
  it('GET /api/health counts calls and failures', async () => {
    expect(await get('/api/health')).toEqual({ status: 200, body: { status: 'ok', calls: 3, failed: 1 } });
  });

  it('GET /api/calls lists summaries, newest recording first, failures included', async () => {
    const { status, body } = await get('/api/calls');
    expect(status).toBe(200);
    expect(body.total).toBe(3);
    const ok = body.items.filter((c: any) => c.status === 'ok');
    expect(ok.map((c: any) => c.meta.callId)).toEqual(['SYN-0014', 'SYN-0028']);
    expect(ok[0]).toMatchObject({
      fileName: 'SYN-0014.mp3',
      recordedAt: '2026-02-16T18:23:49+08:00',
      meta: { agentName: '杨丽', branch: '成都客服中心', product: '个人住房贷款' },
      // 100 − 5 greeting − 5 job id − 20 phone number read out (veto) − 10 forbidden phrase
      // − 5 unannounced silence − 5 interruption − 5 closing − 10 complaint not acknowledged nor escalated
      score: { total: 35, maxTotal: 100, passed: false, vetoed: true },
      flags: ['standard_greeting', 'job_id_in_greeting', 'no_pii_readout', 'no_forbidden_phrases', 'hold_notice', 'no_interrupting', 'closing', 'complaint_handling'],
      error: null,
    });
    const failed = body.items.find((c: any) => c.status === 'failed');
    expect(failed).toMatchObject({ fileName: 'missing.wav', error: { stage: 'ingest', code: 'FILE_NOT_FOUND' }, score: null });
  });

  it.each([
    ['?branch=西安客服中心', ['SYN-0028']],
    ['?product=个人住房贷款', ['SYN-0014']],
    ['?minScore=90', ['SYN-0028']],
    ['?passed=false', ['SYN-0014']],
    ['?status=ok&from=2026-02-10&to=2026-02-17', ['SYN-0014']],
    ['?status=ok&limit=1&offset=1', ['SYN-0028']],
  ])('GET /api/calls%s filters', async (query, expected) => {
    const { body } = await get(`/api/calls${encodeURI(query)}`);
    expect(body.items.map((c: any) => c.meta.callId)).toEqual(expected);
  });

  it('GET /api/calls/:id serves masked text only: a phone number the agent read out does not leave', async () => {
    // The SYN-0014 transcript has the agent read the customer's mobile number in full.
    const raw = readFileSync(path.join(CALLS_DIR, 'SYN-0014.mp3.transcript.json'), 'utf8');
    expect(raw).toContain('13310982551');
    const { body } = await get(`/api/calls/${ids['SYN-0014.mp3']}`);
    expect(JSON.stringify(body)).not.toContain('13310982551');
    for (const seg of body.segments) expect(seg.text).toBe(seg.textMasked);
    expect(body.segments.some((seg: any) => seg.textMasked.includes('【手机号】'))).toBe(true);
  });

  it('GET /api/calls/:id returns the whole document', async () => {
    const { status, body } = await get(`/api/calls/${ids['SYN-0014.mp3']}`);
    expect(status).toBe(200);
    expect(body.id).toBe(ids['SYN-0014.mp3']);
    expect(body.segments.length).toBeGreaterThan(5);
    expect(body.scores[0].items.map((i: any) => i.checkpointId)).toEqual([
      'standard_greeting',
      'job_id_in_greeting',
      'identity_verification',
      'no_pii_readout',
      'no_forbidden_phrases',
      'hold_notice',
      'no_interrupting',
      'appropriate_upsell',
      'closing',
      'empathy',
      'complaint_handling',
      'risk_disclosure',
      'speech_rate',
    ]);
  });

  it('GET /api/search finds the call and the sentence, by role', async () => {
    const { body } = await get(`/api/search?q=${encodeURIComponent('养老金')}`);
    expect(body.total).toBe(1);
    expect(body.totalRelation).toBe('eq');
    expect(body.items[0].call.meta.callId).toBe('SYN-0028');
    expect(body.items[0].matches[0].text).toContain('养老金');
    const agentOnly = await get(`/api/search?q=${encodeURIComponent('你听不懂吗')}&role=customer`);
    expect(agentOnly.body.total).toBe(0);
    const anyRole = await get(`/api/search?q=${encodeURIComponent('你听不懂吗')}`);
    expect(anyRole.body.items.map((h: any) => h.call.meta.callId)).toEqual(['SYN-0014']);
  });

  it.each([
    ['/api/calls/0123', 400, 'BAD_REQUEST'],
    [`/api/calls/${'a'.repeat(64)}`, 404, 'NOT_FOUND'],
    ['/api/calls?limit=0', 400, 'BAD_REQUEST'],
    ['/api/calls?from=yesterday', 400, 'BAD_REQUEST'],
    ['/api/search', 400, 'BAD_REQUEST'],
    ['/api/search?q=%EF%BC%8C%E3%80%82', 400, 'BAD_REQUEST'],
    ['/api/nope', 404, 'NOT_FOUND'],
  ])('GET %s → %i with a JSON error', async (url, status, code) => {
    const res = await get(url);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
  });

  it('refuses a port that is already taken with a clear error', async () => {
    const port = Number(new URL(server.url).port);
    await expect(startServer(p.store, '127.0.0.1', port, { auth })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/already in use/),
    });
  });

  it('serves the UI at /', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="app"');
  });
});
