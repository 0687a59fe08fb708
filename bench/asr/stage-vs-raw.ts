/**
 * Our whole ASR stage against the raw components on the same audio (the 12 sample calls), one
 * call at a time:
 * - raw VAD: ffmpeg decode + the default Silero VAD (sherpa-onnx), in-process, nothing else;
 * - stage, vendor text: transcribeStage (probe, ASR host IPC, decode, VAD, mono diarisation, roles,
 *   acoustics) with the calls' vendor transcripts;
 * - raw engine: decode + VAD + the Paraformer engine called directly on the regions;
 * - stage, engine: transcribeStage with that engine selected (no vendor transcript).
 * No Paraformer weights exist here, so the engine is the structure-only fixture (weightless, empty
 * text): its time is the real feature extraction + encoder-sized matmul of a toy model, not a real
 * model's; the ratio shows our overhead around an engine, not an engine's speed.
 *
 *   node --import tsx bench/asr/stage-vs-raw.ts
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { vadChannel } from '../../asr/audio-analysis.ts';
import { asrHost } from '../../asr/asr-host-client.ts';
import { decodeAudio } from '../../asr/ffmpeg.ts';
import { findSherpaVadModel } from '../../asr/models.ts';
import { loadParaformerEngine, PARAFORMER_DIRS } from '../../asr/paraformer-engine.ts';
import { transcribeStage } from '../../asr/transcribe-stage.ts';
import { loadConfig } from '../../core/config.ts';
import { CALLS_DIR, MODELS_DIR, truthCalls } from '../../tests/helpers.ts';
import { writeParaformerFixture } from '../../tests/paraformer-fixture.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'callscope-stage-bench-'));
const models = path.join(tmp, 'models');
mkdirSync(path.join(models, 'asr'), { recursive: true });
symlinkSync(path.join(MODELS_DIR, 'asr', 'vad'), path.join(models, 'asr', 'vad'));
const pfDir = writeParaformerFixture(path.join(models, 'asr', PARAFORMER_DIRS[0]!), 'zero');
const pfFiles = { dir: pfDir, model: path.join(pfDir, 'model.onnx'), tokens: path.join(pfDir, 'tokens.txt') };
const vadModel = findSherpaVadModel(MODELS_DIR)!;
const config = loadConfig({ CALLSCOPE_MODELS: models, CALLSCOPE_ASR_THREADS: '1', CALLSCOPE_ASR_ENGINE: 'paraformer' });
const ctx = { config, log: pino({ level: 'silent' }), callId: 'bench' };
const calls = truthCalls();
const audioSec = calls.reduce((s, c) => s + c.audio.durationSec, 0);
const time = async (f: () => Promise<unknown>) => {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
};

// Warm-up: start the ASR host and load the binding once, as in a long-running worker.
await asrHost().analyze({ file: path.join(CALLS_DIR, calls[0]!.audioFile), vadModel, engine: null, threads: 1, language: 'zh' });
const load0 = loadavg()[0]!;
const t = { rawVad: 0, stageVendor: 0, rawEngine: 0, stageEngine: 0 };
for (const c of calls) {
  const file = path.join(CALLS_DIR, c.audioFile);
  t.rawVad += await time(async () => {
    const d = await decodeAudio(file);
    for (const [ch, pcm] of d.channels.entries()) await vadChannel({ vadModel, threads: 1 }, pcm, ch);
  });
  t.stageVendor += await time(async () => {
    const r = await transcribeStage.run({ audioFile: file, transcriptFile: `${file}.transcript.json` }, ctx);
    if (!r.ok) throw new Error(`${c.callId}: ${r.code} ${r.reason}`);
  });
  t.rawEngine += await time(async () => {
    const d = await decodeAudio(file);
    const engine = await loadParaformerEngine(pfFiles, { threads: 1 });
    for (const [ch, pcm] of d.channels.entries()) await engine.transcribe(pcm, await vadChannel({ vadModel, threads: 1 }, pcm, ch));
  });
  t.stageEngine += await time(async () => {
    const r = await transcribeStage.run({ audioFile: file, transcriptFile: null }, ctx);
    if (!r.ok) throw new Error(`${c.callId}: ${r.code} ${r.reason}`);
  });
}
asrHost().stop();
rmSync(tmp, { recursive: true, force: true });
const row = (name: string, secs: number, ref: number | null) =>
  console.log(`| ${name} | ${secs.toFixed(1)} s | ${(audioSec / secs).toFixed(0)}× | ${ref === null ? '' : `${(secs / ref).toFixed(2)}`} |`);
console.log(`${calls.length} calls, ${(audioSec / 60).toFixed(1)} min of audio, 1 ASR thread, one call at a time; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
console.log('| path | wall time | × real time | ratio to its raw reference |');
console.log('|---|---:|---:|---:|');
row('raw: decode + VAD (in-process)', t.rawVad, null);
row('stage, vendor transcript (host, VAD, diarisation, roles, acoustics)', t.stageVendor, t.rawVad);
row('raw: decode + VAD + Paraformer fixture on the regions', t.rawEngine, null);
row('stage, Paraformer fixture selected by config', t.stageEngine, t.rawEngine);
