import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { CallScopeError, messageOf } from '../../core/errors.ts';

/**
 * Binary artefact of the trained LSA embedder, little-endian:
 *   magic "CSLSAEMB" | u32 format version | u32 header length | header JSON (utf-8, zero-padded to 4)
 *   | idf f32[buckets] | rowScale f32[buckets] | projection i8[buckets × dim] | u32 crc32 of all before.
 * projection[b][k] ≈ rowScale[b] × i8 / 127 (symmetric per-row int8 quantisation).
 */
export const LSA_MAGIC = 'CSLSAEMB';
export const LSA_FORMAT_VERSION = 1;

export const LsaHeader = z.object({
  id: z.string().min(1),
  dim: z.number().int().min(1).max(4096),
  buckets: z.number().int().min(2).refine((n) => (n & (n - 1)) === 0, 'buckets must be a power of two'),
  quantization: z.literal('int8-row-scaled'),
  stopwords: z.array(z.string()),
  training: z.record(z.string(), z.unknown()),
});
export type LsaHeader = z.infer<typeof LsaHeader>;

export interface LsaModel {
  header: LsaHeader;
  idf: Float32Array;
  rowScale: Float32Array;
  projection: Int8Array;
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

export function encodeLsa(model: LsaModel): Buffer {
  const header = Buffer.from(JSON.stringify(LsaHeader.parse(model.header)), 'utf8');
  const { buckets, dim } = model.header;
  if (model.idf.length !== buckets || model.rowScale.length !== buckets || model.projection.length !== buckets * dim) {
    throw new Error('LSA model arrays do not match the header sizes');
  }
  const headerBytes = header.length + pad4(header.length);
  const size = 8 + 4 + 4 + headerBytes + buckets * 8 + buckets * dim + 4;
  const buf = Buffer.alloc(size);
  buf.write(LSA_MAGIC, 0, 'latin1');
  buf.writeUInt32LE(LSA_FORMAT_VERSION, 8);
  buf.writeUInt32LE(header.length, 12);
  header.copy(buf, 16);
  let o = 16 + headerBytes;
  Buffer.from(model.idf.buffer, model.idf.byteOffset, buckets * 4).copy(buf, o);
  o += buckets * 4;
  Buffer.from(model.rowScale.buffer, model.rowScale.byteOffset, buckets * 4).copy(buf, o);
  o += buckets * 4;
  Buffer.from(model.projection.buffer, model.projection.byteOffset, buckets * dim).copy(buf, o);
  o += buckets * dim;
  buf.writeUInt32LE(crc32(buf.subarray(0, o)), o);
  return buf;
}

export function decodeLsa(buf: Buffer, source = 'LSA model'): LsaModel {
  const bad = (why: string): never => {
    throw new CallScopeError('NLP_MODEL_MISSING', `${source} is not a usable LSA embedding model: ${why}`);
  };
  if (buf.length < 20 || buf.toString('latin1', 0, 8) !== LSA_MAGIC) bad('wrong magic (not a CallScope LSA file)');
  const version = buf.readUInt32LE(8);
  if (version !== LSA_FORMAT_VERSION) bad(`format version ${version}, this build reads ${LSA_FORMAT_VERSION}`);
  const headerLen = buf.readUInt32LE(12);
  if (16 + headerLen > buf.length) bad('truncated header');
  let header: LsaHeader;
  try {
    header = LsaHeader.parse(JSON.parse(buf.toString('utf8', 16, 16 + headerLen)));
  } catch (err) {
    return bad(`invalid header: ${messageOf(err)}`);
  }
  const { buckets, dim } = header;
  const start = 16 + headerLen + pad4(headerLen);
  const end = start + buckets * 8 + buckets * dim;
  if (buf.length !== end + 4) bad(`size ${buf.length} bytes, header implies ${end + 4}`);
  if (crc32(buf.subarray(0, end)) !== buf.readUInt32LE(end)) bad('checksum mismatch (file corrupt)');
  // Copy into fresh, aligned arrays: the Buffer's offset may not be 4-aligned.
  const idf = new Float32Array(buckets);
  new Uint8Array(idf.buffer).set(buf.subarray(start, start + buckets * 4));
  const rowScale = new Float32Array(buckets);
  new Uint8Array(rowScale.buffer).set(buf.subarray(start + buckets * 4, start + buckets * 8));
  const projection = new Int8Array(buckets * dim);
  new Uint8Array(projection.buffer).set(buf.subarray(start + buckets * 8, end));
  return { header, idf, rowScale, projection };
}

export function readLsa(file: string): LsaModel {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new CallScopeError('NLP_MODEL_MISSING', `cannot read the LSA embedding model ${file}: ${messageOf(err)}`);
  }
  return decodeLsa(buf, file);
}

/** Symmetric int8 quantisation of a row-major float matrix, one scale per row. */
export function quantizeRows(m: Float32Array | Float64Array, rows: number, cols: number): { rowScale: Float32Array; projection: Int8Array } {
  const rowScale = new Float32Array(rows);
  const projection = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(m[r * cols + c]!));
    rowScale[r] = max;
    if (max === 0) continue;
    for (let c = 0; c < cols; c++) projection[r * cols + c] = Math.round((m[r * cols + c]! / max) * 127);
  }
  return { rowScale, projection };
}
