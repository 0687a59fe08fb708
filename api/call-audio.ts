import { spawn } from 'node:child_process';
import type { CallDoc } from '../core/schemas.ts';

/** Seconds added before and after a PII segment, so a word at its edge is covered too. */
const PAD_SEC = 0.15;

/**
 * The time spans to beep in a call's audio: every segment whose text held PII (card, ID, phone
 * numbers…), i.e. whose masked text differs from the raw text. Overlapping spans are merged.
 */
export function piiSpans(doc: Pick<CallDoc, 'segments'>): Array<[number, number]> {
  const spans = doc.segments
    .filter((s) => (s.pii?.length ?? 0) > 0 || s.text !== s.textMasked)
    .map((s): [number, number] => [Math.max(0, s.start - PAD_SEC), s.end + PAD_SEC])
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const s of spans) {
    const last = merged.at(-1);
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged;
}

/**
 * ffmpeg arguments that decode `file`, silence the spans and lay a 1 kHz tone over them, and write
 * MP3 to stdout. Mono 16 kHz: what the transcript was made from, and a fifth of the bytes of the original.
 */
export function beepArgs(file: string, spans: Array<[number, number]>): string[] {
  const during = spans.length ? spans.map(([a, b]) => `between(t,${a.toFixed(3)},${b.toFixed(3)})`).join('+') : '0';
  const graph =
    `[0:a]aresample=16000,aformat=sample_fmts=fltp:channel_layouts=mono,volume=0:enable='${during}'[speech];` +
    `sine=frequency=1000:sample_rate=16000,volume=0.3,volume=0:enable='not(${during})'[tone];` +
    '[speech][tone]amix=inputs=2:duration=first:normalize=0';
  return ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', file, '-filter_complex', graph, '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '48k', '-f', 'mp3', 'pipe:1'];
}

/**
 * The masked recording, whole (a call is a few minutes: well under a megabyte at 48 kbit/s), so the
 * player can seek with Range requests. Takes about a second per ten minutes of audio.
 */
export function maskedAudio(file: string, spans: Array<[number, number]>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', beepArgs(file, spans), { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg exit ${code}: ${stderr.trim()}`))));
  });
}
