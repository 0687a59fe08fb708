/**
 * Memory for a long recording: a generated 1-hour stereo 8 kHz call (speech clip looped with
 * noise) decoded to 16 kHz PCM and run through the default VAD, reporting peak RSS (VmHWM).
 * Decoding holds each channel in memory (16 kHz int16: 115 MB per channel-hour), so memory grows
 * linearly with duration: this prints by how much.
 *
 *   node --import tsx bench/asr/long-file-memory.ts [minutes=60]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { vadChannel } from '../../asr/audio-analysis.ts';
import { decodeAudio } from '../../asr/ffmpeg.ts';
import { findSherpaVadModel } from '../../asr/models.ts';
import { CALLS_DIR, MODELS_DIR } from '../../tests/helpers.ts';

const minutes = Number(process.argv[2] ?? 60);
const dir = mkdtempSync(path.join(tmpdir(), 'callscope-long-'));
const file = path.join(dir, 'long.wav');
const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', path.join(CALLS_DIR, 'SYN-0037.mp3'), '-t', String(minutes * 60), '-ar', '8000', '-ac', '2', file]);
const before = hwm();
let t = performance.now();
const d = await decodeAudio(file);
const decodeSec = (performance.now() - t) / 1000;
const afterDecode = hwm();
t = performance.now();
let regions = 0;
for (const [ch, pcm] of d.channels.entries()) regions += (await vadChannel({ vadModel: findSherpaVadModel(MODELS_DIR)!, threads: 1 }, pcm, ch)).length;
const vadSec = (performance.now() - t) / 1000;
console.log(`| audio | decode | VAD (sherpa Silero, 2 channels) | regions | peak RSS before | after decode | after VAD | load average |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|---|`);
console.log(`| ${minutes} min stereo 8 kHz wav | ${decodeSec.toFixed(1)} s (${((minutes * 60) / decodeSec).toFixed(0)}×) | ${vadSec.toFixed(1)} s (${((minutes * 60 * 2) / vadSec).toFixed(0)}× per channel-s) | ${regions} | ${before.toFixed(0)} MB | ${afterDecode.toFixed(0)} MB | ${hwm().toFixed(0)} MB | ${loadavg().map((x) => x.toFixed(2)).join(' ')} |`);
rmSync(dir, { recursive: true, force: true });
