/**
 * Two channels on two cores, for the engine: the Paraformer fixture (tests/paraformer-fixture.ts,
 * random weights: real sherpa-onnx feature extraction + network per region, meaningless text) on
 * the VAD regions of both channels of the 10 stereo sample calls, the 16 kHz channels decoded
 * beforehand (only the engine is timed):
 * - sequential, 1 thread: what the stage does with CALLSCOPE_ASR_THREADS=1 (the reference);
 * - sequential, 2 intra-op threads: the engine's own threads option;
 * - both channels at once, 1 thread each: sherpa-onnx's decodeAsync (native worker threads), one
 *   recogniser per channel.
 * The fixture's network is tiny next to a real Paraformer, so this says whether the decode calls
 * overlap on two cores, not what a real model would gain.
 *
 *   node --import tsx bench/asr/two-channels.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { decodeChannel, PCM_RATE } from '../../asr/ffmpeg.ts';
import { findSherpaVadModel } from '../../asr/models.ts';
import { loadSherpa, type SherpaOfflineRecognizer, toFloat32 } from '../../asr/sherpa-binding.ts';
import { detectSpeechSilero, VAD_RATE } from '../../asr/silero-vad.ts';
import { decodeFloatChannels } from '../../asr/ffmpeg.ts';
import type { SpeechRegion } from '../../core/schemas.ts';
import { CALLS_DIR, MODELS_DIR, truthCalls } from '../../tests/helpers.ts';
import { writeParaformerFixture } from '../../tests/paraformer-fixture.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'callscope-two-ch-'));
const dir = writeParaformerFixture(path.join(tmp, 'pf'), 'random');
const recogniser = (threads: number) =>
  new (loadSherpa().OfflineRecognizer)({
    featConfig: { sampleRate: PCM_RATE, featureDim: 80 },
    modelConfig: { paraformer: { model: path.join(dir, 'model.onnx') }, tokens: path.join(dir, 'tokens.txt'), numThreads: threads, provider: 'cpu', debug: 0 },
    decodingMethod: 'greedy_search',
  }) as SherpaOfflineRecognizer & { decodeAsync(s: unknown): Promise<{ text: string }> };

type Call = { pcm: Int16Array[]; regions: SpeechRegion[][] };
const calls: Call[] = [];
for (const c of truthCalls().filter((x) => x.audio.channels === 2)) {
  const file = path.join(CALLS_DIR, c.audioFile);
  const speech = await detectSpeechSilero(findSherpaVadModel(MODELS_DIR)!, await decodeFloatChannels(file, VAD_RATE), { rate: VAD_RATE, threads: 1 });
  calls.push({ pcm: [await decodeChannel(file, 0), await decodeChannel(file, 1)], regions: [0, 1].map((ch) => speech.filter((r) => r.channel === ch)) });
}
const audioSec = calls.reduce((s, c) => s + c.pcm[0]!.length / PCM_RATE, 0);
const slice = (pcm: Int16Array, r: SpeechRegion) => toFloat32(pcm.subarray(Math.floor(r.start * PCM_RATE), Math.ceil(r.end * PCM_RATE)));

async function channelAsync(rec: ReturnType<typeof recogniser>, pcm: Int16Array, regions: SpeechRegion[]): Promise<number> {
  let n = 0;
  for (const r of regions) {
    const s = rec.createStream();
    s.acceptWaveform({ samples: slice(pcm, r), sampleRate: PCM_RATE });
    n += (await rec.decodeAsync(s)).text.length;
  }
  return n;
}

/** Every region of every call, channel after channel, on one recogniser with this many intra-op threads. */
function sequential(threads: number): void {
  const rec = recogniser(threads);
  for (const c of calls) for (const ch of [0, 1]) for (const r of c.regions[ch]!) {
    const s = rec.createStream();
    s.acceptWaveform({ samples: slice(c.pcm[ch]!, r), sampleRate: PCM_RATE });
    rec.decode(s);
  }
}

const ways: Array<{ name: string; run(): Promise<void> }> = [
  { name: 'sequential, 1 thread (reference)', run: async () => sequential(1) },
  { name: 'sequential, 2 intra-op threads', run: async () => sequential(2) },
  {
    name: 'both channels at once (decodeAsync), 1 thread each',
    run: async () => {
      const recs = [recogniser(1), recogniser(1)];
      for (const c of calls) await Promise.all([0, 1].map((ch) => channelAsync(recs[ch]!, c.pcm[ch]!, c.regions[ch]!)));
    },
  },
];

console.log(`${calls.length} stereo calls, ${(audioSec / 60).toFixed(1)} min, ${calls.reduce((s, c) => s + c.regions[0]!.length + c.regions[1]!.length, 0)} regions; engine time only`);
console.log('| way | wall | ratio to reference | CPU s (process) | load average (1 min) |');
console.log('|---|---:|---:|---:|---|');
let ref = 0;
for (const w of ways) {
  await w.run(); // warm-up
  const l0 = loadavg()[0]!;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await w.run();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  ref ||= wall;
  console.log(`| ${w.name} | ${wall.toFixed(2)} s | ${(wall / ref).toFixed(2)} | ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s | ${l0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} |`);
}
rmSync(tmp, { recursive: true, force: true });
