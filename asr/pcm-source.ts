import { type ChildProcess, spawn } from 'node:child_process';
import { CallScopeError } from '../core/errors.ts';
import { channelDecodeArgs, firstLine, PCM_RATE } from './ffmpeg.ts';

/**
 * One channel of 16 kHz int16 PCM, read in slices whose starts never go back. The engines and the
 * diariser only need the audio of the speech regions, in time order: read from a stream, a 3-hour
 * channel then costs the longest slice (an engine window, ≤ 30 s), not 115 MB per hour.
 */
export interface PcmSource {
  /** Duration the reader plans with (an engine clips its windows at it). */
  readonly durationSec: number;
  /**
   * Samples [from, to), shorter when the audio ends first (then `from + length` is the end).
   * `from` must not be before an earlier read's `from` (a stream has dropped what came before).
   * The array is the caller's own copy.
   */
  read(from: number, to: number): Promise<Int16Array>;
  /** Stops the decoder (a stream read to the last region does not wait for the file's end). */
  close(): void;
}

/** A whole channel already in memory (tests, benches, the whisper.cpp VAD path). */
export function memoryPcm(pcm: Int16Array): PcmSource {
  return {
    durationSec: pcm.length / PCM_RATE,
    read: async (from, to) => pcm.slice(Math.max(0, from), Math.max(0, Math.min(pcm.length, to))),
    close: () => {},
  };
}

/**
 * One channel of `file` decoded by ffmpeg to 16 kHz while it is read: samples before the current
 * read are dropped, and ffmpeg waits (pipe backpressure) until the next read needs more.
 * `durationSec` is what the caller already measured (the streamed VAD pass).
 */
export function streamPcm(file: string, channel: number, durationSec: number): PcmSource {
  return new StreamedChannel(file, channel, durationSec);
}

class StreamedChannel implements PcmSource {
  private child: ChildProcess | null = null;
  private chunks: AsyncIterator<Buffer> | null = null;
  private stderr = '';
  private exit: Promise<number | null> | null = null;
  /** Samples held, from sample `base` on. */
  private buf = new Int16Array(0);
  private len = 0;
  private base = 0;
  private odd: number | null = null;
  private ended = false;

  constructor(
    private readonly file: string,
    private readonly channel: number,
    readonly durationSec: number,
  ) {}

  async read(from: number, to: number): Promise<Int16Array> {
    from = Math.max(0, from);
    if (from < this.base) throw new Error(`PcmSource reads go forward only (sample ${from} was dropped; held from ${this.base})`);
    this.drop(from);
    while (!this.ended && this.base + this.len < to) await this.pull(from);
    const a = Math.max(0, from - this.base);
    const b = Math.max(a, Math.min(this.len, to - this.base));
    return this.buf.slice(a, b);
  }

  close(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
    this.child = null;
    this.buf = new Int16Array(0);
    this.len = 0;
  }

  /** Forgets the samples before `from`. */
  private drop(from: number): void {
    const n = Math.min(this.len, Math.max(0, from - this.base));
    if (n === 0) return;
    this.buf.copyWithin(0, n, this.len);
    this.len -= n;
    this.base += n;
  }

  private start(): AsyncIterator<Buffer> {
    const child = spawn('ffmpeg', channelDecodeArgs(this.file, this.channel), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exit = new Promise((resolve, reject) => {
      child.on('error', (e) => reject(new CallScopeError('STAGE_FAILED', `cannot run ffmpeg: ${e.message} (is ffmpeg installed?)`)));
      child.on('close', (c) => resolve(c));
    });
    // Awaited at the end of the stream; a reader closed before then must not leave it unhandled.
    this.exit.catch(() => {});
    return (child.stdout as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** One more decoded chunk; samples before `from` are not kept. */
  private async pull(from: number): Promise<void> {
    this.chunks ??= this.start();
    const next = await this.chunks.next();
    if (next.done) {
      this.ended = true;
      const code = await this.exit;
      if (code !== 0 || this.base + this.len === 0) {
        throw new CallScopeError('AUDIO_UNDECODABLE', `ffmpeg could not decode the audio (${firstLine(this.stderr) || 'no samples'})`);
      }
      return;
    }
    let bytes = next.value;
    if (this.odd !== null) bytes = Buffer.concat([Buffer.from([this.odd]), bytes]);
    this.odd = bytes.length % 2 === 1 ? bytes[bytes.length - 1]! : null;
    const n = bytes.length >> 1;
    // Samples of this chunk that lie before `from` are skipped without being stored.
    const skip = Math.min(n, Math.max(0, from - (this.base + this.len)));
    // (Only an empty buffer can lie before `from`: drop() keeps nothing earlier.)
    if (this.len === 0) this.base += skip;
    const keep = n - skip;
    if (this.len + keep > this.buf.length) {
      const bigger = new Int16Array(Math.max(this.buf.length * 2, this.len + keep));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    // s16le into the platform's Int16Array: little-endian on every machine Node ships for.
    new Uint8Array(this.buf.buffer, this.len * 2, keep * 2).set(bytes.subarray(skip * 2, (skip + keep) * 2));
    this.len += keep;
  }
}
