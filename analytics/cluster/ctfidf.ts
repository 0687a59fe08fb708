/**
 * Class-based TF-IDF (Grootendorst 2022, BERTopic): all texts of a cluster form one document;
 * W(t, c) = tf(t, c) / |c| · ln(1 + A / f(t)), where |c| is the cluster's word count, f(t) the
 * term's count over all clusters and A the mean word count per cluster. A term scores high when it
 * is frequent in the cluster and rare elsewhere.
 */
export function clusterTerms(wordsByCluster: ReadonlyArray<ReadonlyArray<readonly string[]>>, top = 5): string[][] {
  const tf = wordsByCluster.map((texts) => {
    const m = new Map<string, number>();
    for (const words of texts) for (const w of words) m.set(w, (m.get(w) ?? 0) + 1);
    return m;
  });
  const total = new Map<string, number>();
  let all = 0;
  for (const m of tf) for (const [w, c] of m) {
    total.set(w, (total.get(w) ?? 0) + c);
    all += c;
  }
  const a = all / Math.max(1, tf.length);
  return tf.map((m) => {
    const size = [...m.values()].reduce((s, c) => s + c, 0);
    return [...m]
      // A term said once in a cluster names nothing; keep it only when the cluster is that small.
      .filter(([, c]) => c > 1 || size < 20)
      .map(([w, c]) => [w, (c / size) * Math.log(1 + a / total.get(w)!)] as const)
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, top)
      .map(([w]) => w);
  });
}

/** A short human label: the three most distinctive terms. */
export const labelOf = (terms: readonly string[]) => (terms.length ? terms.slice(0, 3).join(' / ') : '(无明显特征词)');
