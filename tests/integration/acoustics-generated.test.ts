import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAcoustics } from '../../asr/acoustics.ts';
import { asrHost } from '../../asr/asr-host-client.ts';
import { findVadModel } from '../../asr/models.ts';
import type { Acoustics } from '../../core/schemas.ts';
import { compose, fliteSpeech, GEN_RATE, lavfi, type Placement, writeWav } from '../generated-audio.ts';
import { MODELS_DIR, tempDir } from '../helpers.ts';

/**
 * Acoustics from audio with exactly known timing: synthetic speech (ffmpeg flite) placed on two
 * channels (agent left, customer right) with a 12 s silence, a customer interruption of 1.5 s and
 * an agent interruption of 1.0 s, over faint noise. Every figure comes from the real decode → VAD
 * → acoustics path and must match the construction within the VAD's boundary tolerance.
 */
const TOL = 0.4; // s: Silero's boundary error on these clips (speech pad 30 ms, 10 ms frames, word-final fades)
const tmp = tempDir('callscope-acoustics-');
afterAll(() => tmp.cleanup());

let a: Acoustics;
let truth: { silence: number; overlapAgentOverCustomer: number; overlapCustomerOverAgent: number; talkAgent: number; talkCustomer: number };

beforeAll(async () => {
  const agent = (t: string) => fliteSpeech(t, 'slt');
  const customer = (t: string) => fliteSpeech(t, 'rms');
  const sec = (c: Int16Array) => c.length / GEN_RATE;
  const p: Placement[] = [];
  let t = 0.5;
  const A1 = agent('Good morning, thank you for calling, how can I help you today');
  p.push({ channel: 0, at: t, clip: A1, label: 'agent' });
  t += sec(A1) + 0.8;
  const R1 = customer('I would like to ask about the fee on my credit card');
  p.push({ channel: 1, at: t, clip: R1, label: 'customer' });
  t += sec(R1);
  const SILENCE = 12;
  t += SILENCE;
  const A2 = agent('Thank you for waiting, I have checked your account and the fee was charged on the first of the month');
  p.push({ channel: 0, at: t, clip: A2, label: 'agent' });
  const CUT_IN = 1.5; // the customer starts 1.5 s before the agent finishes
  const r2At = t + sec(A2) - CUT_IN;
  const R2 = customer('But nobody told me about this fee when I opened the card, that is not fair at all');
  p.push({ channel: 1, at: r2At, clip: R2, label: 'customer' });
  const AGENT_CUT = 1.0; // then the agent starts 1.0 s before the customer finishes
  const a3At = r2At + sec(R2) - AGENT_CUT;
  const A3 = agent('I understand, I can refund the fee for you today');
  p.push({ channel: 0, at: a3At, clip: A3, label: 'agent' });
  const end = a3At + sec(A3) + 1;
  const noise = (ch: number) => ({ channel: ch, at: 0, clip: lavfi(`anoisesrc=a=0.001:c=white:r=${GEN_RATE}`, end), label: 'noise' });
  const { pcm } = compose(2, end, [...p, noise(0), noise(1)]);
  const file = path.join(tmp.dir, 'timed-call.wav');
  writeWav(file, pcm, 2);
  truth = {
    silence: SILENCE,
    overlapAgentOverCustomer: AGENT_CUT,
    overlapCustomerOverAgent: CUT_IN,
    talkAgent: sec(A1) + sec(A2) + sec(A3),
    talkCustomer: sec(R1) + sec(R2),
  };
  const r = await asrHost().analyze({ file, vadModel: findVadModel(MODELS_DIR)!, engine: null, threads: 2, language: 'zh' });
  a = computeAcoustics({ durationSec: r.durationSec, segments: [], speech: r.speech, stereo: true });
}, 120_000);

describe('acoustics on generated audio with exact timing', () => {
  it('measures the 12 s silence as the only silence and the longest gap', () => {
    expect(Math.abs(a.silenceSec - truth.silence)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(a.longestSilenceSec - truth.silence)).toBeLessThanOrEqual(TOL);
  });

  it('measures the overlap of both interruptions', () => {
    expect(Math.abs(a.overlapSec - (truth.overlapAgentOverCustomer + truth.overlapCustomerOverAgent))).toBeLessThanOrEqual(2 * TOL);
  });

  it('counts one interruption by each side', () => {
    expect(a.interruptions).toEqual({ agent: 1, customer: 1 });
  });

  it('splits the talk time between agent and customer as constructed', () => {
    expect(a.talkRatio).toBeCloseTo(truth.talkAgent / (truth.talkAgent + truth.talkCustomer), 1);
  });
});
