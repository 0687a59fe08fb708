import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { CallScopeError } from '../core/errors.ts';

/** Every engine and the VAD take 16 kHz mono signed 16-bit PCM. */
export const PCM_RATE = 16000;

export type AudioInfo = {
  format: string;
  codec: string;
  channels: number;
  sampleRate: number;
  /** What the container claims; compared with what actually decodes to catch truncated files. */
  declaredDurationSec: number | null;
};

type ProcessResult = { code: number | null; stdout: Buffer; stderr: string };

function run(cmd: string, args: string[]): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', (e) =>
      reject(new CallScopeError('STAGE_FAILED', `cannot run ${cmd}: ${e.message} (is ffmpeg installed?)`)),
    );
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
  });
}

/** The first line of a tool's complaint on stderr, for an error message. */
export function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? '').replace(/^.*?: /, '').trim();
}

export async function probeAudio(file: string): Promise<AudioInfo> {
  const r = await run('ffprobe', ['-v', 'error', '-of', 'json', '-show_format', '-show_streams', file]);
  if (r.code !== 0) {
    throw new CallScopeError('AUDIO_UNDECODABLE', `not a readable audio file (${firstLine(r.stderr) || 'ffprobe failed'})`);
  }
  const info = JSON.parse(r.stdout.toString()) as {
    streams?: Array<{ codec_type?: string; codec_name?: string; channels?: number; sample_rate?: string; duration?: string }>;
    format?: { format_name?: string; duration?: string };
  };
  const stream = info.streams?.find((s) => s.codec_type === 'audio');
  if (!stream || !stream.channels || !stream.sample_rate) {
    throw new CallScopeError('AUDIO_UNDECODABLE', 'the file has no audio stream');
  }
  const format = info.format?.format_name ?? 'unknown';
  // An AMR storage file (RFC 4867 §5) has no length field: ffprobe extrapolates one from the first
  // frames' bit rate, which DTX silence (1-byte SID / NO_DATA frames) makes several times too long.
  const declared = format === 'amr' ? NaN : Number(stream.duration ?? info.format?.duration);
  return {
    format,
    codec: stream.codec_name ?? 'unknown',
    channels: stream.channels,
    sampleRate: Number(stream.sample_rate),
    declaredDurationSec: Number.isFinite(declared) ? declared : null,
  };
}

/** ffmpeg arguments that write one channel of `file` to stdout as 16 kHz mono s16le. */
export function channelDecodeArgs(file: string, channel: number): string[] {
  return ['-nostdin', '-v', 'error', '-i', file, '-af', `pan=mono|c0=c${channel}`, '-ar', String(PCM_RATE), '-acodec', 'pcm_s16le', '-f', 's16le', 'pipe:1'];
}

/**
 * Decodes one channel of any file ffmpeg reads to 16 kHz mono PCM, streamed straight into one
 * buffer sized from the declared duration (grown if needed): an hour-long channel costs its
 * 115 MB once, not chunks plus a concatenated copy.
 */
export async function decodeChannel(file: string, channel: number, expectedSec: number | null = null): Promise<Int16Array> {
  const args = channelDecodeArgs(file, channel);
  let buf = Buffer.alloc(Math.ceil(((expectedSec ?? 60) + 1) * PCM_RATE) * 2);
  let used = 0;
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      if (used + c.length > buf.length) {
        const bigger = Buffer.alloc(Math.max(buf.length * 2, used + c.length));
        buf.copy(bigger, 0, 0, used);
        buf = bigger;
      }
      c.copy(buf, used);
      used += c.length;
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', (e) => reject(new CallScopeError('STAGE_FAILED', `cannot run ffmpeg: ${e.message} (is ffmpeg installed?)`)));
    child.on('close', (c) => resolve({ code: c, stderr: err }));
  });
  if (code !== 0 || used === 0) {
    throw new CallScopeError('AUDIO_UNDECODABLE', `ffmpeg could not decode the audio (${firstLine(stderr) || 'no samples'})`);
  }
  // Buffer.alloc of this size is never pooled, so byteOffset is 0 and the view is aligned.
  return new Int16Array(buf.buffer, buf.byteOffset, used >> 1);
}

/**
 * Streams the first `channels` channels (1 or 2) of any file ffmpeg reads as float samples at
 * `rate`, one ffmpeg process for both channels, chunk by chunk: `onChunk` gets the same number of
 * samples per channel and the stream waits for it (backpressure), so memory stays bounded
 * whatever the duration. Returns the samples per channel decoded.
 */
export async function streamChannels(
  file: string,
  opts: { rate: number; channels: number },
  onChunk: (chunk: Float32Array[]) => Promise<void> | void,
): Promise<number> {
  const n = opts.channels;
  const pan = n === 1 ? 'pan=mono|c0=c0' : 'pan=stereo|c0=c0|c1=c1';
  const args = ['-nostdin', '-v', 'error', '-i', file, '-af', pan, '-ar', String(opts.rate), '-acodec', 'pcm_f32le', '-f', 'f32le', 'pipe:1'];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(new CallScopeError('STAGE_FAILED', `cannot run ffmpeg: ${e.message} (is ffmpeg installed?)`)));
    child.on('close', (c) => resolve(c));
  });
  const frame = 4 * n;
  let rest: Buffer = Buffer.alloc(0);
  let samples = 0;
  try {
    for await (const c of child.stdout as AsyncIterable<Buffer>) {
      const data = rest.length > 0 ? Buffer.concat([rest, c]) : c;
      const frames = Math.floor(data.length / frame);
      rest = Buffer.from(data.subarray(frames * frame));
      if (frames === 0) continue;
      // Copy to an aligned buffer: chunk offsets from the pipe are not multiples of 4.
      const interleaved = new Float32Array(frames * n);
      new Uint8Array(interleaved.buffer).set(data.subarray(0, frames * frame));
      const out = Array.from({ length: n }, () => new Float32Array(frames));
      for (let i = 0, k = 0; i < frames; i++) for (let ch = 0; ch < n; ch++) out[ch]![i] = interleaved[k++]!;
      samples += frames;
      await onChunk(out);
    }
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const code = await closed;
  if (code !== 0 || samples === 0) {
    throw new CallScopeError('AUDIO_UNDECODABLE', `ffmpeg could not decode the audio (${firstLine(err) || 'no samples'})`);
  }
  return samples;
}

/** Whole channels as floats at `rate` (benches and tests; the stage streams). */
export async function decodeFloatChannels(file: string, rate: number): Promise<Float32Array[]> {
  const info = await probeAudio(file);
  const parts: Float32Array[][] = [];
  const samples = await streamChannels(file, { rate, channels: Math.min(info.channels, 2) }, (c) => void parts.push(c));
  return (parts[0] ?? []).map((_, ch) => {
    const out = new Float32Array(samples);
    let off = 0;
    for (const p of parts) {
      out.set(p[ch]!, off);
      off += p[ch]!.length;
    }
    return out;
  });
}

/** A WAV whose data chunk claims more bytes than the file holds was cut short. */
async function wavIsTruncated(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, 4096));
    await fh.read(head, 0, head.length, 0);
    if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return false;
    let off = 12;
    while (off + 8 <= head.length) {
      const id = head.toString('ascii', off, off + 4);
      const len = head.readUInt32LE(off + 4);
      if (id === 'data') return len !== 0xffffffff && off + 8 + len > size;
      off += 8 + len + (len & 1);
    }
    return false;
  } finally {
    await fh.close();
  }
}

export type DecodedAudio = { info: AudioInfo; channels: Int16Array[]; durationSec: number };

/** Decodes every channel (at most two: a contact-centre recording is agent + customer) to 16 kHz int16. */
export async function decodeAudio(file: string): Promise<DecodedAudio> {
  const info = await probeAudio(file);
  const n = Math.min(info.channels, 2);
  const channels: Int16Array[] = [];
  for (let c = 0; c < n; c++) channels.push(await decodeChannel(file, c, info.declaredDurationSec));
  const durationSec = (channels[0]?.length ?? 0) / PCM_RATE;
  await checkDecodedLength(file, info, durationSec);
  return { info, channels, durationSec };
}

/**
 * Rejects files that decode to much less than their header promises: a truncated upload
 * must not be graded as if the call had ended early.
 */
export async function checkDecodedLength(file: string, info: AudioInfo, durationSec: number): Promise<void> {
  if (durationSec < 0.1) throw new CallScopeError('AUDIO_UNDECODABLE', 'the audio decodes to no samples');
  const declared = info.declaredDurationSec;
  if ((declared !== null && durationSec < declared * 0.95 - 0.5) || (info.format === 'wav' && (await wavIsTruncated(file)))) {
    throw new CallScopeError(
      'AUDIO_TRUNCATED',
      `the recording is truncated: it decodes to ${durationSec.toFixed(1)} s but its header says ${declared?.toFixed(1) ?? 'more'} s`,
      { decodedSec: durationSec, declaredSec: declared },
    );
  }
}
