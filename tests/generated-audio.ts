import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/**
 * Audio with exactly known timing, built sample by sample: clips (synthesised by ffmpeg) placed
 * at chosen offsets on one or two channels, written as 16-bit WAV. The placements are the truth.
 */
export const GEN_RATE = 8000;

/** ffmpeg's flite voices differ in sex and timbre: distinct, known speakers. */
export function fliteSpeech(text: string, voice: 'slt' | 'rms' | 'kal' | 'awb'): Int16Array {
  const buf = execFileSync('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', `flite=text='${text.replace(/'/g, '')}':voice=${voice}`,
    '-af', 'silenceremove=start_periods=1:start_threshold=-45dB,areverse,silenceremove=start_periods=1:start_threshold=-45dB,areverse',
    '-ar', String(GEN_RATE), '-ac', '1', '-f', 's16le', 'pipe:1',
  ], { maxBuffer: 64 << 20 });
  return pcmOf(buf);
}

/** A tone (or noise with `noise`) of `sec` seconds at `amp` (0–1): lavfi sources. */
export function lavfi(source: string, sec: number): Int16Array {
  const buf = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', source, '-t', String(sec), '-ar', String(GEN_RATE), '-ac', '1', '-f', 's16le', 'pipe:1'], { maxBuffer: 64 << 20 });
  return pcmOf(buf);
}

function pcmOf(buf: Buffer): Int16Array {
  const pcm = new Int16Array(buf.length >> 1);
  Buffer.from(pcm.buffer).set(buf.subarray(0, pcm.length * 2));
  return pcm;
}

export type Placement = { channel: number; at: number; clip: Int16Array; label: string };
export type Placed = { channel: number; start: number; end: number; label: string };

/** Places clips on a timeline of `durationSec` with `channels` channels; returns the interleaved PCM and the truth. */
export function compose(channels: number, durationSec: number, placements: Placement[]): { pcm: Int16Array; truth: Placed[] } {
  const n = Math.round(durationSec * GEN_RATE);
  const pcm = new Int16Array(n * channels);
  const truth: Placed[] = [];
  for (const p of placements) {
    const start = Math.round(p.at * GEN_RATE);
    for (let i = 0; i < p.clip.length && start + i < n; i++) {
      const k = (start + i) * channels + p.channel;
      pcm[k] = Math.max(-32768, Math.min(32767, pcm[k]! + p.clip[i]!));
    }
    truth.push({ channel: p.channel, start: start / GEN_RATE, end: Math.min(n, start + p.clip.length) / GEN_RATE, label: p.label });
  }
  return { pcm, truth };
}

export function writeWav(file: string, pcm: Int16Array, channels: number, rate = GEN_RATE): void {
  const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([h, data]));
}
