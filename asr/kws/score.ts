/**
 * How well a free phonetic decoding agrees with a keyword's tokens: 1 − (edit distance of the best
 * matching stretch of `decoded`) / (number of keyword tokens), floored at 0. Semi-global alignment:
 * the keyword may start and end anywhere in the decoded tokens.
 */
export function phoneticMatchScore(keyword: string[], decoded: string[]): number {
  const n = keyword.length;
  if (n === 0) return 0;
  // prev[j]: cost of aligning keyword[0..i) ending at decoded position j; row 0 is free everywhere.
  let prev: number[] = new Array<number>(decoded.length + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= decoded.length; j++) {
      const sub = prev[j - 1]! + (keyword[i - 1] === decoded[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1));
    }
    prev = cur;
  }
  const best = Math.min(...prev);
  return Math.round(Math.max(0, 1 - best / n) * 100) / 100;
}
