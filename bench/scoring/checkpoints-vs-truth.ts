/**
 * Agreement of the shipped scorecard's checkpoints with the violation labels of the dev sample
 * calls (truth is read only here, never by the pipeline). Prints one row per checkpoint.
 *
 *   node --import tsx bench/scoring/checkpoints-vs-truth.ts
 */
import path from 'node:path';
import { loadScorecards } from '../../scoring-models/scorecard.ts';
import { CALLS_DIR, tempDir, testPipeline, truthCalls } from '../../tests/helpers.ts';


const data = tempDir('callscope-bench-score-');
const p = testPipeline(data.dir);
// Each checkpoint names the violation label it detects.
const LABEL: Record<string, string> = Object.fromEntries(
  loadScorecards(p.config.scorecardsDir).flatMap((card) => card.checkpoints.filter((c) => c.label).map((c) => [c.id, c.label!])),
);
try {
  const run = await p.pipeline.ingest([CALLS_DIR]);
  const truth = new Map(truthCalls().map((c) => [c.audioFile, c.truth.violations]));
  const riskFlags = new Map(truthCalls().map((c) => [c.audioFile, c.truth.riskFlags]));
  const rows = new Map<string, { tp: number; fp: number; fn: number; tn: number }>();
  const flagRows = new Map<string, { tp: number; fp: number; fn: number; tn: number }>();
  for (const o of run.outcomes) {
    const doc = (await p.store.get(o.id))!;
    const violations = truth.get(path.basename(o.origin))!;
    const labelledFlags = riskFlags.get(path.basename(o.origin))!;
    for (const flag of ['complaint_threat', 'regulator_escalation', 'negative_end_emotion', 'vulnerable_customer'] as const) {
      const r = flagRows.get(flag) ?? { tp: 0, fp: 0, fn: 0, tn: 0 };
      const raised = doc.review?.flags.includes(flag) ?? false;
      const labelled = labelledFlags.includes(flag.toUpperCase());
      if (raised && labelled) r.tp++;
      else if (raised) r.fp++;
      else if (labelled) r.fn++;
      else r.tn++;
      flagRows.set(flag, r);
    }
    for (const item of (doc.scores[0]?.items ?? []).filter((i) => LABEL[i.checkpointId])) {
      const r = rows.get(item.checkpointId) ?? { tp: 0, fp: 0, fn: 0, tn: 0 };
      const flagged = item.passed === false;
      const labelled = violations.includes(LABEL[item.checkpointId]!);
      if (flagged && labelled) r.tp++;
      else if (flagged) r.fp++;
      else if (labelled) r.fn++;
      else r.tn++;
      rows.set(item.checkpointId, r);
    }
  }
  console.log(`${run.outcomes.length} dev calls (${run.outcomes.filter((o) => o.status === 'failed').length} failed to process)`);
  console.log('| checkpoint | label | violations found / labelled | false alarms | agreement |');
  console.log('|---|---|---|---|---|');
  for (const [id, r] of rows) {
    const n = r.tp + r.fp + r.fn + r.tn;
    console.log(`| ${id} | ${LABEL[id]} | ${r.tp} / ${r.tp + r.fn} | ${r.fp} | ${r.tp + r.tn}/${n} |`);
  }
  console.log('\n| call flag | calls flagged correctly / labelled | false alarms | agreement |');
  console.log('|---|---|---|---|');
  for (const [id, r] of flagRows) console.log(`| ${id} | ${r.tp} / ${r.tp + r.fn} | ${r.fp} | ${r.tp + r.tn}/${r.tp + r.fp + r.fn + r.tn} |`);
} finally {
  await p.close();
  data.cleanup();
}
