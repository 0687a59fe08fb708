import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adjustedRandIndex, nmi, vMeasure } from '../../nlp/embeddings/cluster-metrics.ts';
import { kmeans } from '../../nlp/embeddings/kmeans.ts';
import { DEFAULT_LSA_MODEL, LsaEmbedder } from '../../nlp/embeddings/lsa-embedder.ts';
import { decodeLsa, encodeLsa, readLsa, type LsaModel } from '../../nlp/embeddings/lsa-format.ts';
import { randomizedSvd, symmetricEigen, type CsrMatrix } from '../../nlp/embeddings/randomized-svd.ts';
import { tempDir } from '../helpers.ts';

const tmp = tempDir('callscope-embeddings-');
afterAll(() => tmp.cleanup());

describe('clustering metrics (hand-computed example)', () => {
  // Classes {a,b,c},{d,e,f}; clusters {a,b},{c,d},{e,f}.
  // H(C) = ln 2, H(K) = ln 3, I(C;K) = 2/3 ln 2 → h = 2/3, c = (2/3 ln 2)/ln 3 = 0.420620,
  // V = 2hc/(h+c) = 0.515804; NMI_geo = I/sqrt(ln2 ln3) = 0.529540.
  // ARI: Σ C(nij,2) = 2, Σ C(ai,2) = 6, Σ C(bj,2) = 3, C(6,2) = 15 → E = 1.2, max = 4.5, ARI = 0.8/3.3 = 0.242424.
  const truth = ['x', 'x', 'x', 'y', 'y', 'y'];
  const pred = [0, 0, 1, 1, 2, 2];

  it('V-measure, homogeneity, completeness', () => {
    const v = vMeasure(truth, pred);
    expect(v.homogeneity).toBeCloseTo(2 / 3, 6);
    expect(v.completeness).toBeCloseTo(0.42062, 5);
    expect(v.vMeasure).toBeCloseTo(0.515804, 5);
  });

  it('NMI (arithmetic equals V-measure; geometric)', () => {
    expect(nmi(truth, pred)).toBeCloseTo(0.515804, 5);
    expect(nmi(truth, pred, 'geometric')).toBeCloseTo(0.52954, 5);
  });

  it('ARI', () => {
    expect(adjustedRandIndex(truth, pred)).toBeCloseTo(0.242424, 6);
  });

  it('perfect up to renaming, and the one-cluster degenerate case', () => {
    expect(vMeasure(truth, [7, 7, 7, 3, 3, 3]).vMeasure).toBeCloseTo(1, 12);
    expect(adjustedRandIndex(truth, [7, 7, 7, 3, 3, 3])).toBeCloseTo(1, 12);
    const one = vMeasure(truth, [0, 0, 0, 0, 0, 0]);
    expect(one.homogeneity).toBe(0);
    expect(one.completeness).toBe(1);
    expect(one.vMeasure).toBe(0);
    expect(adjustedRandIndex(truth, [0, 0, 0, 0, 0, 0])).toBe(0);
  });
});

describe('k-means', () => {
  it('separates three obvious groups', () => {
    const pts = [
      [0, 0], [0.1, 0], [0, 0.1],
      [10, 10], [10.1, 10], [10, 10.1],
      [-10, 10], [-10.1, 10], [-10, 10.1],
    ].map((p) => Float32Array.from(p));
    const r = kmeans(pts, 3, 1);
    expect(vMeasure([0, 0, 0, 1, 1, 1, 2, 2, 2], Array.from(r.assignments)).vMeasure).toBeCloseTo(1, 12);
    // Group mean is (1/30, 1/30): squared distances 2/900 + 5/900 + 5/900 = 12/900 per group, 0.04 in all.
    expect(r.inertia).toBeCloseTo(0.04, 6);
  });
});

describe('linear algebra', () => {
  it('Jacobi eigen-decomposition of [[2,1],[1,2]] gives 3 and 1', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3, 10);
    expect(values[1]).toBeCloseTo(1, 10);
    expect(Math.abs(vectors[0]!)).toBeCloseTo(Math.SQRT1_2, 10);
  });

  it('randomised SVD recovers the singular values of a sparse matrix built with known ones', () => {
    // Rows i and columns i scaled by s_i: diagonal 6×8 matrix with singular values 5, 4, 3, 2, 1, 0.5.
    const s = [5, 4, 3, 2, 1, 0.5];
    const a: CsrMatrix = {
      rows: 6,
      cols: 8,
      rowPtr: Int32Array.from([0, 1, 2, 3, 4, 5, 6]),
      colIdx: Int32Array.from([3, 0, 7, 1, 5, 2]),
      values: Float32Array.from(s),
    };
    const r = randomizedSvd(a, 3, { seed: 7, oversample: 2, powerIterations: 3 });
    expect(Array.from(r.singularValues)).toEqual([expect.closeTo(5, 4), expect.closeTo(4, 4), expect.closeTo(3, 4)]);
    // First right singular vector is ±e3.
    expect(Math.abs(r.v.data[3 * 3 + 0]!)).toBeCloseTo(1, 4);
  });
});

function tinyModel(): LsaModel {
  return {
    header: { id: 'lsa-test', dim: 2, buckets: 4, quantization: 'int8-row-scaled', stopwords: ['的'], training: {} },
    idf: Float32Array.from([1, 2, 3, 4]),
    rowScale: Float32Array.from([0.5, 1, 1, 0]),
    projection: Int8Array.from([127, 0, -127, 127, 0, 64, 0, 0]),
  };
}

describe('LSA artefact format', () => {
  it('round-trips', () => {
    const m = decodeLsa(encodeLsa(tinyModel()));
    expect(m.header.id).toBe('lsa-test');
    expect(Array.from(m.idf)).toEqual([1, 2, 3, 4]);
    expect(Array.from(m.projection)).toEqual([127, 0, -127, 127, 0, 64, 0, 0]);
  });

  it('rejects a missing, truncated, corrupted or foreign file with NLP_MODEL_MISSING', () => {
    const good = encodeLsa(tinyModel());
    expect(() => readLsa(path.join(tmp.dir, 'nope.bin'))).toThrow(expect.objectContaining({ code: 'NLP_MODEL_MISSING' }));
    const flipped = Buffer.from(good);
    flipped[flipped.length - 10]! ^= 0xff;
    expect(() => decodeLsa(flipped)).toThrow(/checksum/);
    expect(() => decodeLsa(good.subarray(0, good.length - 3))).toThrow(/size/);
    const foreign = path.join(tmp.dir, 'foreign.bin');
    writeFileSync(foreign, 'PK\u0003\u0004 definitely not a model file');
    expect(() => readLsa(foreign)).toThrow(expect.objectContaining({ name: 'CallScopeError', code: 'NLP_MODEL_MISSING' }));
    const v2 = Buffer.from(good);
    v2.writeUInt32LE(2, 8);
    expect(() => decodeLsa(v2)).toThrow(/format version 2/);
  });
});

describe('trained LSA embedder (shipped artefact)', () => {
  const e = LsaEmbedder.load();
  const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

  it('is small and declares its shape', () => {
    expect(readFileSync(DEFAULT_LSA_MODEL).length).toBeLessThan(8 * 1024 * 1024);
    expect(e.dim).toBeGreaterThanOrEqual(128);
    expect(e.dim).toBeLessThanOrEqual(256);
  });

  it('gives unit vectors, deterministically; a text without features gives the zero vector', async () => {
    const texts = ['信用卡额度怎么提升', '我要投诉你们的服务态度', '', '。。。'];
    const [a, b, empty, punct] = await e.embed(texts);
    for (const v of [a!, b!]) expect(Math.sqrt(cos(v, v))).toBeCloseTo(1, 5);
    expect(Array.from(empty!).every((x) => x === 0)).toBe(true);
    expect(Array.from(punct!).every((x) => x === 0)).toBe(true);
    expect(Array.from((await e.embed([texts[0]!]))[0]!)).toEqual(Array.from(a!));
  });

  it('puts paraphrases closer than unrelated texts', async () => {
    const [q, para, other] = await e.embed(['信用卡额度怎么提升', '怎样提高信用卡的额度', '酒店房间很干净早餐也不错']);
    expect(cos(q!, para!)).toBeGreaterThan(cos(q!, other!) + 0.2);
  });
});
