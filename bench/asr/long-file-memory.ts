/**
 * Memory for long recordings: generated 8 kHz calls (a sample call looped by ffmpeg; mono = its
 * downmix) of 60 and 180 minutes through analyzeAudio (the ASR host's work: decode, Silero ONNX
 * VAD, then the engine and/or mono diarisation), each run in a fresh process reporting its peak RSS
 * (VmHWM), CPU and wall time. Paths per row:
 * - after: the stage's path: the VAD streams both channels at 8 kHz; the engine and the diariser
 *   read 16 kHz audio region by region from one ffmpeg stream per channel (asr/pcm-source.ts);
 * - before: the same VAD, then every channel the engine or the diariser needs decoded whole to
 *   16 kHz int16 (decodeChannel, 115 MB per channel-hour) and read from memory: the previous path.
 * The engine is the structure-only Paraformer fixture (tests/paraformer-fixture.ts, zero weights:
 * real sherpa-onnx feature extraction and network compute per region, empty text): it shows the
 * memory and our overhead around an engine, not a real model's own memory or speed.
 *
 * The keyword-spotting case (stereo-kws) runs the real KWS model alone, before (whole channels) and
 * after (streamed); at ~80× real time a channel it takes minutes per hour of audio.
 *
 *   node --import tsx bench/asr/long-file-memory.ts [minutes…=60 180] [--cases a,b]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeAudio, type AudioAnalysisRequest } from '../../asr/audio-analysis.ts';
import { diarise } from '../../asr/diarise.ts';
import { decodeAudio, decodeChannel } from '../../asr/ffmpeg.ts';
import { keywordsFromLexicons } from '../../asr/kws/keywords.ts';
import { findKwsModel } from '../../asr/kws/model.ts';
import { KeywordSpotter, spotKeywordsInFile } from '../../asr/kws/spotter.ts';
import { findSherpaVadModel } from '../../asr/models.ts';
import { loadParaformerEngine } from '../../asr/paraformer-engine.ts';
import { memoryPcm } from '../../asr/pcm-source.ts';
import { CALLS_DIR, MODELS_DIR } from '../../tests/helpers.ts';
import { writeParaformerFixture } from '../../tests/paraformer-fixture.ts';

const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

type Case = { name: string; channels: 1 | 2; engine: boolean; diarise: boolean; kws?: boolean };
const CASES: Case[] = [
  { name: 'stereo-vad', channels: 2, engine: false, diarise: false },
  { name: 'stereo-engine', channels: 2, engine: true, diarise: false },
  { name: 'mono-vad', channels: 1, engine: false, diarise: false },
  { name: 'mono-diarise', channels: 1, engine: false, diarise: true },
  { name: 'mono-engine-diarise', channels: 1, engine: true, diarise: true },
  // Keyword spotting alone (the transcribe stage runs it beside the analysis for calls without text).
  { name: 'stereo-kws', channels: 2, engine: false, diarise: false, kws: true },
];
type Result = { before: number; peak: number; wall: number; cpu: number; regions: number; durationSec: number; turns: number; texts: number };

/**
 * Keyword spotting with the sensitive-words lexicon. after: spotKeywordsInFile (each channel streamed
 * from ffmpeg, twice: detection, then windows around the detections); before: both channels decoded
 * whole to 16 kHz and spotted from memory, as before.
 */
async function spot(file: string, way: 'before' | 'after'): Promise<{ hits: number; durationSec: number }> {
  const model = findKwsModel(MODELS_DIR);
  if (!model) throw new Error('no KWS model under CALLSCOPE_MODELS');
  const keywords = keywordsFromLexicons(['sensitive-words']);
  if (way === 'after') {
    const r = await spotKeywordsInFile({ file, model, keywords });
    return { hits: r.hits.length, durationSec: r.durationSec };
  }
  const decoded = await decodeAudio(file);
  const spotter = new KeywordSpotter(model, keywords);
  let hits = 0;
  for (const [ch, pcm] of decoded.channels.entries()) hits += (await spotter.spotChannel(() => memoryPcm(pcm), ch, 'unknown')).hits.length;
  return { hits, durationSec: decoded.durationSec };
}

/** Child: analyse one file the given way, print a JSON line. */
async function one(file: string, c: Case, way: 'before' | 'after', pfDir: string): Promise<Result> {
  const before = hwm();
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  if (c.kws) {
    const k = await spot(file, way);
    const cpu = process.cpuUsage(cpu0);
    return { before, peak: hwm(), wall: (performance.now() - t) / 1000, cpu: (cpu.user + cpu.system) / 1e6, regions: 0, durationSec: k.durationSec, turns: 0, texts: k.hits };
  }
  const files = { dir: pfDir, model: path.join(pfDir, 'model.onnx'), tokens: path.join(pfDir, 'tokens.txt') };
  const req: AudioAnalysisRequest = {
    file,
    vadModel: findSherpaVadModel(MODELS_DIR)!,
    engine: c.engine && way === 'after' ? { kind: 'paraformer', files } : null,
    threads: 1,
    language: 'zh',
    diarise: c.diarise && way === 'after',
  };
  const r = await analyzeAudio(req);
  let turns = r.diarisation?.length ?? 0;
  let texts = r.transcript?.channels.length ?? 0;
  if (way === 'before' && (c.engine || c.diarise)) {
    // The previous path: whole 16 kHz channels in memory, then the engine and the diariser on them.
    const pcm: Int16Array[] = [];
    for (let ch = 0; ch < c.channels; ch++) pcm.push(await decodeChannel(file, ch, r.info.declaredDurationSec));
    if (c.engine) {
      const engine = await loadParaformerEngine(files, { threads: 1 });
      texts = 0;
      for (const [ch, x] of pcm.entries()) {
        await engine.transcribe(memoryPcm(x), r.speech.filter((s) => s.channel === ch));
        texts++;
      }
    }
    if (c.diarise) turns = diarise(pcm[0]!, r.speech).length;
  }
  const wall = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { before, peak: hwm(), wall, cpu: (cpu.user + cpu.system) / 1e6, regions: r.speech.length, durationSec: r.durationSec, turns, texts };
}

if (process.argv[2] === '--one') {
  const [file, name, way, pfDir] = process.argv.slice(3) as [string, string, 'before' | 'after', string];
  console.log(JSON.stringify(await one(file, CASES.find((c) => c.name === name)!, way, pfDir)));
} else {
  const args = process.argv.slice(2);
  const at = args.indexOf('--cases');
  const wanted = at >= 0 ? args.splice(at, 2)[1]!.split(',') : CASES.map((c) => c.name);
  const minutes = args.map(Number);
  const dir = mkdtempSync(path.join(tmpdir(), 'callscope-long-'));
  const pfDir = writeParaformerFixture(path.join(dir, 'paraformer'), 'zero');
  console.log('| audio | work | path | wall | × real time | CPU s (node; ffmpeg not counted) | regions | turns | RSS at start | peak RSS | load average |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const m of minutes.length > 0 ? minutes : [60, 180]) {
    for (const channels of [2, 1] as const) {
      const cases = CASES.filter((c) => c.channels === channels && wanted.includes(c.name));
      if (cases.length === 0) continue;
      const file = path.join(dir, `long-${m}-${channels}.wav`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', path.join(CALLS_DIR, 'SYN-0037.mp3'), '-t', String(m * 60), '-ar', '8000', '-ac', String(channels), file]);
      for (const c of cases) {
        for (const way of c.engine || c.diarise || c.kws ? (['before', 'after'] as const) : (['after'] as const)) {
          const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', file, c.name, way, pfDir], { encoding: 'utf8', maxBuffer: 1 << 24 });
          const r = JSON.parse(out.trim().split('\n').pop()!) as Result;
          const work = c.kws ? `keyword spotting only (sensitive-words; ${r.texts} hits)` : ['VAD', ...(c.engine ? ['engine (Paraformer fixture)'] : []), ...(c.diarise ? ['diarisation'] : [])].join(' + ');
          console.log(
            `| ${m} min ${channels === 2 ? 'stereo' : 'mono'} 8 kHz wav | ${work} | ${way} | ${r.wall.toFixed(1)} s | ${(r.durationSec / r.wall).toFixed(0)}× | ${r.cpu.toFixed(1)} s | ${r.regions} | ${c.diarise ? r.turns : ''} | ${r.before.toFixed(0)} MB | **${r.peak.toFixed(0)} MB** | ${loadavg().map((x) => x.toFixed(2)).join(' ')} |`,
          );
        }
      }
      rmSync(file, { force: true });
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
