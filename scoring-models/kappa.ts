/**
 * Chance-corrected agreement between raters, for backtests (machine ↔ labels) and calibration
 * sessions (inspector ↔ inspector, machine ↔ inspector). Categories are any strings: a checkpoint
 * decision is "passed", "failed" or "na".
 */

/**
 * Cohen's κ of two raters from their contingency table (rows: rater A's category, columns: rater
 * B's, same order). Null when there is nothing to compare or chance agreement is total (both raters
 * used one and the same category only).
 */
export function cohensKappaOfTable(table: number[][]): number | null {
  const k = table.length;
  const n = table.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  if (n === 0) return null;
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    observed += table[i]![i]!;
    const rowSum = table[i]!.reduce((a, b) => a + b, 0);
    const colSum = table.reduce((s, row) => s + row[i]!, 0);
    expected += rowSum * colSum;
  }
  const po = observed / n;
  const pe = expected / (n * n);
  return pe === 1 ? null : (po - pe) / (1 - pe);
}

/** Cohen's κ of two raters' paired decisions on the same items (a[i] and b[i] rate item i). */
export function cohensKappa(a: readonly string[], b: readonly string[]): number | null {
  if (a.length !== b.length) throw new Error('two raters need the same number of decisions');
  const categories = [...new Set([...a, ...b])].sort();
  const at = new Map(categories.map((c, i) => [c, i]));
  const table = categories.map(() => categories.map(() => 0));
  a.forEach((x, i) => table[at.get(x)!]![at.get(b[i]!)!]!++);
  return cohensKappaOfTable(table);
}

/**
 * Fleiss' κ: `counts[i][j]` is how many raters put item i in category j; every item has the same
 * number of raters (at least two). Null when there is no item or chance agreement is total.
 */
export function fleissKappa(counts: number[][]): number | null {
  const items = counts.length;
  if (items === 0) return null;
  const raters = counts[0]!.reduce((a, b) => a + b, 0);
  if (raters < 2) return null;
  if (counts.some((row) => row.reduce((a, b) => a + b, 0) !== raters)) throw new Error('Fleiss κ needs the same number of raters for every item');
  const categories = counts[0]!.length;
  let pBar = 0;
  for (const row of counts) pBar += (row.reduce((s, x) => s + x * x, 0) - raters) / (raters * (raters - 1));
  pBar /= items;
  let pe = 0;
  for (let j = 0; j < categories; j++) {
    const pj = counts.reduce((s, row) => s + row[j]!, 0) / (items * raters);
    pe += pj * pj;
  }
  return pe === 1 ? null : (pBar - pe) / (1 - pe);
}

/** Fleiss' κ from each item's categories as the raters gave them (one array of labels per item). */
export function fleissKappaOfLabels(items: ReadonlyArray<readonly string[]>): number | null {
  const categories = [...new Set(items.flat())].sort();
  return fleissKappa(items.map((labels) => categories.map((c) => labels.filter((l) => l === c).length)));
}
