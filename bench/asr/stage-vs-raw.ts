/**
 * Decode + VAD + acoustics speed on the 12 sample calls (8 kHz telephone band), one call at a time,
 * each path against its raw reference:
 * - raw decode: ffprobe + one ffmpeg process per call → 8 kHz floats, discarded;
 * - raw decode + VAD: that stream into the Silero ONNX VAD (onnxruntime, asr/silero-vad.ts), in-process;
 * - raw decode + VAD + acoustics: plus computeAcoustics (the issue's ≥ 200× target is on this row);
 * - before (sherpa): the previous path, decode to 16 kHz int16 + sherpa-onnx Silero, for comparison;
 * - stage, vendor transcript: transcribeStage (probe, ASR host IPC, decode, VAD, roles, acoustics).
 * With `--engine`: the Paraformer structure-only fixture (weightless, empty text) raw vs through the
 * stage: our overhead around an engine, not an engine's speed.
 * CPU seconds: this process and its children (ffmpeg, the ASR host) from /proc.
 *
 *   node --import tsx bench/asr/stage-vs-raw.ts [--engine]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { computeAcoustics } from '../../asr/acoustics.ts';
import { asrHost } from '../../asr/asr-host-client.ts';
import { decodeAudio, probeAudio, streamChannels } from '../../asr/ffmpeg.ts';
import { findSherpaVadModel } from '../../asr/models.ts';
import { loadParaformerEngine, PARAFORMER_DIRS } from '../../asr/paraformer-engine.ts';
import { memoryPcm } from '../../asr/pcm-source.ts';
import { detectSpeechSherpa } from '../../asr/sherpa-vad.ts';
import { SileroStream, sileroSession, VAD_RATE } from '../../asr/silero-vad.ts';
import { transcribeStage } from '../../asr/transcribe-stage.ts';
import { assignRoles, readTranscriptFile } from '../../asr/transcript.ts';
import { loadConfig } from '../../core/config.ts';
import type { SpeechRegion } from '../../core/schemas.ts';
import { CALLS_DIR, MODELS_DIR, truthCalls } from '../../tests/helpers.ts';
import { writeParaformerFixture } from '../../tests/paraformer-fixture.ts';

const withEngine = process.argv.includes('--engine');
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
const files = calls.map((c) => path.join(CALLS_DIR, c.audioFile));
const audioSec = calls.reduce((s, c) => s + c.audio.durationSec, 0);

/** CPU seconds of a process and its live descendants, plus their reaped children (utime+stime+cutime+cstime). */
const TICK = 100;
function treeCpuSec(pid = process.pid): number {
  const stat = (p: string) => {
    try {
      return readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    } catch {
      return null;
    }
  };
  const self = stat(String(pid));
  if (!self) return 0;
  let sec = (Number(self[11]) + Number(self[12]) + Number(self[13]) + Number(self[14])) / TICK;
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const f = stat(p);
    if (f && Number(f[1]) === pid) sec += treeCpuSec(Number(p));
  }
  return sec;
}

async function sileroRegions(file: string, channels: number): Promise<{ speech: SpeechRegion[]; durationSec: number }> {
  const vad = new SileroStream(await sileroSession(vadModel, 1), VAD_RATE, channels);
  const samples = await streamChannels(file, { rate: VAD_RATE, channels }, (c) => vad.push(c));
  return { speech: await vad.finish(), durationSec: samples / VAD_RATE };
}

type Row = { name: string; ref?: string; run(file: string, i: number): Promise<unknown> };
const rows: Row[] = [
  {
    name: 'raw: decode (ffprobe + ffmpeg → 8 kHz float)',
    run: async (file) => streamChannels(file, { rate: VAD_RATE, channels: Math.min(2, (await probeAudio(file)).channels) }, () => {}),
  },
  {
    name: 'raw: decode + VAD (Silero ONNX, onnxruntime 8 kHz, gate, lanes)',
    run: async (file) => sileroRegions(file, Math.min(2, (await probeAudio(file)).channels)),
  },
  {
    name: 'raw: decode + VAD + acoustics',
    run: async (file) => {
      const channels = Math.min(2, (await probeAudio(file)).channels);
      const { speech, durationSec } = await sileroRegions(file, channels);
      const segments = assignRoles(await readTranscriptFile(`${file}.transcript.json`));
      return computeAcoustics({ durationSec, segments, speech, stereo: channels === 2 });
    },
  },
  {
    name: 'before: decode 16 kHz int16 + sherpa-onnx Silero (32 ms windows)',
    run: async (file) => {
      const d = await decodeAudio(file);
      return d.channels.map((pcm, ch) => detectSpeechSherpa(vadModel, pcm, ch, { sampleRate: 16000, threads: 1 }));
    },
  },
  {
    name: 'stage, vendor transcript (probe, ASR host IPC, decode, VAD, roles, acoustics)',
    ref: 'raw: decode + VAD + acoustics',
    run: async (file) => {
      const r = await transcribeStage.run({ audioFile: file, transcriptFile: `${file}.transcript.json` }, ctx);
      if (!r.ok) throw new Error(`${file}: ${r.code} ${r.reason}`);
    },
  },
];
if (withEngine) {
  rows.push(
    {
      name: 'raw: decode 16 kHz + VAD + Paraformer fixture on the regions',
      run: async (file) => {
        const channels = Math.min(2, (await probeAudio(file)).channels);
        const { speech } = await sileroRegions(file, channels);
        const d = await decodeAudio(file);
        const engine = await loadParaformerEngine(pfFiles, { threads: 1 });
        for (const [ch, pcm] of d.channels.entries()) await engine.transcribe(memoryPcm(pcm), speech.filter((r) => r.channel === ch));
      },
    },
    {
      name: 'stage, Paraformer fixture selected by config',
      ref: 'raw: decode 16 kHz + VAD + Paraformer fixture on the regions',
      run: async (file) => {
        const r = await transcribeStage.run({ audioFile: file, transcriptFile: null }, ctx);
        if (!r.ok) throw new Error(`${file}: ${r.code} ${r.reason}`);
      },
    },
  );
}

// Warm-up: start the ASR host, load the sessions once, as in a long-running worker.
await asrHost().analyze({ file: files[0]!, vadModel, engine: null, threads: 1, language: 'zh' });
for (const r of rows) await r.run(files[0]!, 0);
const results = new Map<string, { wall: number; cpu: number; load: string }>();
for (const r of rows) {
  const l0 = loadavg()[0]!;
  const c0 = treeCpuSec();
  const t0 = performance.now();
  for (const [i, f] of files.entries()) await r.run(f, i);
  const wall = (performance.now() - t0) / 1000;
  results.set(r.name, { wall, cpu: treeCpuSec() - c0, load: `${l0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}` });
}
asrHost().stop();
rmSync(tmp, { recursive: true, force: true });

console.log(`${calls.length} calls, ${(audioSec / 60).toFixed(1)} min of audio (8 kHz; ${calls.filter((c) => c.audio.channels === 2).length} stereo), 1 ASR thread, one call at a time, on a 2-core machine shared with other sessions`);
console.log('| path | wall time | × real time | ratio to its raw reference | CPU seconds | × real time per CPU second | load average (1 min) |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  const x = results.get(r.name)!;
  const ref = r.ref ? results.get(r.ref)! : null;
  console.log(`| ${r.name} | ${x.wall.toFixed(1)} s | ${(audioSec / x.wall).toFixed(0)}× | ${ref ? (x.wall / ref.wall).toFixed(2) : ''} | ${x.cpu.toFixed(1)} s | ${(audioSec / x.cpu).toFixed(0)}× | ${x.load} |`);
}
