import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAcoustics } from '../../asr/acoustics.ts';
import { asrHost } from '../../asr/asr-host-client.ts';
import { probeAudio } from '../../asr/ffmpeg.ts';
import { findSherpaVadModel } from '../../asr/models.ts';
import { AMR_FRAME_SEC, amrFrames, encodeAmrNb, writeAmrWb } from '../amr-fixture.ts';
import { CALLS_DIR, MODELS_DIR, tempDir, truthCalls } from '../helpers.ts';

/**
 * AMR recordings and the remaining odd files of the "Bad input" list, through the ASR
 * host with the stage's VAD (Silero ONNX): a clear result or a clear error, never a hang or a
 * crash, and the host still serves the next call.
 */
const tmp = tempDir('callscope-amr-');
afterAll(() => tmp.cleanup());
const p = (f: string) => path.join(tmp.dir, f);
const vadModel = findSherpaVadModel(MODELS_DIR)!;
const analyze = (file: string, vad = vadModel) => asrHost().analyze({ file, vadModel: vad, engine: null, threads: 1, language: 'zh' });
const SOURCE = path.join(CALLS_DIR, 'SYN-0037.mp3');
const call = () => truthCalls().find((c) => c.callId === 'SYN-0037')!;
const ff = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
/** Mono acoustics as the stage computes them without a transcript: from the diarised turns. */
const monoAcoustics = (r: Awaited<ReturnType<typeof analyze>>) =>
  computeAcoustics({
    durationSec: r.durationSec,
    segments: [],
    speech: r.speech,
    stereo: false,
    diarised: (r.diarisation ?? []).map((d) => ({ start: d.start, end: d.end, role: d.speaker === 'S1' ? 'agent' : 'customer' })),
  });

describe('AMR-NB: real speech from opencore-amr’s encoder', () => {
  const file = p('agent.amr');
  beforeAll(() => encodeAmrNb(SOURCE, 0, file));

  it('is a well-formed storage-format file of 12.2 kbit/s speech frames', () => {
    const { kind, types } = amrFrames(readFileSync(file));
    expect(kind).toBe('nb');
    expect(new Set(types)).toEqual(new Set([7]));
    expect(types.length * AMR_FRAME_SEC).toBeCloseTo(call().audio.durationSec, 0);
  });

  it('probe → decode → VAD → diarisation → acoustics: every agent turn of the call is found', async () => {
    expect(await probeAudio(file)).toMatchObject({ format: 'amr', codec: 'amr_nb', channels: 1, sampleRate: 8000, declaredDurationSec: null });
    const r = await analyze(file);
    expect(Math.abs(r.durationSec - amrFrames(readFileSync(file)).types.length * AMR_FRAME_SEC)).toBeLessThan(0.05);
    const agentTurns = call().truth.segments.filter((t) => t.channel === 'L' && t.end < r.durationSec);
    expect(agentTurns.length).toBeGreaterThan(5);
    for (const t of agentTurns) expect(r.speech.some((s) => s.end > t.start && s.start < t.end), `${t.start}`).toBe(true);
    expect(r.diarisation!.length).toBeGreaterThan(0);
    const a = monoAcoustics(r);
    expect(a.basis).toBe('vad');
    expect(a.talkRatio).toBeGreaterThan(0);
    // The agent side alone: the customer's turns are silence here.
    expect(a.longestSilenceSec).toBeGreaterThan(3);
    expect(a.silenceRatio).toBeGreaterThan(0.1);
  });
});

describe('AMR-WB: written frame by frame (RFC 4867 §5)', () => {
  const file = p('wideband.amr');
  // Known layout: 2 s NO_DATA, 3 s of 23.85 kbit/s frames, 4 s NO_DATA, 2 s frames, 2 s NO_DATA.
  const plan = [
    { kind: 'silence', sec: 2 },
    { kind: 'sound', sec: 3 },
    { kind: 'silence', sec: 4 },
    { kind: 'sound', sec: 2 },
    { kind: 'silence', sec: 2 },
  ] as const;
  beforeAll(() => writeAmrWb(file, [...plan]));

  it('is well formed and probes as 16 kHz mono AMR-WB', async () => {
    expect(amrFrames(readFileSync(file))).toMatchObject({ kind: 'wb' });
    expect(amrFrames(readFileSync(file)).types).toHaveLength(13 / AMR_FRAME_SEC);
    expect(await probeAudio(file)).toMatchObject({ format: 'amr', codec: 'amr_wb', channels: 1, sampleRate: 16000, declaredDurationSec: null });
  });

  it('decodes to its 13 s (not the 3× longer length ffprobe extrapolates from the bit rate) with sound exactly where the frames put it', async () => {
    const r = await analyze(file);
    expect(r.durationSec).toBeCloseTo(13, 1);
    // Two stretches of sound, each found within the VAD's padding and the decoder's fade-out.
    expect(r.speech).toHaveLength(2);
    expect(r.speech[0]!.start).toBeGreaterThan(1.8);
    expect(r.speech[0]!.end).toBeLessThan(5.8);
    expect(r.speech[1]!.start).toBeGreaterThan(8.8);
    expect(r.speech[1]!.end).toBeLessThan(11.8);
    // The 4 s of NO_DATA between them is the longest silence, less the VAD's padding.
    const a = monoAcoustics(r);
    expect(a.longestSilenceSec).toBeGreaterThan(3.5);
    expect(a.longestSilenceSec).toBeLessThan(4.3);
  });
});

describe('the rest of the bad-input list', () => {
  let reference: number;
  beforeAll(async () => {
    reference = (await analyze(SOURCE)).speech.length;
  });

  it('full-scale white noise: a result (whatever the VAD makes of it), not a crash', async () => {
    ff('-f', 'lavfi', '-i', 'anoisesrc=a=0.9:c=white:r=8000', '-ac', '2', '-t', '20', p('noise.wav'));
    const r = await analyze(p('noise.wav'));
    expect(r.durationSec).toBeCloseTo(20, 1);
    for (const s of r.speech) expect(s.end).toBeLessThanOrEqual(20);
    expect((await analyze(SOURCE)).speech.length).toBe(reference);
  });

  it('a video file with an audio track: the audio is analysed like the call itself', async () => {
    ff('-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=5', '-i', SOURCE, '-map', '0:v', '-map', '1:a', '-shortest', '-c:v', 'mpeg4', '-c:a', 'aac', p('video.mp4'));
    const r = await analyze(p('video.mp4'));
    expect(r.info.channels).toBe(2);
    expect(Math.abs(r.durationSec - call().audio.durationSec)).toBeLessThan(0.3);
    for (const t of call().truth.segments) {
      const ch = t.channel === 'L' ? 0 : 1;
      expect(r.speech.some((s) => s.channel === ch && s.end > t.start && s.start < t.end), `${t.start}`).toBe(true);
    }
  });

  it('a video file without an audio stream → AUDIO_UNDECODABLE "no audio stream", the host survives', async () => {
    ff('-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=5', '-t', '3', '-c:v', 'mpeg4', p('silent-film.mp4'));
    await expect(analyze(p('silent-film.mp4'))).rejects.toMatchObject({ code: 'AUDIO_UNDECODABLE', message: expect.stringContaining('no audio stream') });
    expect((await analyze(SOURCE)).speech.length).toBe(reference);
  });

  it('a 6-channel (5.1) file: the first two channels are the call, the rest is ignored', async () => {
    // Agent on FL, customer on FR, a loud tone on the centre channel that must not leak in.
    ff('-i', SOURCE, '-f', 'lavfi', '-i', 'sine=f=440:r=8000', '-filter_complex', '[0:a][1:a]amerge=inputs=2,pan=5.1|c0=c0|c1=c1|c2=c2|c3=0*c0|c4=0*c0|c5=0*c0[out]', '-map', '[out]', '-t', String(call().audio.durationSec), p('six.wav'));
    const r = await analyze(p('six.wav'));
    expect(r.info.channels).toBe(6);
    expect(new Set(r.speech.map((s) => s.channel))).toEqual(new Set([0, 1]));
    expect(r.speech.length).toBe(reference);
  });

  it('a truncated VAD model file → ASR_MODEL_MISSING, the host survives', async () => {
    const cut = p('silero_vad.onnx');
    writeFileSync(cut, readFileSync(vadModel).subarray(0, 50_000));
    await expect(analyze(SOURCE, cut)).rejects.toMatchObject({ code: 'ASR_MODEL_MISSING', message: expect.stringContaining('cannot load the VAD model') });
    expect((await analyze(SOURCE)).speech.length).toBe(reference);
  });
});
