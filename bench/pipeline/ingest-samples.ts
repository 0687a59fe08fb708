/**
 * Wall time of ingesting the dev sample calls (what `scripts/demo.sh` does after installing),
 * cold and again (no-op), beside the reference: the raw work it cannot avoid — ffmpeg decode and
 * Silero VAD of every channel — run directly on the same audio.
 *
 *   node --import tsx bench/pipeline/ingest-samples.ts
 */
import path from 'node:path';
import { decodeAudio } from '../../asr/ffmpeg.ts';
import { findVadModel } from '../../asr/models.ts';
import { detectSpeech } from '../../asr/vad.ts';
import { AUDIO_EXTENSIONS } from '../../pipeline/discover.ts';
import { readdirSync } from 'node:fs';
import { CALLS_DIR, MODELS_DIR, tempDir, testPipeline } from '../../tests/helpers.ts';

const data = tempDir('callscope-bench-');
const p = testPipeline(data.dir);
try {
  let t = performance.now();
  const cold = await p.pipeline.ingest([CALLS_DIR]);
  const coldMs = performance.now() - t;
  t = performance.now();
  const warm = await p.pipeline.ingest([CALLS_DIR]);
  const warmMs = performance.now() - t;

  const files = readdirSync(CALLS_DIR).filter((f) => AUDIO_EXTENSIONS.has(path.extname(f)));
  const vad = findVadModel(MODELS_DIR)!;
  let audioSec = 0;
  t = performance.now();
  for (const f of files) {
    const d = await decodeAudio(path.join(CALLS_DIR, f));
    audioSec += d.durationSec;
    for (const [ch, pcm] of d.channels.entries()) await detectSpeech(vad, pcm, ch, p.config.asrThreads);
  }
  const refMs = performance.now() - t;

  const failed = cold.outcomes.filter((o) => o.status === 'failed').length;
  console.log(`${files.length} calls, ${(audioSec / 60).toFixed(1)} min of audio, concurrency ${p.config.concurrency}, ${p.config.asrThreads} ASR threads, ${failed} failed`);
  console.log('| run | wall time | × real time | vs reference |');
  console.log('|---|---|---|---|');
  console.log(`| pipeline ingest, cold | ${(coldMs / 1000).toFixed(1)} s | ${(audioSec / (coldMs / 1000)).toFixed(0)}× | ${(coldMs / refMs).toFixed(2)} |`);
  console.log(`| pipeline ingest, again (no-op: ${warm.outcomes.filter((o) => o.status === 'unchanged').length} unchanged) | ${(warmMs / 1000).toFixed(2)} s | ${(audioSec / (warmMs / 1000)).toFixed(0)}× | ${(warmMs / refMs).toFixed(3)} |`);
  console.log(`| reference: ffmpeg decode + Silero VAD, sequential | ${(refMs / 1000).toFixed(1)} s | ${(audioSec / (refMs / 1000)).toFixed(0)}× | 1.00 |`);
} finally {
  await p.close();
  data.cleanup();
}
