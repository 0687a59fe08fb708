import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { assignRoles, readTranscriptFile } from '../asr/transcript.ts';
import type { Config } from '../core/config.ts';
import { mulberry32 } from '../core/prng.ts';
import type { TranscriptV1 } from '../core/schemas.ts';
import { analyzeStage } from '../nlp/analyze-stage.ts';
import { scoringInputOf } from '../scoring-models/score-stage.ts';
import { backtest, type CheckpointBacktest, type LabelledCall } from '../scoring-models/backtest.ts';
import type { Scorecard } from '../scoring-models/scorecard.ts';
import { CALLS_DIR, truthCalls } from './helpers.ts';

/**
 * Vendor transcripts as they really arrive, made from clean ones (seeded, deterministic): digits read
 * out as Chinese numerals, punctuation dropped, segments split at a pause, ±0.3 s timing jitter, mono
 * (speakers, no roles or channels).
 */
type Seg = TranscriptV1['segments'][number];
const rand = mulberry32(20261126);
const NUMERALS = '零一二三四五六七八九';

export const degradations: Record<string, (segs: Seg[]) => Seg[]> = {
  clean: (s) => s,
  numerals: (s) => s.map((x) => ({ ...x, text: x.text.replace(/\d/g, (d) => (d === '1' && rand() < 0.7 ? '幺' : NUMERALS[Number(d)]!)) })),
  'no punctuation': (s) => s.map((x) => ({ ...x, text: x.text.replace(/[\p{P}\s]/gu, '') })),
  resegmented: (s) =>
    s.flatMap((x) => {
      const at = x.text.search(/[，。？！]/u);
      if (at <= 0 || at >= x.text.length - 2 || rand() < 0.5) return [x];
      const mid = x.start + ((x.end - x.start) * (at + 1)) / x.text.length;
      return [{ ...x, end: mid, text: x.text.slice(0, at + 1) }, { ...x, start: mid, text: x.text.slice(at + 1) }];
    }),
  jitter: (s) => s.map((x) => {
    const start = Math.max(0, x.start + (rand() - 0.5) * 0.6);
    return { ...x, start, end: Math.max(start, x.end + (rand() - 0.5) * 0.6) };
  }),
  // Speakers from the roles the clean transcript resolves to (two dev sidecars are mono already).
  mono: (s) =>
    assignRoles({ format: 'callscope-transcript/v1', language: 'zh', engine: 'x', segments: s }).map(({ channel: _c, role, ...x }) => ({
      ...x,
      role: 'unknown' as const,
      speaker: role === 'agent' ? 'S1' : 'S2',
    })),
};


/**
 * The dev calls' sidecars, degraded one way, through the real NLP stage, backtested against the
 * labels as text-only calls (no audio: silence and interruptions come from the transcript timings).
 */
export async function backtestDegraded(card: Scorecard, config: Config, degradation: (segs: Seg[]) => Seg[]): Promise<CheckpointBacktest[]> {
  const ctx = { config, log: pino({ level: 'silent' }), callId: 'degraded' };
  const meta = new Map(
    readFileSync(path.join(CALLS_DIR, 'meta.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { audioFile: string } & Record<string, string>)
      .map(({ audioFile, ...m }) => [audioFile, m]),
  );
  const calls: LabelledCall[] = [];
  for (const c of truthCalls()) {
    const t = await readTranscriptFile(path.join(CALLS_DIR, `${c.audioFile}.transcript.json`));
    const r = await analyzeStage.run({ segments: assignRoles({ ...t, segments: degradation(t.segments) }) }, ctx);
    if (!r.ok) throw new Error(r.reason);
    calls.push({
      id: c.callId,
      name: c.callId,
      violations: c.truth.violations,
      input: scoringInputOf({ ...r.output, meta: { ...meta.get(c.audioFile), custom: {} }, durationSec: c.audio.durationSec, speech: [] }),
    });
  }
  return backtest(card, calls, config.modelsDir);
}
