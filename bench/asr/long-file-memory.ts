/**
 * Memory for long recordings: generated stereo 8 kHz calls (a sample call looped by ffmpeg) of 60
 * and 180 minutes through the stage's decode + VAD (analyzeAudio with the ONNX VAD: one ffmpeg
 * stream into the Silero VAD block by block), each in a fresh process, reporting its peak RSS
 * (VmHWM). Before streaming, decoding held each channel as 16 kHz int16 (115 MB per channel-hour):
 * a 1-hour call peaked at 473 MB.
 *
 *   node --import tsx bench/asr/long-file-memory.ts [minutes…=60 180]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeAudio } from '../../asr/audio-analysis.ts';
import { findSherpaVadModel } from '../../asr/models.ts';
import { CALLS_DIR, MODELS_DIR } from '../../tests/helpers.ts';

const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

if (process.argv[2] === '--one') {
  // Child: analyse one file, print a JSON line.
  const file = process.argv[3]!;
  const before = hwm();
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const r = await analyzeAudio({ file, vadModel: findSherpaVadModel(MODELS_DIR)!, engine: null, threads: 1, language: 'zh' });
  const wall = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ before, peak: hwm(), wall, cpu: (cpu.user + cpu.system) / 1e6, regions: r.speech.length, durationSec: r.durationSec }));
} else {
  const minutes = process.argv.slice(2).map(Number);
  const dir = mkdtempSync(path.join(tmpdir(), 'callscope-long-'));
  console.log('| audio | decode + VAD wall | × real time | CPU s (node; ffmpeg not counted) | regions | RSS at start | peak RSS | load average |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const m of minutes.length > 0 ? minutes : [60, 180]) {
    const file = path.join(dir, `long-${m}.wav`);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', path.join(CALLS_DIR, 'SYN-0037.mp3'), '-t', String(m * 60), '-ar', '8000', '-ac', '2', file]);
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', file], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { before: number; peak: number; wall: number; cpu: number; regions: number; durationSec: number };
    console.log(`| ${m} min stereo 8 kHz wav | ${r.wall.toFixed(1)} s | ${(r.durationSec / r.wall).toFixed(0)}× | ${r.cpu.toFixed(1)} s | ${r.regions} | ${r.before.toFixed(0)} MB | ${r.peak.toFixed(0)} MB | ${loadavg().map((x) => x.toFixed(2)).join(' ')} |`);
    rmSync(file, { force: true });
  }
  rmSync(dir, { recursive: true, force: true });
}
