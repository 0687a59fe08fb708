import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A structure-only Paraformer for tests, in the spirit of whisper.cpp's `for-tests-ggml-tiny.bin`:
 * the exact interface sherpa-onnx's offline Paraformer recogniser loads (inputs `speech`
 * [N, T, 80·7] and `speech_lengths` [N]; outputs `logits` [N, T', V] and `token_num` [N]; metadata
 * vocab_size, lfr_window_size/shift, neg_mean, inv_stddev), with no trained weights.
 *
 * - `zero` weights: every position's argmax is token 0, which tokens.txt makes `</s>`, so the
 *   decoder stops at once and the text is empty (what a weightless model honestly yields).
 * - `random` weights (fixed seed): the logits are a random projection of the real LFR/CMVN
 *   features, so the tokens depend on the audio but mean nothing. Tests may only assert
 *   structure (tokens come from tokens.txt, timing, normalisation), never words.
 *
 * The ONNX protobuf is written by hand (field numbers from onnx.proto) so no Python is needed.
 */
const FEAT_DIM = 80;
const LFR_M = 7;
const LFR_N = 6;
const IN_DIM = FEAT_DIM * LFR_M;

/** tokens.txt of the fixture: `</s>` first, then traditional and simplified characters and digits. */
export const FIXTURE_TOKENS = ['</s>', '<blank>', '<s>', '銀', '行', '帳', '戶', '請', '稍', '等', '您', '好', '四', '三', '八', '4', '3', '8', '<unk>'];

// ---- minimal protobuf writer ----
function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const vInt = (field: number, n: number) => Buffer.from([...key(field, 0), ...varint(n)]);
const vBytes = (field: number, b: Buffer) => Buffer.concat([Buffer.from([...key(field, 2), ...varint(b.length)]), b]);
const vStr = (field: number, s: string) => vBytes(field, Buffer.from(s, 'utf8'));
const msg = (...parts: Buffer[]) => Buffer.concat(parts);

const FLOAT = 1;
const INT32 = 6;

function tensor(name: string, dims: number[], data: Float32Array): Buffer {
  return msg(...dims.map((d) => vInt(1, d)), vInt(2, FLOAT), vStr(8, name), vBytes(9, Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
}

function valueInfo(name: string, elemType: number, dims: Array<number | string>): Buffer {
  const shape = msg(...dims.map((d) => vBytes(1, typeof d === 'number' ? vInt(1, d) : vStr(2, d))));
  const tensorType = msg(vInt(1, elemType), vBytes(2, shape));
  return msg(vStr(1, name), vBytes(2, vBytes(1, tensorType)));
}

function node(op: string, inputs: string[], outputs: string[], name: string): Buffer {
  return msg(...inputs.map((i) => vStr(1, i)), ...outputs.map((o) => vStr(2, o)), vStr(3, name), vStr(4, op));
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

export function paraformerFixtureModel(weights: 'zero' | 'random', vocab = FIXTURE_TOKENS.length): Buffer {
  const w = new Float32Array(IN_DIM * vocab);
  if (weights === 'random') {
    const rnd = seeded(42);
    for (let i = 0; i < w.length; i++) w[i] = rnd();
  }
  const graph = msg(
    vBytes(1, node('MatMul', ['speech', 'W'], ['logits'], 'project')),
    vBytes(1, node('Identity', ['speech_lengths'], ['token_num'], 'count')),
    vStr(2, 'paraformer-structure-only'),
    vBytes(5, tensor('W', [IN_DIM, vocab], w)),
    vBytes(11, valueInfo('speech', FLOAT, ['N', 'T', IN_DIM])),
    vBytes(11, valueInfo('speech_lengths', INT32, ['N'])),
    vBytes(12, valueInfo('logits', FLOAT, ['N', 'T', vocab])),
    vBytes(12, valueInfo('token_num', INT32, ['N'])),
  );
  const meta = (k: string, v: string) => vBytes(14, msg(vStr(1, k), vStr(2, v)));
  return msg(
    vInt(1, 8), // ir_version
    vStr(2, 'callscope-tests'),
    vBytes(8, msg(vStr(1, ''), vInt(2, 13))), // opset 13
    vBytes(7, graph),
    meta('vocab_size', String(vocab)),
    meta('lfr_window_size', String(LFR_M)),
    meta('lfr_window_shift', String(LFR_N)),
    meta('neg_mean', Array(IN_DIM).fill('0').join(',')),
    meta('inv_stddev', Array(IN_DIM).fill('1').join(',')),
  );
}

/** Writes `model.onnx` and `tokens.txt` into `dir` (created) and returns the dir. */
export function writeParaformerFixture(dir: string, weights: 'zero' | 'random'): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.onnx'), paraformerFixtureModel(weights));
  writeFileSync(path.join(dir, 'tokens.txt'), FIXTURE_TOKENS.map((t, i) => `${t} ${i}`).join('\n') + '\n');
  return dir;
}
