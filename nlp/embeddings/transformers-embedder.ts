import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CallScopeError, messageOf } from '../../core/errors.ts';
import type { TextEmbedder } from './text-embedder.ts';

/** The neural model used when its weights are installed under `<modelsDir>/nlp/`. */
export const BGE_MODEL_ID = 'Xenova/bge-small-zh-v1.5';
const WEIGHTS = path.join('onnx', 'model_quantized.onnx');
const BATCH = 32;

const ModelConfig = z.object({ hidden_size: z.number().int().positive() });

/** Where the int8 weights of a transformers.js model are expected. */
export function transformersWeightsPath(modelsDir: string, modelId = BGE_MODEL_ID): string {
  return path.join(modelsDir, 'nlp', modelId, WEIGHTS);
}

type Extractor = (texts: string[], opts: { pooling: 'cls'; normalize: boolean }) => Promise<{ data: ArrayLike<number>; dims: number[] }>;

/**
 * A BERT-style sentence encoder through transformers.js, strictly offline: nothing is downloaded,
 * the model is read from `<modelsDir>/nlp/<modelId>`. CLS pooling + L2 normalisation (bge).
 */
export class TransformersEmbedder implements TextEmbedder {
  private constructor(
    readonly id: string,
    readonly dim: number,
    private readonly extract: Extractor,
  ) {}

  static async load(modelsDir: string, modelId = BGE_MODEL_ID): Promise<TransformersEmbedder> {
    const dir = path.join(modelsDir, 'nlp', modelId);
    const weights = transformersWeightsPath(modelsDir, modelId);
    if (!existsSync(weights)) {
      throw new CallScopeError('NLP_MODEL_MISSING', `no weights for the embedding model ${modelId}: ${weights} is missing`);
    }
    let dim: number;
    try {
      dim = ModelConfig.parse(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).hidden_size;
    } catch (err) {
      throw new CallScopeError('NLP_MODEL_MISSING', `cannot read ${path.join(dir, 'config.json')}: ${messageOf(err)}`);
    }
    try {
      const { env, pipeline } = await import('@huggingface/transformers');
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.useFSCache = false;
      env.localModelPath = path.resolve(modelsDir, 'nlp') + path.sep;
      const pipe = await pipeline('feature-extraction', modelId, { dtype: 'q8', device: 'cpu' });
      const extract: Extractor = async (texts, opts) => {
        const out = await pipe(texts, opts);
        return { data: out.data as ArrayLike<number>, dims: out.dims };
      };
      return new TransformersEmbedder(`transformers:${modelId}`, dim, extract);
    } catch (err) {
      throw new CallScopeError('NLP_MODEL_MISSING', `cannot load the embedding model ${modelId} from ${dir}: ${messageOf(err)}`);
    }
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      // The bge vocabulary is lowercase-only for ASCII (APP, ATM would become [UNK]).
      const batch = texts.slice(i, i + BATCH).map((t) => t.normalize('NFKC').toLowerCase());
      const { data, dims } = await this.extract(batch, { pooling: 'cls', normalize: true });
      if (dims.length !== 2 || dims[0] !== batch.length || dims[1] !== this.dim) {
        throw new CallScopeError('STAGE_FAILED', `embedding model returned shape [${dims.join(', ')}], expected [${batch.length}, ${this.dim}]`);
      }
      const flat = data instanceof Float32Array ? data : Float32Array.from(data);
      for (let r = 0; r < batch.length; r++) out.push(flat.slice(r * this.dim, (r + 1) * this.dim));
    }
    return out;
  }
}
