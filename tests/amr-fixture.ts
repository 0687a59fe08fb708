import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * AMR test files. ffmpeg here decodes AMR-NB and AMR-WB but cannot encode either, so:
 * - AMR-NB: real speech encoded by opencore-amr's encoder (the emscripten build shipped in the
 *   npm package benz-amr-recorder), at 12.2 kbit/s, in the storage format;
 * - AMR-WB: no encoder can be had, so the file is written frame by frame per RFC 4867 §5
 *   ("#!AMR-WB\n", then one TOC byte + the mode's speech bits per 20 ms frame): NO_DATA frames
 *   (decoded as silence) and 23.85 kbit/s frames with pseudo-random bits (decoded as a loud,
 *   noise-like signal) at known times.
 * `amrFrames` walks a file by its TOC bytes, so a test can check that a file is well formed.
 */
/** Speech bytes after the TOC byte, by frame type (RFC 4867 §5 / 3GPP TS 26.101, 26.201); 8/9 = SID; 15 = NO_DATA. */
const NB_BYTES: Record<number, number> = { 0: 12, 1: 13, 2: 15, 3: 17, 4: 19, 5: 20, 6: 26, 7: 31, 8: 5, 15: 0 };
const WB_BYTES: Record<number, number> = { 0: 17, 1: 23, 2: 32, 3: 36, 4: 40, 5: 46, 6: 50, 7: 58, 8: 60, 9: 5, 14: 0, 15: 0 };
const MAGIC = { nb: '#!AMR\n', wb: '#!AMR-WB\n' } as const;
export const AMR_FRAME_SEC = 0.02;

/** The frame types of an AMR storage file, in order; throws when a TOC byte or a frame size is wrong. */
export function amrFrames(file: Buffer): { kind: 'nb' | 'wb'; types: number[] } {
  const kind = file.subarray(0, 9).toString('latin1') === MAGIC.wb ? 'wb' : file.subarray(0, 6).toString('latin1') === MAGIC.nb ? 'nb' : null;
  if (!kind) throw new Error('no AMR storage-format magic');
  const sizes = kind === 'wb' ? WB_BYTES : NB_BYTES;
  const types: number[] = [];
  let off = MAGIC[kind].length;
  while (off < file.length) {
    const toc = file[off]!;
    const ft = (toc >> 3) & 0x0f;
    if (toc & 0x83 || sizes[ft] === undefined) throw new Error(`bad TOC byte 0x${toc.toString(16)} at ${off}`);
    off += 1 + sizes[ft]!;
    types.push(ft);
  }
  if (off !== file.length) throw new Error('the last frame is cut short');
  return { kind, types };
}

/** An AMR-WB storage file: `plan` is a list of stretches, each `sound` (23.85 kbit/s frames, random bits) or `silence` (NO_DATA). */
export function writeAmrWb(file: string, plan: Array<{ kind: 'sound' | 'silence'; sec: number }>): void {
  let seed = 20261127;
  const byte = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
  const parts = [Buffer.from(MAGIC.wb, 'latin1')];
  for (const p of plan) {
    const ft = p.kind === 'sound' ? 8 : 15;
    for (let i = 0; i < Math.round(p.sec / AMR_FRAME_SEC); i++) {
      const frame = Buffer.alloc(1 + WB_BYTES[ft]!);
      frame[0] = (ft << 3) | 0x04; // F = 0 (last frame of this block), Q = 1 (good), padding 0
      for (let k = 1; k < frame.length; k++) frame[k] = byte();
      parts.push(frame);
    }
  }
  writeFileSync(file, Buffer.concat(parts));
}

/**
 * One channel of `source` as AMR-NB 12.2 kbit/s speech, through opencore-amr's encoder. Its
 * emscripten build is a web-worker script (it talks through `self`), so it runs in a child Node
 * process with a stand-in `self`, fed 8 kHz float samples on stdin.
 */
export function encodeAmrNb(source: string, channel: number, out: string): void {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', source, '-af', `pan=mono|c0=c${channel}`, '-ar', '8000', '-f', 'f32le', 'pipe:1'], { maxBuffer: 1 << 28 });
  const encoder = createRequire(import.meta.url).resolve('benz-amr-recorder/src/amrnb.js');
  const script = `
    const raw = require('node:fs').readFileSync(0);
    const samples = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4).map((x) => Math.max(-1, Math.min(1, x)));
    let reply;
    globalThis.self = { postMessage: (m) => { reply = m; } };
    require(${JSON.stringify(encoder)})();
    self.onmessage({ data: { command: 'encode', samples, sampleRate: 8000 } });
    if (!reply || !reply.amr) process.exit(3);
    process.stdout.write(Buffer.from(reply.amr));`;
  writeFileSync(out, execFileSync(process.execPath, ['-e', script], { input: raw, maxBuffer: 1 << 28 }));
}
