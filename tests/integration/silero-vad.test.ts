import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../asr/audio-analysis.ts';
import { decodeFloatChannels, streamChannels } from '../../asr/ffmpeg.ts';
import { detectSpeechSilero, SileroStream, sileroSession, VAD_RATE } from '../../asr/silero-vad.ts';
import { CALLS_DIR, MODELS_DIR, tempDir, truthCalls } from '../helpers.ts';
import { compareToReference } from '../vad-metrics.ts';

/**
 * The Silero ONNX VAD run by onnxruntime at 8 kHz (asr/silero-vad.ts), on real calls against their
 * reference turn times, streamed the way the stage streams it.
 */
const ONNX = path.join(MODELS_DIR, 'asr', 'vad', 'silero_vad.onnx');
const tmp = tempDir('callscope-silero-');
afterAll(() => tmp.cleanup());
const call = truthCalls().find((c) => c.callId === 'SYN-0037')!;
const file = path.join(CALLS_DIR, call.audioFile);

describe('Silero VAD through onnxruntime', () => {
  it('finds every reference turn of a stereo call on its own channel, with no false alarm', async () => {
    const channels = await decodeFloatChannels(file, VAD_RATE);
    expect(channels).toHaveLength(2);
    const regions = await detectSpeechSilero(ONNX, channels, { rate: VAD_RATE, threads: 1 });
    const m = compareToReference([{ reference: call.truth.segments, regions }]);
    expect(m.turns).toBe(call.truth.segments.length);
    expect(m.missed).toBe(0);
    expect(m.falseAlarms).toBe(0);
    expect(m.onset.p50).toBeLessThan(0.15);
    for (const r of regions) expect(r.end).toBeGreaterThan(r.start);
  });

  it('gives the same regions however the decoder chunks the stream', async () => {
    const whole = await detectSpeechSilero(ONNX, await decodeFloatChannels(file, VAD_RATE), { rate: VAD_RATE, threads: 1 });
    const vad = new SileroStream(await sileroSession(ONNX, 1), VAD_RATE, 2);
    await streamChannels(file, { rate: VAD_RATE, channels: 2 }, (chunk) => vad.push(chunk));
    expect(await vad.finish()).toEqual(whole);
  });

  it('finds nothing in silence and copes with a 0.2 s file', async () => {
    const silence = path.join(tmp.dir, 'silence.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=stereo', '-t', '20', silence]);
    const short = path.join(tmp.dir, 'short.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', file, '-t', '0.2', short]);
    expect(await detectSpeechSilero(ONNX, await decodeFloatChannels(silence, VAD_RATE), { rate: VAD_RATE, threads: 1 })).toEqual([]);
    const r = await analyzeAudio({ file: short, vadModel: ONNX, engine: null, threads: 1, language: 'zh' });
    expect(r.durationSec).toBeCloseTo(0.2, 2);
    for (const s of r.speech) expect(s.end).toBeLessThanOrEqual(0.2);
  });

  it('refuses an ONNX file that is not a Silero v4 VAD with a clean error', async () => {
    const kws = path.join(MODELS_DIR, 'asr', 'sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile', 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx');
    await expect(sileroSession(kws, 1)).rejects.toMatchObject({ code: 'ASR_MODEL_MISSING', message: expect.stringMatching(/is not a Silero v4 VAD model/) });
    expect(() => sileroSession(path.join(tmp.dir, 'none.onnx'), 1)).toThrow(/no Silero VAD model at/);
  });

  it('streams a stereo call in the stage without decoding 16 kHz PCM, and diarises mono only when asked', async () => {
    const stereo = await analyzeAudio({ file, vadModel: ONNX, engine: null, threads: 1, language: 'zh' });
    expect(stereo.durationSec).toBeCloseTo(call.audio.durationSec, 1);
    expect(stereo.diarisation).toBeNull();
    const mono = truthCalls().find((c) => c.audio.channels === 1)!;
    const monoFile = path.join(CALLS_DIR, mono.audioFile);
    const withTurns = await analyzeAudio({ file: monoFile, vadModel: ONNX, engine: null, threads: 1, language: 'zh' });
    expect(withTurns.diarisation?.length).toBeGreaterThan(0);
    const vendor = await analyzeAudio({ file: monoFile, vadModel: ONNX, engine: null, threads: 1, language: 'zh', diarise: false });
    expect(vendor.diarisation).toBeNull();
    expect(vendor.speech).toEqual(withTurns.speech);
  });
});
