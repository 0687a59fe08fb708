import { cohensKappa, fleissKappaOfLabels } from '../../scoring-models/kappa.ts';
import type { CalibrationAnswer, CalibrationSession, Category } from './model.ts';

export type PairKappa = { a: string; b: string; n: number; agreement: number | null; kappa: number | null };
export type CheckpointAgreement = {
  checkpointId: string;
  name: string;
  /** Every pair of inspectors, over the calls both answered. */
  inspectorPairs: PairKappa[];
  /** The machine against each inspector. */
  machine: PairKappa[];
  /** All inspectors together, over the calls every one of them answered. */
  fleiss: { raters: number; n: number; kappa: number | null };
};
export type CalibrationReport = {
  session: CalibrationSession;
  checkpoints: CheckpointAgreement[];
  /** Every answer, revealed once the session is closed: call → rater (inspector id or "machine") → checkpoint → category. */
  answers: Record<string, Record<string, Record<string, Category>>>;
};

export const MACHINE = 'machine';

function pair(a: string, b: string, x: Map<string, Category>, y: Map<string, Category>): PairKappa {
  const calls = [...x.keys()].filter((c) => y.has(c)).sort();
  const xs = calls.map((c) => x.get(c)!);
  const ys = calls.map((c) => y.get(c)!);
  const agree = calls.filter((_, i) => xs[i] === ys[i]).length;
  return { a, b, n: calls.length, agreement: calls.length ? agree / calls.length : null, kappa: calls.length ? cohensKappa(xs, ys) : null };
}

/** κ per checkpoint: inspector pairs (Cohen), machine ↔ each inspector (Cohen), all inspectors (Fleiss). */
export function calibrationReport(session: CalibrationSession, machine: Record<string, Record<string, Category>>, answers: CalibrationAnswer[]): CalibrationReport {
  const inspectors = session.inspectorIds;
  const checkpoints = session.checkpoints.map((cp): CheckpointAgreement => {
    const byRater = new Map<string, Map<string, Category>>(inspectors.map((i) => [i, new Map()]));
    for (const a of answers) {
      const c = a.decisions[cp.id];
      if (c !== undefined) byRater.get(a.inspectorId)?.set(a.callId, c);
    }
    const machineOf = new Map(session.callIds.flatMap((c) => (machine[c]?.[cp.id] ? [[c, machine[c]![cp.id]!] as const] : [])));
    const inspectorPairs: PairKappa[] = [];
    for (let i = 0; i < inspectors.length; i++) {
      for (let j = i + 1; j < inspectors.length; j++) inspectorPairs.push(pair(inspectors[i]!, inspectors[j]!, byRater.get(inspectors[i]!)!, byRater.get(inspectors[j]!)!));
    }
    const complete = session.callIds.filter((c) => inspectors.every((i) => byRater.get(i)!.has(c)));
    return {
      checkpointId: cp.id,
      name: cp.name,
      inspectorPairs,
      machine: inspectors.map((i) => pair(MACHINE, i, machineOf, byRater.get(i)!)),
      fleiss: {
        raters: inspectors.length,
        n: complete.length,
        kappa: inspectors.length >= 2 && complete.length > 0 ? fleissKappaOfLabels(complete.map((c) => inspectors.map((i) => byRater.get(i)!.get(c)!))) : null,
      },
    };
  });
  const all: CalibrationReport['answers'] = {};
  for (const c of session.callIds) all[c] = { [MACHINE]: machine[c] ?? {} };
  for (const a of answers) all[a.callId]![a.inspectorId] = a.decisions;
  return { session, checkpoints, answers: all };
}

const csvCell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per κ: checkpoint, measure, the two raters (or "all"), calls compared, agreement, κ. */
export function reportCsv(r: CalibrationReport): string {
  const rows: Array<Array<string | number | null>> = [['checkpoint_id', 'checkpoint', 'measure', 'rater_a', 'rater_b', 'calls', 'agreement', 'kappa']];
  const round = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);
  for (const cp of r.checkpoints) {
    for (const p of cp.inspectorPairs) rows.push([cp.checkpointId, cp.name, 'cohen_inspectors', p.a, p.b, p.n, round(p.agreement), round(p.kappa)]);
    for (const p of cp.machine) rows.push([cp.checkpointId, cp.name, 'cohen_machine', p.a, p.b, p.n, round(p.agreement), round(p.kappa)]);
    rows.push([cp.checkpointId, cp.name, 'fleiss', 'all', `${cp.fleiss.raters} inspectors`, cp.fleiss.n, null, round(cp.fleiss.kappa)]);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}
