import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bestEmbedder } from '../../nlp/embeddings/best-embedder.ts';
import { BGE_MODEL_ID, TransformersEmbedder } from '../../nlp/embeddings/transformers-embedder.ts';
import { MODELS_DIR, tempDir } from '../helpers.ts';

/**
 * transformers.js offline, on the random-weight fixture (real bge tokenizer, hidden size 32): proves
 * loading, tokenisation, batching, truncation and pooling — not meaning.
 */
const TINY = 'test-fixtures/tiny-random-bert-zh';
const SHARED_NLP = path.join(MODELS_DIR, 'nlp');
const TOKENIZER_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];
const tmp = tempDir('callscope-transformers-');
afterAll(() => tmp.cleanup());

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
// Every character is its own WordPiece token, so 600 characters are far beyond 512 tokens.
const longText = (tail: string) => '请问信用卡额度怎么提升'.repeat(60) + tail;

/** A models dir whose bge folder holds the tokenizer files and, optionally, some weights file. */
function modelsDir(name: string, weights?: { from: string } | { bytes: string }): string {
  const root = path.join(tmp.dir, name);
  const dir = path.join(root, 'nlp', BGE_MODEL_ID);
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const source = weights && 'from' in weights ? path.join(SHARED_NLP, weights.from) : path.join(SHARED_NLP, BGE_MODEL_ID);
  for (const f of TOKENIZER_FILES) copyFileSync(path.join(source, f), path.join(dir, f));
  if (weights && 'from' in weights) symlinkSync(path.join(source, 'onnx', 'model_quantized.onnx'), path.join(dir, 'onnx', 'model_quantized.onnx'));
  if (weights && 'bytes' in weights) writeFileSync(path.join(dir, 'onnx', 'model_quantized.onnx'), weights.bytes);
  return root;
}

describe('transformers.js provider (random-weight fixture)', () => {
  it('embeds a batch with an empty and an over-long text: dim 32, unit length, deterministic', async () => {
    const e = await TransformersEmbedder.load(MODELS_DIR, TINY);
    expect(e.dim).toBe(32);
    const texts = ['您好，请问有什么可以帮您', '', '我要投诉你们银行', longText('甲'), 'ATM吞卡了'];
    const a = await e.embed(texts);
    expect(a).toHaveLength(texts.length);
    for (const v of a) {
      expect(v).toHaveLength(32);
      expect(norm(v)).toBeCloseTo(1, 4);
    }
    expect(cos(a[0]!, a[2]!)).toBeLessThan(0.9999); // different texts, different vectors
    const b = await e.embed(texts);
    b.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(a[i]!)));
  });

  it('truncates to 512 tokens: texts differing only after the limit get the same vector', async () => {
    const e = await TransformersEmbedder.load(MODELS_DIR, TINY);
    const [x] = await e.embed([longText('甲乙丙')]);
    const [y] = await e.embed([longText('丁戊己')]);
    const [z] = await e.embed(['丁' + longText('')]);
    expect(Array.from(x!)).toEqual(Array.from(y!));
    expect(Array.from(x!)).not.toEqual(Array.from(z!));
  });

  it('batches beyond the internal batch size keep order and count', async () => {
    const e = await TransformersEmbedder.load(MODELS_DIR, TINY);
    const texts = Array.from({ length: 70 }, (_, i) => `第${i}号客户来电咨询`);
    const all = await e.embed(texts);
    expect(all).toHaveLength(70);
    const [last] = await e.embed([texts[69]!]);
    expect(cos(all[69]!, last!)).toBeGreaterThan(0.99);
  });

  it('fails with NLP_MODEL_MISSING when only the tokenizer is installed', async () => {
    const dir = modelsDir('tokenizer-only');
    await expect(TransformersEmbedder.load(dir)).rejects.toMatchObject({ name: 'CallScopeError', code: 'NLP_MODEL_MISSING' });
    await expect(TransformersEmbedder.load(dir)).rejects.toThrow(/model_quantized\.onnx is missing/);
  });

  it('fails with NLP_MODEL_MISSING when the weights file is not a model', async () => {
    const dir = modelsDir('corrupt', { bytes: 'not an onnx file' });
    await expect(TransformersEmbedder.load(dir)).rejects.toMatchObject({ code: 'NLP_MODEL_MISSING' });
    await expect(bestEmbedder(dir)).rejects.toMatchObject({ code: 'NLP_MODEL_MISSING' });
  });

  it('bestEmbedder: trained LSA without weights, transformers when weights are installed', async () => {
    const without = await bestEmbedder(modelsDir('without'));
    expect(without.id).toMatch(/^lsa-/);
    const withWeights = await bestEmbedder(modelsDir('with', { from: TINY }));
    expect(withWeights.id).toBe(`transformers:${BGE_MODEL_ID}`);
    expect(withWeights.dim).toBe(32);
  });
});
