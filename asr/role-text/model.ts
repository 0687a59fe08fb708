import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { extractFeatures, type FeatureConfig } from '../../nlp/emotion/features.ts';
import { dequantise, HashedFeatureConfig, QuantisedWeights } from '../../nlp/emotion/model.ts';

/**
 * Who says a line in a service dialogue, from its words alone: binary logistic regression
 * (agent vs customer) over the emotion model's hashed features (jieba words + char 1–2-grams +
 * cues), trained on the helpdesk dialogues of STC-3 by `asr/role-text/train.ts`. The model file is
 * committed (`role-text-v1.json`); the training data is not needed at run time.
 */
export const RoleTextModelFile = z.object({
  kind: z.literal('callscope-role-text'),
  version: z.string().min(1),
  features: HashedFeatureConfig,
  /** One int8 weight per bucket (positive = agent), base64, see nlp/emotion/model.ts `quantise`. */
  weights: QuantisedWeights,
  bias: z.number(),
  training: z.record(z.string(), z.unknown()),
});
export type RoleTextModelFile = z.infer<typeof RoleTextModelFile>;

/** Weibo helpdesk text carries @names, links and [emoji] tags a phone transcript never has. */
export function normaliseDialogueText(text: string): string {
  return text
    .replace(/回复@[^:：\s]+[:：]?/g, ' ')
    .replace(/@[^\s,，:：。!！?？@]+/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\[[^\]]{1,6}\]/g, ' ')
    .trim();
}

export class RoleTextModel {
  constructor(
    readonly version: string,
    readonly features: FeatureConfig,
    private readonly w: Float32Array,
    private readonly bias: number,
  ) {}

  static fromFile(file: RoleTextModelFile): RoleTextModel {
    const bytes = Buffer.from(file.weights.data, 'base64');
    const ints = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    const w = new Float32Array(ints.length);
    for (let i = 0; i < ints.length; i++) w[i] = dequantise(ints[i]!, file.weights.scale);
    if (w.length !== 1 << file.features.hashBits) throw new Error(`role model: ${w.length} weights for ${file.features.hashBits} hash bits`);
    return new RoleTextModel(file.version, file.features, w, file.bias);
  }

  /** log P(agent | text) − log P(customer | text); 0 for text with no words. */
  logOdds(text: string): number {
    const clean = normaliseDialogueText(text);
    if (!/[\p{L}\p{N}]/u.test(clean)) return 0;
    const { index, value } = extractFeatures(clean, this.features);
    let z = this.bias;
    for (let i = 0; i < index.length; i++) z += this.w[index[i]!]! * value[i]!;
    return z;
  }

  agentProbability(text: string): number {
    return 1 / (1 + Math.exp(-this.logOdds(text)));
  }
}

export const ROLE_TEXT_MODEL_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'role-text-v1.json');

let loaded: RoleTextModel | undefined;

/** The committed model, loaded once. */
export function roleTextModel(): RoleTextModel {
  loaded ??= RoleTextModel.fromFile(RoleTextModelFile.parse(JSON.parse(readFileSync(ROLE_TEXT_MODEL_FILE, 'utf8'))));
  return loaded;
}
