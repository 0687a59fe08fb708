import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asrHost } from '../../asr/asr-host-client.ts';
import { decodeAudio } from '../../asr/ffmpeg.ts';
import { findSherpaVadModel, findVadModel, selectAsrEngine } from '../../asr/models.ts';
import { findParaformerModel, PARAFORMER_DIRS } from '../../asr/paraformer-engine.ts';
import { detectSpeechSherpa } from '../../asr/sherpa-vad.ts';
import { normaliseZh } from '../../asr/zh-text.ts';
import { repoRoot } from '../../core/config.ts';
import { CALLS_DIR, MODELS_DIR, tempDir, testPipeline, truthCalls } from '../helpers.ts';
import { FIXTURE_TOKENS, writeParaformerFixture } from '../paraformer-fixture.ts';

/**
 * The sherpa-onnx Paraformer engine end to end through the ASR host, on real audio. No Paraformer
 * weights exist here, so the recogniser runs on structure-only models (tests/paraformer-fixture.ts):
 * this proves loading, feature extraction, the native decode, per-region timing, normalisation and
 * the child-process protocol — never recognition accuracy.
 */
const tmp = tempDir('callscope-paraformer-');
afterAll(() => tmp.cleanup());

function clip(source: string, seconds: number, name: string, extra: string[] = []): string {
  const out = path.join(tmp.dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path.join(CALLS_DIR, source), '-t', String(seconds), ...extra, out]);
  return out;
}
const files = (dir: string) => ({ dir, model: path.join(dir, 'model.onnx'), tokens: path.join(dir, 'tokens.txt') });
const vadModel = findVadModel(MODELS_DIR)!;

describe('Paraformer engine: model files', () => {
  it('is not installed here, and asking for it names the files and the download command', () => {
    expect(findParaformerModel(MODELS_DIR)).toBeNull();
    const choice = selectAsrEngine(MODELS_DIR, 'paraformer');
    expect(choice.engine).toBeNull();
    expect(choice.missing).toContain(`${PARAFORMER_DIRS[0]}/model.int8.onnx and tokens.txt`);
    expect(choice.missing).toContain('callscope models download --engine paraformer');
  });

  it('reports a folder without tokens.txt as missing files, without crashing the host', async () => {
    const dir = path.join(tmp.dir, 'no-tokens');
    writeParaformerFixture(dir, 'zero');
    const f = files(dir);
    f.tokens = path.join(dir, 'absent-tokens.txt');
    await expect(
      asrHost().analyze({ file: clip('SYN-0037.mp3', 3, 'short.wav'), vadModel, engine: { kind: 'paraformer', files: f }, threads: 1, language: 'zh' }),
    ).rejects.toMatchObject({ code: 'ASR_MODEL_MISSING', message: expect.stringContaining('absent-tokens.txt') });
  });

  it('refuses an official model file of the wrong size before onnxruntime (which would abort) sees it', async () => {
    const dir = path.join(tmp.dir, 'models-bad', 'asr', PARAFORMER_DIRS[0]!);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'model.int8.onnx'), Buffer.alloc(4096, 7));
    writeFileSync(path.join(dir, 'tokens.txt'), '</s> 0\n');
    const found = findParaformerModel(path.join(tmp.dir, 'models-bad'))!;
    expect(found.model).toMatch(/model\.int8\.onnx$/);
    await expect(
      asrHost().analyze({ file: clip('SYN-0037.mp3', 3, 'short.wav'), vadModel, engine: { kind: 'paraformer', files: found }, threads: 1, language: 'zh' }),
    ).rejects.toMatchObject({ code: 'MODEL_CHECKSUM_MISMATCH', message: expect.stringContaining('expected 81828675 B') });
  });
});

describe('Paraformer engine: recognition path on real audio (structure-only models)', () => {
  it('a weightless model decodes every speech region of both channels to no text', async () => {
    const dir = writeParaformerFixture(path.join(tmp.dir, 'zero'), 'zero');
    const r = await asrHost().analyze({
      file: clip('SYN-0037.mp3', 13, 'stereo-13s.wav'),
      vadModel,
      engine: { kind: 'paraformer', files: files(dir) },
      threads: 1,
      language: 'zh',
    });
    expect(r.info.channels).toBe(2);
    expect(r.speech.filter((s) => s.channel === 0).length).toBeGreaterThan(0);
    expect(r.speech.filter((s) => s.channel === 1).length).toBeGreaterThan(0);
    expect(r.transcript?.engine).toBe('sherpa-onnx-paraformer@zero');
    expect(r.transcript?.channels).toEqual([[], []]);
  });

  it('a random-weight model yields one segment per speech region, in simplified characters from its vocabulary', async () => {
    const dir = writeParaformerFixture(path.join(tmp.dir, 'random'), 'random');
    // The right channel is made silent: the engine must run only where the VAD found speech.
    const file = clip('SYN-0037.mp3', 13, 'left-only.wav', ['-af', 'pan=stereo|c0=c0|c1=0*c1']);
    const r = await asrHost().analyze({ file, vadModel, engine: { kind: 'paraformer', files: files(dir) }, threads: 1, language: 'zh' });
    const [left, right] = r.transcript!.channels;
    expect(r.speech.filter((s) => s.channel === 1)).toEqual([]);
    expect(right).toEqual([]);
    const regions = r.speech.filter((s) => s.channel === 0);
    expect(left!.length).toBeGreaterThan(0);
    for (const seg of left!) expect(regions).toContainEqual({ channel: 0, start: seg.start, end: seg.end });
    const allowed = new Set([...normaliseZh(FIXTURE_TOKENS.filter((t) => !t.startsWith('<')).join(''))]);
    const text = left!.map((s) => s.text).join('');
    for (const ch of text) expect(allowed.has(ch), `${ch} comes from tokens.txt, simplified`).toBe(true);
    expect(text).not.toMatch(/[銀帳戶請]/);
  });

  it('is what the pipeline runs for a call without a transcript when CALLSCOPE_ASR_ENGINE=paraformer', async () => {
    const models = path.join(tmp.dir, 'models');
    mkdirSync(path.join(models, 'asr'), { recursive: true });
    symlinkSync(path.join(MODELS_DIR, 'asr', 'vad'), path.join(models, 'asr', 'vad'));
    writeParaformerFixture(path.join(models, 'asr', PARAFORMER_DIRS[0]!), 'zero');
    const p = testPipeline(path.join(tmp.dir, 'data'), { CALLSCOPE_MODELS: models, CALLSCOPE_ASR_ENGINE: 'paraformer' });
    try {
      const r = await p.pipeline.ingest([clip('SYN-0012.wav', 8, 'mono-8s.wav')]);
      expect(r.outcomes[0]!.status).toBe('new');
      const doc = (await p.store.get(r.outcomes[0]!.id))!;
      expect(doc.transcriptSource).toBe(`asr:sherpa-onnx-paraformer@${PARAFORMER_DIRS[0]}`);
      expect(doc.warnings).toContain('the ASR engine returned no text');
    } finally {
      await p.close();
    }
  });
});

describe('sherpa-onnx Silero VAD', () => {
  const onnx = findSherpaVadModel(MODELS_DIR)!;

  it('finds the reference turns of a real telephone call resampled to 16 kHz by ffmpeg', async () => {
    const call = truthCalls().find((c) => c.callId === 'SYN-0037')!;
    const d = await decodeAudio(path.join(CALLS_DIR, call.audioFile));
    const regions = detectSpeechSherpa(onnx, d.channels[0]!, 0, { sampleRate: 16000, threads: 1 });
    const agentTurns = call.truth.segments.filter((s) => s.channel === 'L');
    const found = agentTurns.filter((t) => regions.some((r) => r.end > t.start && r.start < t.end));
    expect(found.length).toBe(agentTurns.length);
    // Nothing far from a reference turn.
    for (const r of regions) expect(agentTurns.some((t) => r.end > t.start - 0.5 && r.start < t.end + 0.5)).toBe(true);
  });

  it('refuses another sample rate before native code sees it (which would end the process)', () => {
    expect(() => detectSpeechSherpa(onnx, new Int16Array(8000), 0, { sampleRate: 8000, threads: 1 })).toThrow(/needs 16000 Hz audio, got 8000 Hz/);
  });

  it('…because the native VAD really does end the process at 8 kHz (why the guard exists)', () => {
    const script = `const s=require('sherpa-onnx-node');new s.Vad({sileroVad:{model:${JSON.stringify(onnx)},threshold:0.5,minSilenceDuration:0.1,minSpeechDuration:0.25,windowSize:512},sampleRate:8000,numThreads:1,debug:0},30);console.log('survived')`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.stdout).not.toContain('survived');
    expect(r.status).not.toBe(0);
  });
});
