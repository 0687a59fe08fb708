/** Accuracy and macro-F1 (mean over the labels present in gold or prediction). */
export function classificationMetrics<L extends string>(gold: L[], predicted: L[]): { n: number; accuracy: number; macroF1: number } {
  if (gold.length !== predicted.length) throw new Error('gold and predicted differ in length');
  const labels = new Set<L>([...gold, ...predicted]);
  let correct = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === predicted[i]) correct++;
  let f1Sum = 0;
  for (const l of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < gold.length; i++) {
      if (predicted[i] === l && gold[i] === l) tp++;
      else if (predicted[i] === l) fp++;
      else if (gold[i] === l) fn++;
    }
    f1Sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return { n: gold.length, accuracy: gold.length ? correct / gold.length : 0, macroF1: labels.size ? f1Sum / labels.size : 0 };
}
