import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asrHost } from '../../asr/asr-host-client.ts';
import { findVadModel, findWhisperModel } from '../../asr/models.ts';
import { CALLS_DIR, MODELS_DIR, tempDir, testPipeline } from '../helpers.ts';

/**
 * whisper.cpp end to end through the ASR host, on real audio, with the structure-only test model
 * (real architecture and vocabulary, no trained weights: it runs the full encoder/decoder and
 * returns no text). What this proves: decoding, VAD windows, the native binding, the child
 * process protocol and the timing arithmetic — not recognition accuracy.
 */
const TEST_MODEL = path.join(MODELS_DIR, 'asr', 'whisper', 'for-tests-ggml-tiny.bin');
const tmp = tempDir('callscope-whisper-');
afterAll(() => tmp.cleanup());

/** The weightless model decodes to its token limit (~12 s per window here), so tests use short cuts of real calls. */
function clip(source: string, seconds: number, name: string): string {
  const out = path.join(tmp.dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path.join(CALLS_DIR, source), '-t', String(seconds), out]);
  return out;
}

describe('whisper.cpp engine', () => {
  it('never picks a for-tests model for production transcription', () => {
    expect(findWhisperModel(MODELS_DIR)).toBeNull();
  });

  it('transcribes the speech regions of each channel of a real call', async () => {
    // 0–13 s of a stereo call: the agent's greeting (left) and the customer's answer (right).
    const result = await asrHost().analyze({
      file: clip('SYN-0037.mp3', 13, 'stereo-clip.wav'),
      vadModel: findVadModel(MODELS_DIR)!,
      engine: { kind: 'whisper', model: TEST_MODEL },
      threads: 2,
      language: 'zh',
    });
    expect(result.info).toMatchObject({ channels: 2, sampleRate: 8000 });
    expect(result.durationSec).toBeCloseTo(13, 0);
    expect(result.speech.filter((r) => r.channel === 0).length).toBeGreaterThan(0);
    expect(result.speech.filter((r) => r.channel === 1).length).toBeGreaterThan(0);
    expect(result.transcript?.engine).toBe('whisper.cpp@for-tests-ggml-tiny');
    expect(result.transcript?.channels).toHaveLength(2);
    // Weightless model: it decodes, but yields no words.
    for (const ch of result.transcript!.channels) for (const s of ch) expect(s.end).toBeGreaterThanOrEqual(s.start);
  });

  it('reports a missing model file as a clean error, not a crash', async () => {
    await expect(
      asrHost().analyze({
        file: path.join(CALLS_DIR, 'SYN-0037.mp3'),
        vadModel: findVadModel(MODELS_DIR)!,
        engine: { kind: 'whisper', model: path.join(tmp.dir, 'ggml-missing.bin') },
        threads: 1,
        language: 'zh',
      }),
    ).rejects.toMatchObject({ code: 'ASR_MODEL_MISSING' });
  });

  it('is what the pipeline runs when a call has no transcript and a model is installed', async () => {
    // A models folder where the test model sits under a production name.
    const models = path.join(tmp.dir, 'models');
    mkdirSync(path.join(models, 'asr', 'whisper'), { recursive: true });
    symlinkSync(path.join(MODELS_DIR, 'asr', 'vad'), path.join(models, 'asr', 'vad'));
    symlinkSync(TEST_MODEL, path.join(models, 'asr', 'whisper', 'ggml-tiny.bin'));
    const p = testPipeline(path.join(tmp.dir, 'data'), { CALLSCOPE_MODELS: models });
    try {
      const r = await p.pipeline.ingest([clip('SYN-0012.wav', 8, 'mono-clip.wav')]);
      expect(r.outcomes[0]!.status).toBe('new');
      const doc = (await p.store.get(r.outcomes[0]!.id))!;
      expect(doc.transcriptSource).toBe('asr:whisper.cpp@ggml-tiny');
      expect(doc.warnings.some((w) => w.startsWith('mono recording: speakers diarised from the audio, agent by'))).toBe(true);
      expect(doc.speech.length).toBeGreaterThan(0);
      expect(doc.acoustics?.basis).toBe('vad');
    } finally {
      await p.close();
    }
  });
});
