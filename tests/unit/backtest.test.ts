import { describe, expect, it } from 'vitest';
import { cohensKappa } from '../../scoring-models/backtest.ts';

describe("Cohen's kappa", () => {
  it.each([
    // Perfect agreement with both classes present.
    [{ tp: 3, fp: 0, fn: 0, tn: 9 }, 1],
    // po = 0.7, pe = (0.5·0.6 + 0.5·0.4) = 0.5 → κ = 0.4
    [{ tp: 4, fp: 1, fn: 2, tn: 3 }, 0.4],
    // Agreement no better than chance: po = 0.5, pe = 0.5 → 0
    [{ tp: 1, fp: 1, fn: 1, tn: 1 }, 0],
  ])('%j → %d', (m, kappa) => {
    expect(cohensKappa(m)).toBeCloseTo(kappa, 10);
  });

  it('is undefined when both raters see a single class only', () => {
    expect(cohensKappa({ tp: 0, fp: 0, fn: 0, tn: 12 })).toBeNull();
    expect(cohensKappa({ tp: 0, fp: 0, fn: 0, tn: 0 })).toBeNull();
  });
});
