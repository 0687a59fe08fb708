import { describe, expect, it } from 'vitest';
import { goldenCases, goldenOf, readGolden } from '../scoring-golden.ts';

/**
 * The engine's grades — points, reasons, evidence — stay byte-identical to what it gave before
 * re-scoring was sped up (fixture written by that engine: see tests/scoring-golden.ts), on the dev
 * calls clean, degraded and shifted in time, with the default card and a card of windowed operators.
 */
describe('scoring engine grades stay byte-identical', async () => {
  const golden = readGolden();
  const cases = await goldenCases();

  it('covers every stored grade', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(golden).sort());
    expect(cases.length).toBeGreaterThan(200);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    expect(goldenOf(c)).toEqual(golden[name]);
  });
});
