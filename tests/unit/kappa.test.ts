import { describe, expect, it } from 'vitest';
import { cohensKappa, cohensKappaOfTable, fleissKappa, fleissKappaOfLabels } from '../../scoring-models/kappa.ts';

// Expected values are the worked examples of the Wikipedia articles "Cohen's kappa" and "Fleiss' kappa"
// (the latter after Fleiss 1971), computed there by hand.
describe("Cohen's κ", () => {
  it.each([
    // rows: rater A yes/no; columns: rater B yes/no
    [[[20, 5], [10, 15]], 0.4],
    [[[45, 15], [25, 15]], 0.1304],
    [[[25, 35], [5, 35]], 0.2593],
  ])('table %j gives %d', (table, kappa) => {
    expect(cohensKappaOfTable(table)).toBeCloseTo(kappa, 4);
  });

  it('pairs of decisions give the same κ as their table', () => {
    const a = [...Array(20).fill('yes'), ...Array(5).fill('yes'), ...Array(10).fill('no'), ...Array(15).fill('no')];
    const b = [...Array(20).fill('yes'), ...Array(5).fill('no'), ...Array(10).fill('yes'), ...Array(15).fill('no')];
    expect(cohensKappa(a, b)).toBeCloseTo(0.4, 10);
  });

  it('is 1 for perfect agreement over two categories, null when both raters use one category only', () => {
    expect(cohensKappa(['passed', 'failed', 'na'], ['passed', 'failed', 'na'])).toBe(1);
    expect(cohensKappa(['passed', 'passed'], ['passed', 'passed'])).toBeNull();
    expect(cohensKappa([], [])).toBeNull();
  });
});

describe("Fleiss' κ", () => {
  const table = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ];

  it('the worked example (10 subjects, 14 raters, 5 categories) gives κ = 0.210', () => {
    expect(fleissKappa(table)).toBeCloseTo(0.20993, 4);
  });

  it('from labels: the same example written as each rater’s category', () => {
    const labels = table.map((row) => row.flatMap((n, j) => Array<string>(n).fill(`c${j + 1}`)));
    expect(fleissKappaOfLabels(labels)).toBeCloseTo(0.20993, 4);
  });

  it('two raters: Fleiss κ is Scott’s π (hand-computed: po 0.7, pe 0.5075 → 0.3909)', () => {
    // A yes 25, B yes 30 of 50: pooled yes 55/100; pe = 0.55² + 0.45² = 0.505; po = 35/50.
    const items = [...Array(20).fill(['y', 'y']), ...Array(5).fill(['y', 'n']), ...Array(10).fill(['n', 'y']), ...Array(15).fill(['n', 'n'])];
    expect(fleissKappaOfLabels(items)).toBeCloseTo((0.7 - 0.505) / (1 - 0.505), 10);
  });

  it('refuses items with different numbers of raters', () => {
    expect(() => fleissKappa([[1, 1], [3, 0]])).toThrow(/same number of raters/);
  });
});
