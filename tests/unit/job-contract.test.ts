import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { CallJob, callJobOptions, redactUrl } from '../../pipeline/jobs.ts';
import { parseStates } from '../../cli/queue-commands.ts';

const id = 'a'.repeat(64);

describe('job contract', () => {
  it.each([
    [{ callId: id, origin: '/in/a.mp3' }, true],
    [{ callId: id, origin: '/in/a.mp3', isNew: true }, true],
    // Fields a newer producer adds are ignored by an older worker (rolling upgrades).
    [{ callId: id, origin: '/in/a.mp3', priority: 3 }, true],
    [{ callId: 'A'.repeat(64), origin: 'x' }, false],
    [{ callId: id.slice(1), origin: 'x' }, false],
    [{ callId: id }, false],
    [null, false],
  ])('CallJob %j → valid %s', (data, valid) => {
    expect(CallJob.safeParse(data).success).toBe(valid);
  });

  it('uses the call id as job id, exponential backoff from config, and keeps failed jobs', () => {
    const config = loadConfig({ CALLSCOPE_JOB_ATTEMPTS: '6', CALLSCOPE_JOB_BACKOFF_MS: '250' });
    expect(callJobOptions(config, id)).toMatchObject({ jobId: id, attempts: 6, backoff: { type: 'exponential', delay: 250 }, removeOnFail: false });
  });
});

describe('queue configuration', () => {
  it.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['rediss://user:pw@redis.bank.internal:6380/2', 'rediss://user:pw@redis.bank.internal:6380/2'],
  ])('accepts REDIS_URL %s', (url, expected) => {
    expect(loadConfig({ REDIS_URL: url }).redisUrl).toBe(expected);
  });

  it.each(['http://127.0.0.1:6379', 'localhost:6379', 'not a url'])('refuses REDIS_URL %s with a one-line reason', (url) => {
    expect(() => loadConfig({ REDIS_URL: url })).toThrow(/REDIS_URL/);
  });

  it('defaults: no queue; a minute of lock, stalled checks every 30 s, 4 attempts from 5 s', () => {
    expect(loadConfig({})).toMatchObject({ redisUrl: null, jobs: { lockMs: 60_000, stalledCheckMs: 30_000, attempts: 4, backoffMs: 5_000 } });
    expect(() => loadConfig({ CALLSCOPE_JOB_LOCK_MS: '10' })).toThrow(/CALLSCOPE_JOB_LOCK_MS/);
  });

  it('never prints a Redis password', () => {
    expect(redactUrl('redis://default:s3cret@10.0.0.5:6379/0')).toBe('redis://default:***@10.0.0.5:6379/0');
    expect(redactUrl('redis://10.0.0.5:6379')).toBe('redis://10.0.0.5:6379');
  });

  it('parses job states for `callscope jobs --state`', () => {
    expect(parseStates('failed, waiting')).toEqual(['failed', 'waiting']);
    expect(() => parseStates('failed,done')).toThrow(/unknown job state "done"/);
  });
});
