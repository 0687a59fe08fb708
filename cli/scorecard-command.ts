import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../core/config.ts';
import { CallScopeError } from '../core/errors.ts';
import type { CallDoc } from '../core/schemas.ts';
import { openStore } from '../indexer/open-store.ts';
import { backtest, type CheckpointBacktest, type LabelledCall } from '../scoring-models/backtest.ts';
import { type LabelInput, matchLabels } from '../scoring-models/labels.ts';
import { readScorecardFile } from '../scoring-models/scorecard.ts';

export async function readLabels(file: string, docs: CallDoc[]): Promise<{ calls: LabelledCall[]; problems: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CallScopeError('FILE_NOT_FOUND', `${file}: labels file not found`);
  }
  const lines: LabelInput[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      lines.push({ where: `${path.basename(file)}:${i + 1}`, value: JSON.parse(line) });
    } catch {
      problems.push(`${path.basename(file)}:${i + 1}: not valid JSON`);
    }
  });
  const matched = matchLabels(lines, docs);
  return { calls: matched.calls, problems: [...problems, ...matched.problems] };
}

const pct = (x: number | null) => (x === null ? '—' : x.toFixed(2));

export function formatBacktest(rows: CheckpointBacktest[], n: number): string {
  const out = [
    `${n} labelled calls`,
    '| checkpoint | label | TP | FP | FN | TN | precision | recall | F1 | κ |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.checkpointId} | ${r.label} | ${r.tp} | ${r.fp} | ${r.fn} | ${r.tn} | ${pct(r.precision)} | ${pct(r.recall)} | ${pct(r.f1)} | ${pct(r.kappa)} |`),
  ];
  const dis = rows.flatMap((r) => r.disagreements.map((d) => `  ${r.checkpointId}: ${d.name} (${d.id}) machine ${d.machine}, label ${d.label}`));
  out.push(dis.length ? `\ndisagreements:\n${dis.join('\n')}` : '\nno disagreements');
  return out.join('\n');
}

/** `callscope scorecard test`: a draft against the human labels of calls already ingested, without publishing it. */
export async function runScorecardTest(config: Config, file: string, labelsFile: string, json: boolean): Promise<number> {
  const card = readScorecardFile(file);
  if (!card.checkpoints.some((c) => c.label)) {
    throw new CallScopeError('SCORECARD_INVALID', `${file}: no checkpoint names the violation label it detects (label: …), so there is nothing to compare`);
  }
  const store = openStore(config);
  try {
    const docs: CallDoc[] = [];
    for await (const d of store.all()) docs.push(d);
    const { calls, problems } = await readLabels(labelsFile, docs);
    for (const p of problems) console.error(`warning: ${p}`);
    if (calls.length === 0) throw new CallScopeError('BAD_REQUEST', 'no labelled call matches an ingested call: ingest the calls first');
    const rows = await backtest(card, calls, config.modelsDir);
    console.log(json ? JSON.stringify({ scorecard: `${card.id}@${card.version}`, calls: calls.length, checkpoints: rows }) : formatBacktest(rows, calls.length));
    return problems.length ? 2 : 0;
  } finally {
    await store.close();
  }
}
