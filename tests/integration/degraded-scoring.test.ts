import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { loadScorecards } from '../../scoring-models/scorecard.ts';
import { backtestDegraded, degradations } from '../degrade.ts';
import { MODELS_DIR } from '../helpers.ts';

/**
 * The default scorecard must score right from vendor transcripts as they really come (numerals,
 * sound-alike slips, no punctuation, other segment boundaries, timing jitter, mono without roles):
 * F1 ≥ 0.95 on every labelled checkpoint and call flag of the dev calls, and no false alarm where
 * nothing is labelled.
 */
const config = loadConfig({ CALLSCOPE_MODELS: MODELS_DIR });
const card = loadScorecards(config.scorecardsDir)[0]!;

describe('scoring degraded vendor transcripts', () => {
  it.each(Object.keys(degradations))('%s', async (name) => {
    const { checkpoints, flags } = await backtestDegraded(card, config, degradations[name]!);
    const rows = [...checkpoints.map((r) => ({ id: r.checkpointId, ...r })), ...flags.map((r) => ({ id: r.flag, ...r }))];
    expect(rows).toHaveLength(13);
    for (const r of rows) {
      if (r.f1 === null) expect({ id: r.id, fp: r.fp }).toEqual({ id: r.id, fp: 0 });
      else expect({ id: r.id, f1: r.f1 }).toEqual({ id: r.id, f1: expect.toSatisfy((f: number) => f >= 0.95) });
    }
  });
});
