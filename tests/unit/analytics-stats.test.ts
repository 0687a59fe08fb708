import { describe as group, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  describe,
  gSquared2x2,
  mannWhitneyU,
  newcombeInterval,
  normalCdf,
  normalQuantile,
  regularizedBeta,
  tCdf,
  tQuantile,
  twoProportionZTest,
  welchTTest,
  wilsonInterval,
} from '../../analytics/stats.ts';

// Reference values come from standard tables, closed forms worked by hand, Newcombe (1998) and
// scipy 1.17 (stats.norm, stats.t, stats.ttest_ind, stats.mannwhitneyu) — never from the code under test.

group('normal distribution', () => {
  it.each([
    [0, 0.5],
    [1.96, 0.9750021048517795],
    [-1, 0.15865525393145707],
    [-3, 0.0013498980316300933],
  ])('Φ(%s) = %s', (x, p) => expect(normalCdf(x)).toBeCloseTo(p, 6));

  it.each([
    [0.975, 1.959963984540054],
    [0.001, -3.090232306167813],
    [0.5, 0],
  ])('Φ⁻¹(%s) = %s', (p, x) => expect(normalQuantile(p)).toBeCloseTo(x, 7));
});

group('regularized incomplete beta', () => {
  it('I_0.4(2,3) = 0.5248 (binomial sum by hand: 6·.4²·.6² + 4·.4³·.6 + .4⁴)', () => expect(regularizedBeta(0.4, 2, 3)).toBeCloseTo(0.5248, 10));
  it('I_0.2(½,½) = (2/π)·asin(√0.2)', () => expect(regularizedBeta(0.2, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(0.2)), 10));
  it('I_x(1,b) = 1 − (1−x)^b', () => expect(regularizedBeta(0.3, 1, 7)).toBeCloseTo(1 - 0.7 ** 7, 12));
  it('I_0.5(a,a) = ½ by symmetry', () => expect(regularizedBeta(0.5, 13.5, 13.5)).toBeCloseTo(0.5, 12));
});

group('Student t', () => {
  it.each([
    [0.975, 10, 2.228],
    [0.975, 1, 12.706],
    [0.995, 30, 2.75],
    [0.95, 20, 1.725],
  ])('table quantile t(%s, df=%s) = %s', (p, df, t) => expect(tQuantile(p, df)).toBeCloseTo(t, 3));

  it('CDFs match scipy, fractional df included', () => {
    expect(tCdf(2, 5)).toBeCloseTo(0.9490302605850708, 8);
    expect(tCdf(1.5, 7.5)).toBeCloseTo(0.912759714706768, 8);
    expect(tCdf(-2.228138851986274, 10)).toBeCloseTo(0.025, 8);
  });
});

group('proportions', () => {
  it('Wilson interval for 81/263 is 0.2553–0.3662 (Newcombe 1998)', () => {
    const w = wilsonInterval(81, 263);
    expect(w.low).toBeCloseTo(0.2553, 4);
    expect(w.high).toBeCloseTo(0.3662, 4);
  });

  it('Newcombe hybrid interval for 56/70 − 48/80 is +0.0524 to +0.3339 (Newcombe 1998, method 10)', () => {
    const ci = newcombeInterval(56, 70, 48, 80);
    expect(ci.low).toBeCloseTo(0.0524, 4);
    expect(ci.high).toBeCloseTo(0.3339, 4);
  });

  it('two-proportion z for 56/70 vs 48/80: pooled p = 104/150, z = 2.6502, p = 0.00805', () => {
    const r = twoProportionZTest(56, 70, 48, 80);
    expect(r.statistic).toBeCloseTo(2.6501719512585327, 6);
    expect(r.pValue).toBeCloseTo(0.00804508136819658, 6);
  });

  it('identical all-zero cohorts are not significant', () => expect(twoProportionZTest(0, 10, 0, 20).pValue).toBe(1));
});

group('means and ranks', () => {
  const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
  const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

  it('Welch t matches scipy ttest_ind(equal_var=False)', () => {
    const r = welchTTest(describe(a), describe(b));
    expect(r.statistic).toBeCloseTo(-2.455356398286006, 8);
    expect(r.df).toBeCloseTo(24.988529290231416, 6);
    expect(r.pValue).toBeCloseTo(0.021378001462866992, 7);
    expect(r.interval.low).toBeCloseTo(-3.984096267140929, 6);
    expect(r.interval.high).toBeCloseTo(-0.3492370661924069, 6);
  });

  it('Mann-Whitney U with ties matches scipy (asymptotic, continuity corrected)', () => {
    const r = mannWhitneyU([1, 2, 2, 3, 4, 5, 5, 5, 9], [3, 4, 6, 6, 7, 8, 8, 10, 11, 12]);
    expect(r.statistic).toBe(15);
    expect(r.pValue).toBeCloseTo(0.015596237887139635, 6);
  });
});

group('Benjamini–Hochberg', () => {
  it('adjusts by rank and keeps monotone (worked by hand)', () => {
    // sorted .005→.005·4/1=.02, .01→.01·4/2=.02, .03→.03·4/3=.04, .04→.04·4/4=.04
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    [0.02, 0.04, 0.04, 0.02].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 12));
  });
  it('a large p early in rank order is lowered to the later minimum', () => {
    // sorted .01→.03, .04→.06, .045→.045 ⇒ running min from the top: .045, .045, .03
    const q = benjaminiHochberg([0.045, 0.01, 0.04]);
    [0.045, 0.03, 0.045].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 12));
  });
});

group('log-likelihood G²', () => {
  it.each([
    [30, 70, 10, 90, 12.97151432600681, 0.0003162661143462805],
    [12, 188, 3, 297, 10.354238566616528, 0.0012917773721753646],
  ])('G² of [[%s, %s], [%s, %s]] = %s, p = %s (scipy chi2_contingency, lambda_="log-likelihood")', (a, b, c, d, g2, p) => {
    const r = gSquared2x2(a, b, c, d);
    expect(r.statistic).toBeCloseTo(g2, 9);
    expect(r.pValue).toBeCloseTo(p, 7);
  });
  it('a cell of zero contributes nothing and no NaN appears', () => {
    // [[5, 5], [0, 10]]: E = [[2.5, 7.5], [2.5, 7.5]]; G² = 2·(5 ln 2 + 5 ln(2/3) + 10 ln(4/3))
    expect(gSquared2x2(5, 5, 0, 10).statistic).toBeCloseTo(2 * (5 * Math.log(2) + 5 * Math.log(2 / 3) + 10 * Math.log(4 / 3)), 12);
  });
});
