import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../api/auth/login-limiter.ts';
import { generatePassword, hashPassword, verifyPassword } from '../../api/auth/passwords.ts';
import { allows, ruleFor } from '../../api/auth/permissions.ts';
import { UserStore } from '../../api/auth/user-store.ts';
import { parseScope } from '../../api/auth/user-admin.ts';
import { tempDir } from '../helpers.ts';

const ID = 'a'.repeat(64);

describe('permission table', () => {
  it.each([
    ['GET', '/api/health', 'GET /api/health'],
    ['GET', '/api/calls', 'GET /api/calls'],
    ['GET', '/api/calls/', 'GET /api/calls'],
    ['HEAD', `/api/calls/${ID}`, 'GET /api/calls/:id'],
    ['GET', `/api/calls/${ID}/audio`, 'GET /api/calls/:id/audio'],
    ['POST', '/api/jobs/retry-failed', 'POST /api/jobs/retry-failed'],
    ['POST', `/api/jobs/${ID}/retry`, 'POST /api/jobs/:id/retry'],
    ['GET', '/api/analytics/trend', 'GET /api/analytics/*'],
    ['GET', '/api/analytics/root-cause/change', 'GET /api/analytics/*'],
  ])('%s %s → %s', (method, url, route) => {
    expect(ruleFor(method, url)?.route).toBe(route);
  });

  it.each([
    ['DELETE', '/api/calls'],
    ['POST', '/api/calls'],
    ['GET', `/api/calls/${ID}/audio/extra`],
    ['GET', '/api/anything-new'],
    ['GET', '/api/callsx'],
  ])('%s %s has no line: denied by default', (method, url) => {
    expect(ruleFor(method, url)).toBeNull();
  });

  it('roles and the all-calls scope', () => {
    const jobs = ruleFor('GET', '/api/jobs')!.rule;
    expect(allows(jobs, 'admin', { kind: 'all' })).toBe(true);
    expect(allows(jobs, 'admin', { kind: 'branches', branches: ['北京'] })).toBe(false);
    expect(allows(jobs, 'analyst', { kind: 'all' })).toBe(false);
    const backtest = ruleFor('POST', '/api/scorecards/backtest')!.rule;
    expect(allows(backtest, 'agent', { kind: 'own', agentId: 'A1' })).toBe(false);
    expect(allows(backtest, 'qa_inspector', { kind: 'team', team: 'T1' })).toBe(true);
  });
});

describe('passwords', () => {
  it('scrypt hashes carry their own salt and verify only the right password', async () => {
    const a = await hashPassword('correct-horse-battery');
    const b = await hashPassword('correct-horse-battery');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('correct-horse-battery', a)).toBe(true);
    expect(await verifyPassword('correct-horse-batterz', a)).toBe(false);
    expect(await verifyPassword('correct-horse-battery', 'plain-text')).toBe(false);
    expect(await verifyPassword('correct-horse-battery', a.replace(/\$[^$]+$/, '$AAAA'))).toBe(false);
  });

  it('generated passwords are long and distinct', () => {
    const ps = new Set(Array.from({ length: 50 }, generatePassword));
    expect(ps.size).toBe(50);
    for (const p of ps) expect(p).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });
});

describe('login limiter', () => {
  let tmp: ReturnType<typeof tempDir>;
  let users: UserStore;
  let limiter: LoginLimiter;
  const t0 = 1_800_000_000_000;
  beforeEach(() => {
    tmp = tempDir('callscope-limiter-');
    users = new UserStore(path.join(tmp.dir, 'auth.sqlite'));
    limiter = new LoginLimiter(users.db, { perUser: 5, perIp: 20, baseLockMs: 30_000, maxLockMs: 3_600_000 });
  });
  afterEach(() => {
    users.close();
    tmp.cleanup();
  });

  it('locks a user after 5 failures, for a delay that doubles with each further failure, capped at an hour', () => {
    const locks = Array.from({ length: 12 }, (_, i) => limiter.failed('bob', '10.0.0.1', t0 + i));
    expect(locks).toEqual([0, 0, 0, 0, 30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000]);
    expect(limiter.lockedFor('bob', '10.0.0.1', t0 + 20)).toBeGreaterThan(3_500_000);
    expect(limiter.lockedFor('BOB', '10.0.0.9', t0 + 20)).toBeGreaterThan(3_500_000);
    expect(limiter.lockedFor('alice', '10.0.0.9', t0 + 20)).toBe(0);
  });

  it('locks an address guessing many user names; a success clears only that user', () => {
    for (let i = 0; i < 19; i++) limiter.failed(`user${i}`, '10.6.6.6', t0);
    expect(limiter.lockedFor('fresh', '10.6.6.6', t0)).toBe(0);
    expect(limiter.failed('fresh', '10.6.6.6', t0)).toBe(30_000);
    limiter.succeeded('fresh');
    expect(limiter.lockedFor('other', '10.6.6.6', t0 + 1)).toBeGreaterThan(29_000);
    expect(limiter.lockedFor('other', '10.6.6.6', t0 + 30_001)).toBe(0);
  });

  it('a counter quiet for longer than the longest lock starts again', () => {
    for (let i = 0; i < 4; i++) limiter.failed('bob', 'ip', t0);
    expect(limiter.failed('bob', 'ip', t0 + 3_600_001)).toBe(0);
  });
});

describe('scopes on the command line', () => {
  it.each([
    ['all', { kind: 'all' }],
    ['branches:北京客服中心,上海客服中心', { kind: 'branches', branches: ['北京客服中心', '上海客服中心'] }],
    ['team:信用卡客服一组', { kind: 'team', team: '信用卡客服一组' }],
    ['own:A8346', { kind: 'own', agentId: 'A8346' }],
  ])('%s', (text, scope) => expect(parseScope(text)).toEqual(scope));

  it.each(['', 'everything', 'branches:', 'own:', 'team'])('%j is refused', (text) => expect(() => parseScope(text)).toThrow(/use all, branches/));
});

describe('account rules', () => {
  it('an agent is only ever scoped to their own calls', async () => {
    const tmp = tempDir('callscope-accounts-');
    const { openAuth } = await import('../../api/auth/auth.ts');
    const { createUser, setRole, setScope } = await import('../../api/auth/user-admin.ts');
    const auth = openAuth(tmp.dir);
    try {
      await expect(createUser(auth, 't', { username: 'a1', name: 'a', role: 'agent', scope: { kind: 'all' } }, 'long-enough-password')).rejects.toThrow(/own:<agent id>/);
      await createUser(auth, 't', { username: 'an', name: 'a', role: 'analyst', scope: { kind: 'all' } }, 'long-enough-password');
      expect(() => setRole(auth, 't', 'an', 'agent')).toThrow(/own:<agent id>/);
      setScope(auth, 't', 'an', { kind: 'own', agentId: 'A1' });
      expect(setRole(auth, 't', 'an', 'agent')).toMatchObject({ role: 'agent', scope: { kind: 'own', agentId: 'A1' } });
      expect(() => setScope(auth, 't', 'an', { kind: 'team', team: 'T1' })).toThrow(/own:<agent id>/);
      expect(auth.audit.list({ action: 'user' }).map((e) => e.action)).toEqual(['user.create', 'user.scope', 'user.role']);
    } finally {
      auth.close();
      tmp.cleanup();
    }
  });
});
