import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../core/schemas.ts';
import { createScoreStage } from '../../scoring-models/score-stage.ts';
import { parseScorecard } from '../../scoring-models/scorecard.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BGE_MODEL_ID, transformersWeightsPath } from '../../nlp/embeddings/transformers-embedder.ts';
import { pipelineSteps } from '../../pipeline/graph.ts';
import { MODELS_DIR, tempDir } from '../helpers.ts';

const seg = (i: number, role: 'agent' | 'customer', text: string): Segment => ({ id: `s${i}`, role, start: i * 5, end: i * 5 + 4, text, textMasked: text, tokens: [], hits: [] });
const ctx = { config: { modelsDir: MODELS_DIR } as never, log: pino({ level: 'silent' }), callId: 'c' };
const card = (extra: string, when: string) =>
  parseScorecard(`id: t\nversion: 1\nname: t\npassScore: 0\n${extra}checkpoints:\n  - { id: c, name: c, deduct: 5, expect: present, when: ${when} }\n`);

describe('score stage', () => {
  const segments = [seg(0, 'agent', '您好，请问有什么可以帮您？'), seg(1, 'customer', '我的信用卡年费为什么扣了六百块'), seg(2, 'agent', '信用卡年费的问题我帮您查一下')];

  it('grades only with the scorecards whose scope includes the call', async () => {
    const stage = createScoreStage([card('scope: { direction: [inbound] }\n', '{ phrase: [您好] }'), card('', '{ phrase: [您好] }')], 'lsa-v1');
    const inbound = await stage.run({ segments, meta: { custom: {}, direction: 'inbound' }, durationSec: 15 }, ctx);
    const outbound = await stage.run({ segments, meta: { custom: {}, direction: 'outbound' }, durationSec: 15 }, ctx);
    expect(inbound.ok && inbound.output.length).toBe(2);
    expect(outbound.ok && outbound.output.length).toBe(1);
  });

  it('semantic conditions use the real embedder from CALLSCOPE_MODELS (trained LSA here)', async () => {
    const when = (t: number) => `{ semantic: { examples: [信用卡年费怎么收], threshold: ${t} }, role: customer }`;
    const strict = await createScoreStage([card('', when(0.99))], 'lsa-v1').run({ segments, meta: { custom: {} }, durationSec: 15 }, ctx);
    const loose = await createScoreStage([card('', when(0.3))], 'lsa-v1').run({ segments, meta: { custom: {} }, durationSec: 15 }, ctx);
    expect(strict.ok && strict.output[0]!.items[0]!.passed).toBe(false);
    // Only the customer's segment is examined, and it is about the annual fee.
    expect(loose.ok && loose.output[0]!.items[0]!.evidence.map((e) => e.segmentId)).toEqual(['s1']);
  });

  it('the stage versions name the embedder where embeddings decide: analyze always, score only with semantic conditions', () => {
    const plain = card('', '{ phrase: [您好] }');
    const semantic = card('', '{ semantic: { examples: [信用卡年费怎么收], threshold: 0.5 } }');
    const versions = (cards: ReturnType<typeof card>[], modelsDir: string) => Object.fromEntries(pipelineSteps(cards, modelsDir).map((s) => [s.stage.name, s.stage.version]));
    expect(versions([plain], MODELS_DIR)).toMatchObject({ analyze: expect.stringMatching(/:lsa-v\d+$/), score: expect.stringMatching(/^2\+t@1~/) });
    expect(versions([semantic], MODELS_DIR).score).toMatch(/^2:lsa-v\d+\+t@1~/);
    // Weights of the transformer installed (only their presence is looked at, nothing is loaded).
    const models = tempDir('callscope-models-');
    try {
      const weights = transformersWeightsPath(models.dir);
      mkdirSync(path.dirname(weights), { recursive: true });
      writeFileSync(weights, '');
      const v = versions([semantic], models.dir);
      expect(v.analyze!.endsWith(`:${BGE_MODEL_ID}`)).toBe(true);
      expect(v.score!.startsWith(`2:${BGE_MODEL_ID}+`)).toBe(true);
    } finally {
      models.cleanup();
    }
  });
});
