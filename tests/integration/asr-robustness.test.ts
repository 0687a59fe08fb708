import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAcoustics } from '../../asr/acoustics.ts';
import { asrHost, asrTimeoutMs } from '../../asr/asr-host-client.ts';
import { findVadModel } from '../../asr/models.ts';
import { CALLS_DIR, MODELS_DIR, tempDir, truthCalls } from '../helpers.ts';

/**
 * What the ASR host does with hard recordings: a call that overruns its time budget is stopped
 * with a clear code and the next call still runs; every format a bank may hand over decodes (or is
 * refused with a clear code), and the VAD finds the same speech whatever the container and rate.
 */
const tmp = tempDir('callscope-asr-robust-');
afterAll(() => tmp.cleanup());
const vadModel = findVadModel(MODELS_DIR)!;
const analyze = (file: string, timeoutMs?: number) =>
  asrHost().analyze({ file, vadModel, engine: null, threads: 2, language: 'zh' }, timeoutMs === undefined ? {} : { timeoutMs });
const p = (f: string) => path.join(tmp.dir, f);
const SOURCE = path.join(CALLS_DIR, 'SYN-0037.mp3');
const ff = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);

describe('per-call timeout', () => {
  it('scales with the audio duration', () => {
    expect(asrTimeoutMs(100, 2)).toBe(230_000);
    expect(asrTimeoutMs(null, 2)).toBe((30 + 7200) * 1000);
  });

  it('stops a call that overruns with ASR_TIMEOUT, and the next call proceeds', async () => {
    await expect(analyze(SOURCE, 50)).rejects.toMatchObject({ code: 'ASR_TIMEOUT', message: expect.stringContaining('was stopped') });
    const next = await analyze(SOURCE);
    expect(next.speech.length).toBeGreaterThan(10);
  });

  it('restarts the other calls the stopped host was running, instead of failing them', async () => {
    const slow = analyze(SOURCE, 300);
    const innocent = analyze(SOURCE);
    await expect(slow).rejects.toMatchObject({ code: 'ASR_TIMEOUT' });
    expect((await innocent).speech.length).toBeGreaterThan(10);
  });
});

describe('bad and unusual audio', () => {
  let reference: number;
  beforeAll(async () => {
    reference = (await analyze(SOURCE)).speech.length;
  });

  it.each([
    ['zero-byte file', () => (writeFileSync(p('zero.wav'), ''), p('zero.wav')), 'AUDIO_UNDECODABLE'],
    ['truncated header', () => (writeFileSync(p('head.wav'), readFileSync(path.join(CALLS_DIR, 'SYN-0012.wav')).subarray(0, 30)), p('head.wav')), 'AUDIO_UNDECODABLE'],
    ['text renamed .wav', () => (writeFileSync(p('text.wav'), 'not audio\n'.repeat(50)), p('text.wav')), 'AUDIO_UNDECODABLE'],
  ])('%s → a clean error code, the host survives', async (_name, make, code) => {
    await expect(analyze(make())).rejects.toMatchObject({ code });
    expect((await analyze(SOURCE)).speech.length).toBe(reference);
  });

  it('decodes by content, not by extension (an mp3 named .wav)', async () => {
    copyFileSync(SOURCE, p('mp3-named.wav'));
    expect((await analyze(p('mp3-named.wav'))).speech.length).toBe(reference);
  });

  it('pure silence → no speech, 0 talk, the whole call is one silence', async () => {
    ff('-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=stereo', '-t', '20', p('silence.wav'));
    const r = await analyze(p('silence.wav'));
    expect(r.speech).toEqual([]);
    const a = computeAcoustics({ durationSec: r.durationSec, segments: [], speech: r.speech, stereo: true });
    expect(a.talkRatio).toBe(0);
    expect(a.interruptions).toEqual({ agent: 0, customer: 0 });
  });

  it('stereo with a silent customer channel → speech on the agent channel only', async () => {
    ff('-i', SOURCE, '-af', 'pan=stereo|c0=c0|c1=0*c1', p('one-side.wav'));
    const r = await analyze(p('one-side.wav'));
    expect(r.speech.some((s) => s.channel === 0)).toBe(true);
    expect(r.speech.filter((s) => s.channel === 1)).toEqual([]);
    expect(computeAcoustics({ durationSec: r.durationSec, segments: [], speech: r.speech, stereo: true }).talkRatio).toBe(1);
  });

  const call = () => truthCalls().find((c) => c.callId === 'SYN-0037')!;
  it.each([
    ['48 kHz wav', 'x48k.wav', ['-ar', '48000']],
    ['44.1 kHz wav', 'x44k.wav', ['-ar', '44100']],
    ['G.711 μ-law', 'mulaw.wav', ['-ar', '8000', '-acodec', 'pcm_mulaw']],
    ['G.711 A-law', 'alaw.wav', ['-ar', '8000', '-acodec', 'pcm_alaw']],
    ['opus in ogg', 'call.ogg', ['-c:a', 'libopus', '-b:a', '24k']],
    ['aac in m4a', 'call.m4a', ['-c:a', 'aac', '-b:a', '48k']],
  ])('%s → same duration, channels and speech turns as the original', async (_name, out, args) => {
    ff('-i', SOURCE, ...args, p(out));
    const r = await analyze(p(out));
    expect(r.info.channels).toBe(2);
    expect(Math.abs(r.durationSec - call().audio.durationSec)).toBeLessThan(0.3);
    // Every reference turn is still found on its channel.
    for (const t of call().truth.segments) {
      const ch = t.channel === 'L' ? 0 : 1;
      expect(r.speech.some((s) => s.channel === ch && s.end > t.start && s.start < t.end), `${t.start}`).toBe(true);
    }
  });
});
