import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { asrHost } from '../../asr/asr-host-client.ts';
import { KWS_MODEL_DIR_NAME } from '../../asr/kws/model.ts';
import { PARAFORMER_DIRS } from '../../asr/paraformer-engine.ts';
import { transcribeStage } from '../../asr/transcribe-stage.ts';
import { loadConfig } from '../../core/config.ts';
import { scoringInputOf } from '../../scoring-models/score-stage.ts';
import { scoreCall } from '../../scoring-models/evaluate.ts';
import { parseScorecard } from '../../scoring-models/scorecard.ts';
import { CALLS_DIR, MODELS_DIR, tempDir } from '../helpers.ts';
import { writeParaformerFixture } from '../paraformer-fixture.ts';

/**
 * Keyword spotting inside the transcribe stage, with the real KWS model, on SYN-0002 (stereo; the
 * customer says 我要投诉你 in the turn 79.9–85.8 s). No real Mandarin ASR weights exist here: the
 * engine is the weightless Paraformer fixture (tests/paraformer-fixture.ts), which decodes every
 * region to no text — the "no transcript text" case. The 2 shared cores are busy: generous timeouts.
 */
const tmp = tempDir('callscope-kws-stage-');
const models = path.join(tmp.dir, 'models');
mkdirSync(path.join(models, 'asr'), { recursive: true });
symlinkSync(path.join(MODELS_DIR, 'asr', 'vad'), path.join(models, 'asr', 'vad'));
symlinkSync(path.join(MODELS_DIR, 'asr', KWS_MODEL_DIR_NAME), path.join(models, 'asr', KWS_MODEL_DIR_NAME));
writeParaformerFixture(path.join(models, 'asr', PARAFORMER_DIRS[0]!), 'zero');
afterAll(() => {
  asrHost().stop();
  tmp.cleanup();
});

const ctx = (env: Record<string, string> = {}) => ({
  config: loadConfig({ CALLSCOPE_MODELS: models, CALLSCOPE_DATA: tmp.dir, CALLSCOPE_ASR_ENGINE: 'paraformer', CALLSCOPE_ASR_TIMEOUT_FACTOR: '10', ...env }),
  log: pino({ level: 'silent' }),
  callId: 'kws-stage',
});
const audioFile = path.join(CALLS_DIR, 'SYN-0002.mp3');

describe('keyword hits on the call (acoustics.keywordHits)', () => {
  it('spots the customer’s 投诉 when the engine gives no text, and a scorecard condition with source: auto cites it', async () => {
    const r = await transcribeStage.run({ audioFile, transcriptFile: null }, ctx());
    if (!r.ok) throw new Error(r.reason);
    expect(r.output.segments).toEqual([]);
    const hits = r.output.acoustics.keywordHits!;
    const complaint = hits.filter((h) => h.term === '投诉');
    expect(complaint).toHaveLength(1);
    expect(complaint[0]).toMatchObject({ role: 'customer', channel: 1, lexicon: 'sensitive', threshold: 0.25 });
    expect(complaint[0]!.start).toBeGreaterThanOrEqual(79.9 - 0.5);
    expect(complaint[0]!.end).toBeLessThanOrEqual(85.8 + 0.5);

    const card = parseScorecard(`
id: kws-stage
version: 1
name: 投诉
passScore: 0
checkpoints:
  - id: complaint
    name: 客户投诉
    deduct: 10
    expect: absent
    when: { lexicon: sensitive, role: customer, source: auto }
`);
    const input = scoringInputOf({ segments: [], meta: { custom: {} }, durationSec: r.output.durationSec, speech: r.output.speech, nlp: null, acoustics: r.output.acoustics });
    const item = scoreCall(card, input).items[0]!;
    expect(item.passed).toBe(false);
    expect(item.evidence.some((e) => e.quote.startsWith('[音频] ') && e.start === complaint[0]!.start)).toBe(true);
  }, 600_000);

  it('spots on a call with transcript text only with CALLSCOPE_KWS=always (auto leaves it to the text)', async () => {
    const r = await transcribeStage.run({ audioFile, transcriptFile: `${audioFile}.transcript.json` }, ctx({ CALLSCOPE_KWS: 'always' }));
    if (!r.ok) throw new Error(r.reason);
    expect(r.output.acoustics.keywordHits!.some((h) => h.term === '投诉' && h.role === 'customer')).toBe(true);
  }, 600_000);
});
