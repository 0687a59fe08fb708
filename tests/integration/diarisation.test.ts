import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diarise } from '../../asr/diarise.ts';
import { decodeAudio } from '../../asr/ffmpeg.ts';
import { findVadModel } from '../../asr/models.ts';
import { agentSpeaker } from '../../asr/roles.ts';
import { detectSpeech } from '../../asr/vad.ts';
import { diarisationError, type RefTurn, roleAccuracy } from '../diarisation-metrics.ts';
import { compose, fliteSpeech, writeWav } from '../generated-audio.ts';
import { PARAFORMER_DIRS } from '../../asr/paraformer-engine.ts';
import { CALLS_DIR, MODELS_DIR, tempDir, testPipeline, truthCalls } from '../helpers.ts';
import { writeParaformerFixture } from '../paraformer-fixture.ts';

/**
 * Mono diarisation and role assignment from the audio (asr/diarise.ts, asr/roles.ts), scored with
 * DER and role accuracy against exact truth: a generated call with two distinct synthetic voices
 * (ffmpeg flite) placed at known times, and real sample calls. The floors are what
 * bench/asr/diarisation.ts measured (docs/asr.md), with a small margin.
 */
const tmp = tempDir('callscope-diar-');
afterAll(() => tmp.cleanup());
const vad = findVadModel(MODELS_DIR)!;

async function run(file: string) {
  const d = await decodeAudio(file);
  const pcm = d.channels[0]!;
  const segs = diarise(pcm, await detectSpeech(vad, pcm, 0, 2));
  return { segs, durationSec: d.durationSec };
}
const withRoles = (segs: ReturnType<typeof diarise>, agent: string) => segs.map((s) => ({ ...s, role: s.speaker === agent ? 'agent' : 'customer' }));

describe('diarisation of a generated call with known speakers', () => {
  const lines: Array<['agent' | 'customer', string]> = [
    ['agent', 'Good morning, thank you for calling the bank, my name is Sarah, how can I help you today'],
    ['customer', 'Hello, I have a question about the annual fee on my credit card statement'],
    ['agent', 'Of course, may I have the last four digits of your card please'],
    ['customer', 'Yes, they are one two three four'],
    ['agent', 'Thank you, I can see the fee was charged last week, I will waive it for you'],
    ['customer', 'That is great, thank you very much for your help'],
    ['agent', 'You are welcome, is there anything else I can help you with'],
    ['customer', 'No, that is all, goodbye'],
  ];
  let ref: RefTurn[];
  let file: string;
  beforeAll(() => {
    let t = 0.5;
    const placements = lines.map(([role, text], i) => {
      const clip = fliteSpeech(text, role === 'agent' ? 'slt' : 'rms');
      const p = { channel: 0, at: t, clip, label: role };
      t += clip.length / 8000 + (i % 3 === 0 ? 1.2 : 0.7);
      return p;
    });
    const { pcm, truth } = compose(1, t + 0.5, placements);
    file = path.join(tmp.dir, 'two-voices.wav');
    writeWav(file, pcm, 1);
    ref = truth.map((x) => ({ role: x.label as RefTurn['role'], start: x.start, end: x.end }));
  });

  it('separates the two voices (DER ≤ 10 %) and finds the agent (role accuracy ≥ 95 %)', async () => {
    const { segs, durationSec } = await run(file);
    const der = diarisationError(ref, segs, durationSec);
    expect(der.der).toBeLessThanOrEqual(0.1);
    expect(der.confusion).toBeLessThan(1);
    const agent = agentSpeaker(segs)!;
    expect(agent.basis).toBe('first-speaker');
    expect(roleAccuracy(ref, withRoles(segs, agent.agent), durationSec)).toBeGreaterThanOrEqual(0.95);
  });

  it('labels the engine segments of a mono call in the pipeline with the diarised roles', async () => {
    const models = path.join(tmp.dir, 'models');
    mkdirSync(path.join(models, 'asr'), { recursive: true });
    symlinkSync(path.join(MODELS_DIR, 'asr', 'vad'), path.join(models, 'asr', 'vad'));
    // Random weights: text without meaning, but one segment per speech region — enough to check roles.
    writeParaformerFixture(path.join(models, 'asr', PARAFORMER_DIRS[0]!), 'random');
    const p = testPipeline(path.join(tmp.dir, 'data'), { CALLSCOPE_MODELS: models, CALLSCOPE_ASR_ENGINE: 'paraformer' });
    try {
      const r = await p.pipeline.ingest([file]);
      const doc = (await p.store.get(r.outcomes[0]!.id))!;
      // The random-weight text (银银银…) says nothing about the sides, so the acoustic rule decides.
      expect(doc.warnings).toContain('mono recording: speakers diarised from the audio, agent by first-speaker');
      const truthAt = (t: number) => ref.find((x) => x.start <= t && t <= x.end)?.role;
      const judged = doc.segments.filter((s) => truthAt((s.start + s.end) / 2));
      expect(judged.length).toBeGreaterThanOrEqual(ref.length);
      const right = judged.filter((s) => s.role === truthAt((s.start + s.end) / 2));
      expect(right.length / judged.length).toBeGreaterThanOrEqual(0.9);
      const talk = (role: string) => ref.filter((x) => x.role === role).reduce((n, x) => n + x.end - x.start, 0);
      expect(doc.acoustics!.talkRatio).toBeCloseTo(talk('agent') / (talk('agent') + talk('customer')), 1);
    } finally {
      await p.close();
    }
  });

  it('beats both trivial baselines on the same audio', async () => {
    const { segs, durationSec } = await run(file);
    const d = await decodeAudio(file);
    const regions = await detectSpeech(vad, d.channels[0]!, 0, 2);
    const one = regions.map((r) => ({ ...r, speaker: 'S1' }));
    const ours = diarisationError(ref, segs, durationSec).der;
    expect(ours).toBeLessThan(diarisationError(ref, one, durationSec).der);
  });
});

describe('diarisation of the real sample calls (floors measured by bench/asr/diarisation.ts)', () => {
  const calls = truthCalls();
  async function score(callId: string) {
    const call = calls.find((c) => c.callId === callId)!;
    let file = path.join(CALLS_DIR, call.audioFile);
    if (call.audio.channels === 2) {
      const mixed = path.join(tmp.dir, `${callId}.wav`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', file, '-ac', '1', mixed]);
      file = mixed;
    }
    const { segs, durationSec } = await run(file);
    const agent = agentSpeaker(segs)!;
    return {
      der: diarisationError(call.truth.segments, segs, durationSec).der,
      role: roleAccuracy(call.truth.segments, withRoles(segs, agent.agent), durationSec),
    };
  }

  it.each([
    ['SYN-0004', 0.15, 0.9],
    ['SYN-0028', 0.22, 0.82],
  ])('%s (downmix, voices of different pitch): DER ≤ %s, role accuracy ≥ %s', async (id, maxDer, minRole) => {
    const s = await score(id);
    expect(s.der).toBeLessThanOrEqual(maxDer);
    expect(s.role).toBeGreaterThanOrEqual(minRole);
  });

  it.each([
    ['SYN-0007', 0.5],
    ['SYN-0012', 0.56],
  ])('%s (delivered mono, near-identical synthetic voices): DER ≤ %s', async (id, maxDer) => {
    expect((await score(id)).der).toBeLessThanOrEqual(maxDer);
  });
});
