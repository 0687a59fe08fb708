import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { loadScorecards } from '../../scoring-models/scorecard.ts';
import { backtestDegraded, degradations } from '../degrade.ts';
import { MODELS_DIR } from '../helpers.ts';

/**
 * The default scorecard must score right from vendor transcripts as they really come (numerals,
 * no punctuation, other segment boundaries, timing jitter, mono without roles): F1 ≥ 0.95 on every
 * labelled checkpoint of the dev calls, and no false alarm where nothing is labelled.
 */
const config = loadConfig({ CALLSCOPE_MODELS: MODELS_DIR });
const card = loadScorecards(config.scorecardsDir)[0]!;

describe('scoring degraded vendor transcripts', () => {
  it.each(Object.keys(degradations))('%s', async (name) => {
    for (const r of await backtestDegraded(card, config, degradations[name]!)) {
      if (r.f1 === null) expect({ id: r.checkpointId, fp: r.fp }).toEqual({ id: r.checkpointId, fp: 0 });
      else expect({ id: r.checkpointId, f1: r.f1 }).toEqual({ id: r.checkpointId, f1: expect.toSatisfy((f: number) => f >= 0.95) });
    }
  });
});
