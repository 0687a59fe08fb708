import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asrHost } from '../../asr/asr-host-client.ts';
import { diarise, diariseAudio } from '../../asr/diarise.ts';
import { decodeChannel, PCM_RATE } from '../../asr/ffmpeg.ts';
import { applyHotwords, compileHotwords } from '../../asr/hotwords.ts';
import { findSherpaVadModel } from '../../asr/models.ts';
import { loadParaformerEngine } from '../../asr/paraformer-engine.ts';
import { memoryPcm, streamPcm } from '../../asr/pcm-source.ts';
import { normaliseZh } from '../../asr/zh-text.ts';
import { CALLS_DIR, MODELS_DIR, tempDir } from '../helpers.ts';
import { writeParaformerFixture } from '../paraformer-fixture.ts';

/**
 * The engine and the mono diariser read 16 kHz audio region by region from an ffmpeg stream
 * (asr/pcm-source.ts) instead of whole decoded channels. These tests hold the streamed path to
 * the whole-channel one on real calls: the same samples, the same speakers, the same engine text.
 */
const tmp = tempDir('callscope-streamed-');
afterAll(() => tmp.cleanup());
const vadModel = findSherpaVadModel(MODELS_DIR)!;
const call = (name: string) => path.join(CALLS_DIR, name);

describe('streamPcm: one channel read forward from ffmpeg', () => {
  it('returns exactly the samples of the whole-channel decode, for overlapping, gapped and end-crossing reads', async () => {
    const file = call('SYN-0037.mp3');
    for (const channel of [0, 1]) {
      const whole = await decodeChannel(file, channel);
      const stream = streamPcm(file, channel, whole.length / PCM_RATE);
      try {
        const reads: Array<[number, number]> = [
          [0, 1000],
          [500, 3000], // overlaps the previous read
          [3000, 3001],
          [200_000, 216_000], // skips ahead
          [210_000, 700_123],
          [whole.length - 100, whole.length + 5000], // crosses the end
        ];
        for (const [from, to] of reads) {
          const got = await stream.read(from, to);
          expect(got.length, `${from}–${to}`).toBe(Math.min(whole.length, to) - from);
          expect(Buffer.from(got.buffer).equals(Buffer.from(whole.slice(from, to).buffer)), `${from}–${to}`).toBe(true);
        }
        expect((await stream.read(whole.length + 10, whole.length + 20)).length).toBe(0);
        await expect(stream.read(0, 10)).rejects.toThrow(/forward only/);
      } finally {
        stream.close();
      }
    }
  });

  it('closed after the first read, it stops ffmpeg instead of waiting for the end of the file', async () => {
    const stream = streamPcm(call('SYN-0037.mp3'), 0, 60);
    expect((await stream.read(0, 1600)).length).toBe(1600);
    stream.close();
  });

  it('a file ffmpeg cannot decode is a clean AUDIO_UNDECODABLE', async () => {
    const stream = streamPcm(path.join(tmp.dir, 'absent.wav'), 0, 1);
    await expect(stream.read(0, 100)).rejects.toMatchObject({ code: 'AUDIO_UNDECODABLE' });
    stream.close();
  });
});

describe('the analysis reads its 16 kHz audio streamed, with unchanged results', () => {
  it.each([
    ['SYN-0007.mp3', 'a delivered mono call'],
    ['SYN-0012.wav', 'a delivered mono call'],
  ])('%s (%s): the diarisation equals the whole-channel diariser on the same regions', async (name) => {
    const r = await asrHost().analyze({ file: call(name), vadModel, engine: null, threads: 1, language: 'zh' });
    expect(r.info.channels).toBe(1);
    expect(r.diarisation!.length).toBeGreaterThan(4);
    const whole = await decodeChannel(call(name), 0);
    expect(r.diarisation).toEqual(diarise(whole, r.speech));
    // In-process too: the stream and the array give the same windows and features.
    const stream = streamPcm(call(name), 0, r.durationSec);
    try {
      expect(await diariseAudio(stream, r.speech)).toEqual(diarise(whole, r.speech));
    } finally {
      stream.close();
    }
  });

  it('a downmix ending inside speech (the window clamp at the channel end) diarises the same streamed', async () => {
    const file = path.join(tmp.dir, 'cut-mix.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', call('SYN-0037.mp3'), '-t', '61.5', '-ac', '1', file]);
    const r = await asrHost().analyze({ file, vadModel, engine: null, threads: 1, language: 'zh' });
    expect(r.speech.at(-1)!.end).toBeGreaterThan(r.durationSec - 0.1);
    expect(r.diarisation).toEqual(diarise(await decodeChannel(file, 0), r.speech));
  });

  it('a random-weight Paraformer (text depends on every sample) gives the same text streamed as on whole channels', async () => {
    const dir = writeParaformerFixture(path.join(tmp.dir, 'random'), 'random');
    const files = { dir, model: path.join(dir, 'model.onnx'), tokens: path.join(dir, 'tokens.txt') };
    const file = path.join(tmp.dir, 'stereo-40s.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', call('SYN-0037.mp3'), '-t', '40', file]);
    const r = await asrHost().analyze({ file, vadModel, engine: { kind: 'paraformer', files }, threads: 1, language: 'zh' });
    const engine = await loadParaformerEngine(files, { threads: 1 });
    const hotwords = compileHotwords([]);
    for (const channel of [0, 1]) {
      const regions = r.speech.filter((s) => s.channel === channel);
      const whole = await engine.transcribe(memoryPcm(await decodeChannel(file, channel)), regions);
      const expected = whole.map((s) => ({ ...s, text: applyHotwords(normaliseZh(s.text), hotwords) })).filter((s) => s.text);
      expect(expected.length).toBeGreaterThan(0);
      expect(r.transcript!.channels[channel]).toEqual(expected);
    }
    await engine.release();
  });
});
