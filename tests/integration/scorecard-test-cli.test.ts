import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLS_DIR, tempDir } from '../helpers.ts';
import { runCli } from '../run-cli.ts';

/** `callscope scorecard test`: a draft against human labels of ingested calls, through the real CLI. */
const FILES = ['SYN-0001.mp3', 'SYN-0002.mp3', 'SYN-0014.mp3'];
const data = tempDir('callscope-backtest-');
const env = { CALLSCOPE_DATA: data.dir };
const card = path.join(process.cwd(), 'scoring-models', 'scorecards', 'bank-service-standard.yaml');
const truthLines = readFileSync(path.join(CALLS_DIR, 'calls.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .filter((l) => FILES.some((f) => l.includes(`"${f}"`)));

beforeAll(async () => {
  const r = await runCli(['ingest', ...FILES.map((f) => path.join(CALLS_DIR, f)), '--meta', path.join(CALLS_DIR, 'meta.jsonl')], env);
  expect(r.code).toBe(0);
});
afterAll(() => data.cleanup());

describe('callscope scorecard test', () => {
  it('agrees with the corpus labels on every checkpoint', async () => {
    const labels = path.join(data.dir, 'truth.jsonl');
    writeFileSync(labels, truthLines.join('\n'));
    const r = await runCli(['scorecard', 'test', card, '--labels', labels, '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.calls).toBe(3);
    // Labels of the three calls: SYN-0002 and SYN-0014 lack the job id and the closing, use a
    // forbidden phrase, read out a number, leave an unannounced silence and interrupt; only SYN-0014
    // lacks the standard greeting.
    const expected: Record<string, number> = {
      standard_greeting: 1,
      job_id_in_greeting: 2,
      identity_verification: 0,
      no_pii_readout: 2,
      no_forbidden_phrases: 2,
      hold_notice: 2,
      no_interrupting: 2,
      appropriate_upsell: 1,
      closing: 2,
    };
    expect(out.checkpoints.map((c: { checkpointId: string }) => c.checkpointId)).toEqual(Object.keys(expected));
    for (const cp of out.checkpoints) {
      const tp = expected[cp.checkpointId]!;
      // With no violation on either side, F1 and κ are undefined (null), not perfect.
      const perfect = tp > 0 ? 1 : null;
      expect(cp).toMatchObject({ tp, fp: 0, fn: 0, tn: 3 - tp, f1: perfect, kappa: perfect, disagreements: [] });
    }
  });

  it('lists every disagreement and reports unmatched label lines', async () => {
    const labels = path.join(data.dir, 'edited.jsonl');
    writeFileSync(
      labels,
      [
        JSON.stringify({ callId: 'SYN-0001', violations: ['NO_CLOSING'] }),
        JSON.stringify({ audioFile: 'SYN-0002.mp3', violations: ['NO_JOB_ID_IN_GREETING', 'FORBIDDEN_PHRASE', 'NO_CLOSING'] }),
        JSON.stringify({ callId: 'SYN-0014', violations: ['NO_JOB_ID_IN_GREETING', 'FORBIDDEN_PHRASE'] }),
        JSON.stringify({ callId: 'SYN-9999', violations: [] }),
      ].join('\n'),
    );
    const r = await runCli(['scorecard', 'test', card, '--labels', labels], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/warning: edited\.jsonl:4: no ingested call matches SYN-9999/);
    // closing: machine fails 0002 and 0014; the labels say 0001 and 0002 → TP 1, FP 1, FN 1, TN 0.
    expect(r.stdout).toMatch(/\| closing \| NO_CLOSING \| 1 \| 1 \| 1 \| 0 \| 0\.50 \| 0\.50 \| 0\.50 \|/);
    expect(r.stdout).toMatch(/closing: SYN-0001 \([0-9a-f]{64}\) machine passed, label violation/);
    expect(r.stdout).toMatch(/closing: SYN-0014 \([0-9a-f]{64}\) machine failed, label none/);
  });

  it('points at the line of a broken draft', async () => {
    const draft = path.join(data.dir, 'draft.yaml');
    writeFileSync(draft, readFileSync(card, 'utf8').replace('expect: absent', 'expect: maybe'));
    // The first `expect: absent` is no_pii_readout, the fourth checkpoint.
    const r = await runCli(['scorecard', 'test', draft, '--labels', path.join(data.dir, 'truth.jsonl')], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^callscope: .*draft\.yaml:\d+: checkpoints\.3\.expect/);
  });
});
