import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../api/actor.ts';
import { type Auth, openAuth } from '../../api/auth/auth.ts';
import { startServer, type RunningServer } from '../../api/server.ts';
import { addUser, loginToken, TEST_PASSWORD } from '../auth-helpers.ts';
import { CALLS_DIR, tempDir, testPipeline, type TestPipeline } from '../helpers.ts';

/**
 * Real accounts, a real SQLite store and record store with two real calls, the real server:
 *   BJ = SYN-0002  北京客服中心 · 信用卡客服一组 · agent A9054 (reads a card number back)
 *   CD = SYN-0014  成都客服中心 · 贷款服务组     · agent A8346 (reads a phone number back)
 * Who sees what is written here by hand from those metadata, never computed by the code under test.
 */
const USERS: Array<{ user: string; role: Role; scope: Parameters<typeof addUser>[3]; sees: Array<'BJ' | 'CD'> }> = [
  { user: 'admin', role: 'admin', scope: { kind: 'all' }, sees: ['BJ', 'CD'] },
  { user: 'analyst', role: 'analyst', scope: { kind: 'all' }, sees: ['BJ', 'CD'] },
  { user: 'qa-bj', role: 'qa_inspector', scope: { kind: 'branches', branches: ['北京客服中心'] }, sees: ['BJ'] },
  { user: 'sup-cd', role: 'supervisor', scope: { kind: 'branches', branches: ['成都客服中心', '西安客服中心'] }, sees: ['CD'] },
  { user: 'trainer-t1', role: 'trainer', scope: { kind: 'team', team: '信用卡客服一组' }, sees: ['BJ'] },
  { user: 'agent-a8346', role: 'agent', scope: { kind: 'own', agentId: 'A8346' }, sees: ['CD'] },
  { user: 'agent-a1', role: 'agent', scope: { kind: 'own', agentId: 'A1' }, sees: [] },
];

const data = tempDir('callscope-authz-');
let p: TestPipeline;
let auth: Auth;
let server: RunningServer;
const ids = { BJ: '', CD: '' };
const tokens: Record<string, string> = {};
let scorecardYaml: string;

beforeAll(async () => {
  p = testPipeline(data.dir);
  const r = await p.pipeline.ingest(['SYN-0002.mp3', 'SYN-0014.mp3'].map((f) => path.join(CALLS_DIR, f)), path.join(CALLS_DIR, 'meta.jsonl'));
  ids.BJ = r.outcomes.find((o) => o.origin.endsWith('SYN-0002.mp3'))!.id;
  ids.CD = r.outcomes.find((o) => o.origin.endsWith('SYN-0014.mp3'))!.id;
  auth = openAuth(data.dir);
  for (const u of USERS) await addUser(auth, u.user, u.role, u.scope, u.role === 'admin');
  await addUser(auth, 'victim', 'qa_inspector');
  await addUser(auth, 'leaver', 'analyst');
  server = await startServer(p.store, '127.0.0.1', 0, { config: p.config, auth });
  for (const u of USERS) tokens[u.user] = await loginToken(server.url, u.user);
  scorecardYaml = readFileSync(path.join(p.config.scorecardsDir, 'bank-service-standard.yaml'), 'utf8');
}, 240_000);

afterAll(async () => {
  await server?.close();
  auth?.close();
  await p?.close();
  data.cleanup();
});

type Res = { status: number; body: any; headers: Headers };
async function call(method: string, url: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const res = await fetch(server.url + url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, body: type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer()), headers: res.headers };
}
const get = (url: string, token?: string) => call('GET', url, token);
const auditOf = (action: string) => auth.audit.list({ action, limit: 1000 });

describe('role × endpoint matrix: an out-of-scope call is invisible everywhere', () => {
  describe.each(USERS)('$user ($role, sees $sees)', ({ user, sees }) => {
    const visible = (k: 'BJ' | 'CD') => sees.includes(k);

    it('GET /api/calls lists exactly the calls in scope, totals included', async () => {
      const { status, body } = await get('/api/calls', tokens[user]);
      expect(status).toBe(200);
      expect(body.total).toBe(sees.length);
      expect(body.items.map((c: any) => c.id).sort()).toEqual(sees.map((k) => ids[k]).sort());
    });

    it('GET /api/analytics/calls and /values (an aggregation) see only the calls in scope', async () => {
      const list = await get('/api/analytics/calls', tokens[user]);
      expect(list.status).toBe(200);
      expect(list.body.total).toBe(sees.length);
      expect(list.body.items.map((c: any) => c.id).sort()).toEqual(sees.map((k) => ids[k]).sort());
      const values = await get('/api/analytics/values?field=branch', tokens[user]);
      expect(values.status).toBe(200);
      const branchOf = { BJ: '北京客服中心', CD: '成都客服中心' } as const;
      expect(values.body.items.map((v: any) => [v.value, v.calls]).sort()).toEqual(sees.map((k) => [branchOf[k], 1]).sort());
    });

    it('GET /api/search finds a word both calls contain only in the calls in scope', async () => {
      const { status, body } = await get(`/api/search?q=${encodeURIComponent('投诉')}`, tokens[user]);
      expect(status).toBe(200);
      expect(body.items.map((h: any) => h.call.id).sort()).toEqual(sees.map((k) => ids[k]).sort());
    });

    it('GET /api/health counts only the calls in scope', async () => {
      expect((await get('/api/health', tokens[user])).body).toEqual({ status: 'ok', calls: sees.length, failed: 0 });
    });

    it.each(['BJ', 'CD'] as const)('call %s by id, scores and audio: 200 in scope, 404 (as if absent) outside', async (k) => {
      const want = visible(k) ? 200 : 404;
      const doc = await get(`/api/calls/${ids[k]}`, tokens[user]);
      expect(doc.status).toBe(want);
      if (want === 404) expect(doc.body.error.message).toBe(`no call with id ${ids[k]}`);
      expect((await get(`/api/calls/${ids[k]}/scores`, tokens[user])).status).toBe(want);
      const audio = await get(`/api/calls/${ids[k]}/audio`, tokens[user]);
      expect(audio.status).toBe(want);
      if (want === 200) expect(audio.headers.get('content-type')).toBe('audio/mpeg');
    });

    it('a filter naming a branch outside the scope returns nothing of it', async () => {
      for (const branch of ['北京客服中心', '成都客服中心']) {
        const { body } = await get(`/api/calls?branch=${encodeURIComponent(branch)}`, tokens[user]);
        const k = branch === '北京客服中心' ? 'BJ' : 'CD';
        expect(body.items.map((c: any) => c.id)).toEqual(visible(k) ? [ids[k]] : []);
      }
    });
  });

  it('a branch inspector backtesting over every label only aggregates the calls of their branch', async () => {
    const labels = [
      { callId: ids.BJ, violations: [] },
      { callId: ids.CD, violations: ['forbidden_phrase'] },
    ];
    const { status, body } = await call('POST', '/api/scorecards/backtest', tokens['qa-bj'], { scorecard: scorecardYaml, labels });
    expect(status).toBe(200);
    expect(body.calls).toBe(1);
    const all = await call('POST', '/api/scorecards/backtest', tokens.admin, { scorecard: scorecardYaml, labels });
    expect(all.body.calls).toBe(2);
  });

  it('explain a draft on a call: out of scope is 404, a role without the right is 403', async () => {
    expect((await call('POST', '/api/scorecards/explain', tokens['qa-bj'], { scorecard: scorecardYaml, callId: ids.BJ })).status).toBe(200);
    expect((await call('POST', '/api/scorecards/explain', tokens['qa-bj'], { scorecard: scorecardYaml, callId: ids.CD })).status).toBe(404);
    expect((await call('POST', '/api/scorecards/explain', tokens['agent-a8346'], { scorecard: scorecardYaml, callId: ids.CD })).status).toBe(403);
  });

  it.each([
    ['GET', '/api/jobs', 'analyst'],
    ['POST', '/api/jobs/retry-failed', 'qa-bj'],
    ['GET', '/api/scorecards/bank-service-standard/diff?from=1&to=2', 'qa-bj'],
    ['POST', '/api/scorecards/backtest', 'agent-a8346'],
  ])('%s %s is forbidden to %s (403, audited)', async (method, url, user) => {
    const before = auditOf('access.denied').length;
    const res = await call(method, url, tokens[user], method === 'POST' ? {} : undefined);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    const denied = auditOf('access.denied');
    expect(denied.length).toBe(before + 1);
    expect(denied.at(-1)).toMatchObject({ actor: user, target: `${method} ${url.split('?')[0]}` });
  });
});

describe('authentication', () => {
  it('every API route but health and login needs a login (401), even a route that does not exist', async () => {
    for (const url of ['/api/calls', `/api/calls/${ids.BJ}`, `/api/calls/${ids.BJ}/audio`, '/api/search?q=x', '/api/scorecards', '/api/jobs', '/api/auth/me', '/api/nope']) {
      const res = await get(url);
      expect(res.status, url).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
    expect((await get('/api/health')).body).toEqual({ status: 'ok' });
    expect((await get('/api/nope', tokens.admin)).status).toBe(404);
  });

  it('the browser session is an HttpOnly, SameSite=Strict cookie; a cross-site write with it is refused', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'analyst', password: TEST_PASSWORD }) });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^callscope_session=[^;]+;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const jar = cookie.split(';')[0]!;
    const me = await get('/api/auth/me', undefined);
    expect(me.status).toBe(401);
    const withCookie = await call('GET', '/api/auth/me', undefined, undefined, { cookie: jar });
    expect(withCookie.body.user).toMatchObject({ username: 'analyst', role: 'analyst', canUnmask: false });
    const csrf = await call('POST', '/api/auth/logout', undefined, undefined, { cookie: jar, origin: 'https://evil.example' });
    expect(csrf.status).toBe(403);
    expect((await call('POST', '/api/auth/logout', undefined, undefined, { cookie: jar })).status).toBe(204);
    expect((await call('GET', '/api/auth/me', undefined, undefined, { cookie: jar })).status).toBe(401);
  });

  it('an expired token is refused (401)', async () => {
    const shortLived = openAuth(data.dir, { sessionTtlMs: 50 });
    const login = await shortLived.login('analyst', TEST_PASSWORD, 'test');
    shortLived.close();
    expect((await get('/api/auth/me', login.token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 80));
    const res = await get('/api/calls', login.token);
    expect(res.status).toBe(401);
  });

  it('forged and tampered tokens are refused (401)', async () => {
    const good = tokens.analyst!;
    const [body, sig] = good.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const asAdmin = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url');
    const later = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400_000 })).toString('base64url');
    const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
    const { createHmac } = await import('node:crypto');
    const otherKey = `${asAdmin}.${createHmac('sha256', 'not-the-server-key').update(asAdmin).digest('base64url')}`;
    for (const forged of [`${asAdmin}.${sig}`, `${later}.${sig}`, `${body}.${flipped}`, otherKey, `${body}.`, 'garbage', `${good}x`]) {
      const res = await get('/api/calls', forged);
      expect(res.status, forged).toBe(401);
    }
    expect((await call('GET', '/api/calls', undefined, undefined, { authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` })).status).toBe(401);
    expect((await get('/api/calls', good)).status).toBe(200);
  });

  it('disabling a user ends their sessions at once', async () => {
    const token = await loginToken(server.url, 'leaver');
    expect((await get('/api/calls', token)).status).toBe(200);
    auth.users.update('leaver', { disabled: true }, true);
    expect((await get('/api/calls', token)).status).toBe(401);
    const again = await call('POST', '/api/auth/login', undefined, { username: 'leaver', password: TEST_PASSWORD });
    expect(again.status).toBe(401);
  });

  it('wrong password ×5 locks the user (429 with Retry-After, even for the right password), all audited', async () => {
    const failedBefore = auditOf('login.failed').filter((e) => e.actor === 'victim').length;
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', '/api/auth/login', undefined, { username: 'victim', password: `wrong-password-${i}` });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
    const locked = await call('POST', '/api/auth/login', undefined, { username: 'victim', password: TEST_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(25);
    const failed = auditOf('login.failed').filter((e) => e.actor === 'victim');
    expect(failed.length - failedBefore).toBe(5);
    expect(failed.at(-1)!.details).toMatchObject({ reason: 'wrong password', lockedForSec: 30 });
    expect(auditOf('login.locked').filter((e) => e.actor === 'victim')).toHaveLength(1);
    // Another user from the same address is not locked by it.
    expect((await call('POST', '/api/auth/login', undefined, { username: 'analyst', password: TEST_PASSWORD })).status).toBe(200);
  });

  it('an unknown user name answers like a wrong password, and is audited', async () => {
    const res = await call('POST', '/api/auth/login', undefined, { username: 'nobody', password: 'whatever-it-is' });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe((await call('POST', '/api/auth/login', undefined, { username: 'analyst', password: 'wrong-one-here' })).body.error.message);
    expect(auditOf('login.failed').find((e) => e.actor === 'nobody')?.details).toMatchObject({ reason: 'unknown user' });
  });
});

describe('unmasking: raw text and audio only with the right, every use audited', () => {
  it('an analyst asking for raw text gets 403, audited as unmask.denied', async () => {
    const res = await get(`/api/calls/${ids.CD}?raw=1`, tokens.analyst);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain('13310982551');
    expect(auditOf('unmask.denied').at(-1)).toMatchObject({ actor: 'analyst', target: ids.CD, details: { what: 'text' } });
    expect((await get(`/api/calls/${ids.CD}/audio?raw=1`, tokens.analyst)).status).toBe(403);
    expect(auditOf('unmask.denied').at(-1)).toMatchObject({ actor: 'analyst', target: ids.CD, details: { what: 'audio' } });
  });

  it('masked by default for everyone, admin included', async () => {
    const res = await get(`/api/calls/${ids.CD}`, tokens.admin);
    expect(JSON.stringify(res.body)).not.toContain('13310982551');
  });

  it('an admin with the unmask right gets raw text and the original recording, each audited', async () => {
    const text = await get(`/api/calls/${ids.CD}?raw=1`, tokens.admin);
    expect(text.status).toBe(200);
    expect(JSON.stringify(text.body)).toContain('13310982551');
    expect(auditOf('unmask.text').at(-1)).toMatchObject({ actor: 'admin', target: ids.CD });
    const audio = await get(`/api/calls/${ids.CD}/audio?raw=1`, tokens.admin);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.compare(audio.body, readFileSync(path.join(CALLS_DIR, 'SYN-0014.mp3')))).toBe(0);
    expect(auditOf('unmask.audio').at(-1)).toMatchObject({ actor: 'admin', target: ids.CD });
  });

  it('masked audio beeps the segment where the phone number is read out and keeps the rest', async () => {
    const raw = (await get(`/api/calls/${ids.CD}?raw=1`, tokens.admin)).body;
    const pii = raw.segments.find((s: any) => s.text.includes('13310982551'));
    const clean = raw.segments.find((s: any) => s.text.includes('提前还房贷'));
    const masked = pcm((await get(`/api/calls/${ids.CD}/audio`, tokens.admin)).body);
    const original = pcm(readFileSync(path.join(CALLS_DIR, 'SYN-0014.mp3')));
    // Middle second of the PII segment: a steady 1 kHz tone (≈2000 zero crossings a second) replacing the voice.
    const mid = (pii.start + pii.end) / 2;
    expect(zeroCrossingsPerSec(masked, mid - 0.5, mid + 0.5)).toBeGreaterThan(1900);
    expect(zeroCrossingsPerSec(masked, mid - 0.5, mid + 0.5)).toBeLessThan(2100);
    expect(Math.abs(zeroCrossingsPerSec(original, mid - 0.5, mid + 0.5) - 2000)).toBeGreaterThan(300);
    // A segment without PII keeps its speech: about the original loudness, not a tone.
    const a = clean.start + 0.2;
    const b = clean.end - 0.2;
    // (The masked file is a mono mix at 48 kbit/s, so the loudness is only roughly the same.)
    expect(rms(masked, a, b) / rms(original, a, b)).toBeGreaterThan(0.5);
    expect(rms(masked, a, b) / rms(original, a, b)).toBeLessThan(2);
    expect(Math.abs(zeroCrossingsPerSec(masked, a, b) - zeroCrossingsPerSec(original, a, b))).toBeLessThan(150);
  });

  it('audio answers Range requests, so the player can seek', async () => {
    const whole = await get(`/api/calls/${ids.CD}/audio`, tokens.admin);
    const part = await call('GET', `/api/calls/${ids.CD}/audio`, tokens.admin, undefined, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${whole.body.length}`);
    expect(Buffer.compare(part.body, whole.body.subarray(100, 200))).toBe(0);
    const beyond = await call('GET', `/api/calls/${ids.CD}/audio`, tokens.admin, undefined, { range: `bytes=${whole.body.length + 10}-` });
    expect(beyond.status).toBe(416);
  });

  it('a masked download of a PII-free call is still a full recording of the same length', async () => {
    const masked = pcm((await get(`/api/calls/${ids.BJ}/audio`, tokens['qa-bj'])).body);
    const original = pcm(readFileSync(path.join(CALLS_DIR, 'SYN-0002.mp3')));
    expect(Math.abs(masked.length - original.length) / 16000).toBeLessThan(0.2);
  });
});

describe('bad input and abuse', () => {
  it('an oversized body is refused with 413', async () => {
    const big = JSON.stringify({ scorecard: 'x'.repeat(5 * 1024 * 1024), labels: [1] });
    expect(await postOnce('/api/scorecards/backtest', big, tokens.admin)).toBe(413);
    expect(await postOnce('/api/scorecards/explain', JSON.stringify({ scorecard: 'x'.repeat(3 * 1024 * 1024), callId: ids.BJ }), tokens.admin)).toBe(413);
    expect(await postOnce('/api/auth/login', JSON.stringify({ username: 'admin', password: 'p'.repeat(20_000) }))).toBe(413);
  });

  const INJECTIONS = [
    "' OR 1=1 --",
    '"; DROP TABLE calls; --',
    "投诉' UNION SELECT * FROM users --",
    '*',
    'NEAR(投诉 核实)',
    '投诉 OR 核实',
    '"投诉',
    '(((((((((((',
    '.*',
    '(a+)+$',
    '[^',
    '\\',
    '%',
    '_',
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    '\u0000',
  ];
  it.each(INJECTIONS)('search text %j: a clean 400 or harmless results, never a 500', async (q) => {
    const res = await get(`/api/search?q=${encodeURIComponent(q)}`, tokens['qa-bj']);
    expect([200, 400]).toContain(res.status);
    if (res.status === 200) for (const h of res.body.items) expect(h.call.id).toBe(ids.BJ);
    else expect(res.body.error.code).toBe('BAD_REQUEST');
  });

  it.each(INJECTIONS)('filters %j: a clean 400 or no call, never a 500', async (v) => {
    for (const key of ['branch', 'agentId', 'team', 'product', 'status', 'minScore', 'from', 'limit', 'offset']) {
      const res = await get(`/api/calls?${key}=${encodeURIComponent(v)}`, tokens.admin);
      expect([200, 400], `${key}=${v}`).toContain(res.status);
      if (res.status === 200) expect(res.body.total).toBe(0);
    }
  });

  it.each([
    ['offset', '999999999'],
    ['limit', '100000'],
    ['minScore', '1e400'],
    ['from', '2026-13-45'],
  ])('an out-of-range %s=%s is a 400 or an empty page, never a 500', async (key, v) => {
    const res = await get(`/api/calls?${key}=${v}`, tokens.admin);
    expect([200, 400]).toContain(res.status);
  });

  it.each([
    '/api/calls/..%2F..%2F..%2Fetc%2Fpasswd/audio',
    '/api/calls/%2e%2e%2f%2e%2e%2fetc%2fpasswd/audio',
    '/api/calls/....//....//etc/passwd/audio',
    '/api/calls/..%5c..%5cwindows%5cwin.ini/audio',
    `/api/calls/${'0'.repeat(64)}/audio`,
    '/api/calls/%00/audio',
    '/..%2f..%2f..%2fetc%2fpasswd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd',
  ])('path traversal %s: 400/404, never a file from outside', async (url) => {
    const res = await get(url, tokens.admin);
    const text = Buffer.isBuffer(res.body) ? res.body.toString() : JSON.stringify(res.body);
    expect(text).not.toContain('root:x:0:0');
    if (url.startsWith('/api/')) expect([400, 404]).toContain(res.status);
  });
});

/**
 * A POST on its own connection: the server answers 413 without reading the body and closes, which
 * would break the next request of fetch's shared keep-alive pool.
 */
function postOnce(url: string, body: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(server.url + url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(body);
  });
}

function pcm(bytes: Buffer): Int16Array {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-ac', '1', '-ar', '16000', '-f', 's16le', 'pipe:1'], { input: bytes, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return new Int16Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length / 2);
}

function slice(s: Int16Array, a: number, b: number): Int16Array {
  return s.subarray(Math.floor(a * 16000), Math.floor(b * 16000));
}

function zeroCrossingsPerSec(s: Int16Array, a: number, b: number): number {
  const x = slice(s, a, b);
  let n = 0;
  for (let i = 1; i < x.length; i++) if ((x[i - 1]! < 0) !== (x[i]! < 0)) n++;
  return n / (b - a);
}

function rms(s: Int16Array, a: number, b: number): number {
  const x = slice(s, a, b);
  let sum = 0;
  for (const v of x) sum += v * v;
  return Math.sqrt(sum / x.length);
}
