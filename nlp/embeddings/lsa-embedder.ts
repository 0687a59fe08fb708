import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CallScopeError } from '../../core/errors.ts';
import { featureCounts, sublinearTf } from './features.ts';
import { readLsa, type LsaModel } from './lsa-format.ts';
import { l2normalize, type TextEmbedder } from './text-embedder.ts';

/** The artefact trained by train-lsa.ts, shipped next to this file. */
export const DEFAULT_LSA_MODEL = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lsa-v1.bin');

/**
 * Trained provider: sublinear TF-IDF over hashed jieba words + Han bigrams, projected by a
 * truncated SVD learnt on the project's corpora. No native code, no model download.
 */
export class LsaEmbedder implements TextEmbedder {
  readonly id: string;
  readonly dim: number;
  private readonly stopwords: ReadonlySet<string>;
  private readonly projection: Int8Array;
  private readonly rowFactor: Float32Array;
  private readonly mask: number;
  private readonly acc: Float64Array;

  constructor(model: LsaModel) {
    const { header, idf, rowScale, projection } = model;
    if (header.dim % 4 !== 0) throw new CallScopeError('NLP_MODEL_MISSING', `LSA model ${header.id}: dim ${header.dim} is not a multiple of 4`);
    this.id = header.id;
    this.dim = header.dim;
    this.mask = header.buckets - 1;
    this.acc = new Float64Array(header.dim);
    this.stopwords = new Set(header.stopwords);
    // Rows stay int8 (4× less memory traffic than float32 rows; the lookups are random access);
    // dequantisation scale and IDF fold into one factor per row.
    this.projection = projection;
    this.rowFactor = new Float32Array(header.buckets);
    for (let b = 0; b < header.buckets; b++) this.rowFactor[b] = (rowScale[b]! * idf[b]!) / 127;
  }

  static load(file = DEFAULT_LSA_MODEL): LsaEmbedder {
    return new LsaEmbedder(readLsa(file));
  }

  embedOne(text: string): Float32Array {
    const dim = this.dim;
    const acc = this.acc.fill(0);
    const w = this.projection;
    for (const [h, tf] of featureCounts(text, this.stopwords)) {
      const b = h & this.mask;
      const o = b * dim;
      const x = (h >>> 31 ? -sublinearTf(tf) : sublinearTf(tf)) * this.rowFactor[b]!;
      // Unrolled by 4 (dim is a multiple of 4, checked at load): V8 does not vectorise this loop.
      for (let k = 0; k < dim; k += 4) {
        acc[k]! += x * w[o + k]!;
        acc[k + 1]! += x * w[o + k + 1]!;
        acc[k + 2]! += x * w[o + k + 2]!;
        acc[k + 3]! += x * w[o + k + 3]!;
      }
    }
    return l2normalize(Float32Array.from(acc));
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }
}
