import type { Score } from '../core/schemas.ts';
import { type ScoreInput, scoreWithCards } from './score-stage.ts';
import { cohensKappaOfTable } from './kappa.ts';
import type { Scorecard } from './scorecard.ts';

/** A call with human labels: the violation codes a reviewer found (empty: none). */
export type LabelledCall = { id: string; name: string; violations: string[]; input: ScoreInput };

export type Confusion = { tp: number; fp: number; fn: number; tn: number };
export type CheckpointBacktest = Confusion & {
  checkpointId: string;
  label: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  kappa: number | null;
  /** Calls where the machine and the label disagree, with which way. */
  disagreements: Array<{ id: string; name: string; machine: 'failed' | 'passed'; label: 'violation' | 'none' }>;
};

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/** Precision, recall and F1 of the machine's "failed" against the labels, and Cohen's κ. */
export function agreement(m: Confusion): { precision: number | null; recall: number | null; f1: number | null; kappa: number | null } {
  const precision = ratio(m.tp, m.tp + m.fp);
  const recall = ratio(m.tp, m.tp + m.fn);
  const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : m.tp + m.fp + m.fn === 0 ? null : 0;
  return { precision, recall, f1, kappa: cohensKappa(m) };
}

/** Cohen's κ of two raters' pass/fail decisions; null when chance agreement is total (one class only). */
export function cohensKappa({ tp, fp, fn, tn }: Confusion): number | null {
  return cohensKappaOfTable([
    [tp, fp],
    [fn, tn],
  ]);
}

/**
 * Runs a draft scorecard against labelled calls: for every checkpoint that names the violation
 * `label` it detects, "failed" is compared with "labelled as a violation". Not-applicable decisions
 * count as "passed" (no violation found); calls outside the card's scope are left out.
 */
export async function backtest(card: Scorecard, labelled: LabelledCall[], modelsDir: string): Promise<CheckpointBacktest[]> {
  const scores = new Map<string, Score>();
  for (const c of labelled) {
    const [score] = await scoreWithCards([card], c.input, modelsDir);
    if (score) scores.set(c.id, score);
  }
  // Calls outside the card's scope are not graded by it, so they are not compared either.
  const calls = labelled.filter((c) => scores.has(c.id));
  return card.checkpoints
    .filter((cp) => cp.label !== undefined)
    .map((cp) => {
      const m: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
      const disagreements: CheckpointBacktest['disagreements'] = [];
      for (const c of calls) {
        const failed = scores.get(c.id)!.items.find((i) => i.checkpointId === cp.id)!.passed === false;
        const labelled = c.violations.includes(cp.label!);
        if (failed && labelled) m.tp++;
        else if (failed) m.fp++;
        else if (labelled) m.fn++;
        else m.tn++;
        if (failed !== labelled) {
          disagreements.push({ id: c.id, name: c.name, machine: failed ? 'failed' : 'passed', label: labelled ? 'violation' : 'none' });
        }
      }
      return { checkpointId: cp.id, label: cp.label!, ...m, ...agreement(m), disagreements };
    });
}
