import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../core/config.ts';
import { CallScopeError } from '../core/errors.ts';
import type { CallDoc } from '../core/schemas.ts';
import { openStore } from '../indexer/open-store.ts';
import { backtest, type CheckpointBacktest, type LabelledCall } from '../scoring-models/backtest.ts';
import { parseScorecard } from '../scoring-models/scorecard.ts';
import { scoringInputOf } from '../scoring-models/score-stage.ts';

/** A human label line: which call (any one of these keys) and the violations found in it. */
const LabelLine = z
  .object({
    id: z.string().optional(),
    callId: z.string().optional(),
    audioFile: z.string().optional(),
    file: z.string().optional(),
    violations: z.array(z.string()).optional(),
    truth: z.object({ violations: z.array(z.string()) }).optional(),
  })
  .refine((l) => l.id ?? l.callId ?? l.audioFile ?? l.file, { message: 'needs "id", "callId", "audioFile" or "file"' })
  .refine((l) => l.violations ?? l.truth, { message: 'needs "violations" (an array of violation codes, empty for none)' });

export async function readLabels(file: string, docs: CallDoc[]): Promise<{ calls: LabelledCall[]; problems: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CallScopeError('FILE_NOT_FOUND', `${file}: labels file not found`);
  }
  const byKey = new Map<string, CallDoc>();
  for (const d of docs) {
    if (d.status !== 'ok') continue;
    byKey.set(d.id, d);
    if (d.meta.callId) byKey.set(d.meta.callId, d);
    byKey.set(path.basename(d.source.file), d);
  }
  const calls: LabelledCall[] = [];
  const problems: string[] = [];
  const name = path.basename(file);
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let parsed;
    try {
      parsed = LabelLine.safeParse(JSON.parse(line));
    } catch {
      problems.push(`${name}:${i + 1}: not valid JSON`);
      return;
    }
    if (!parsed.success) {
      problems.push(`${name}:${i + 1}: ${parsed.error.issues[0]?.message}`);
      return;
    }
    const l = parsed.data;
    const key = l.id ?? l.callId ?? path.basename(l.audioFile ?? l.file ?? '');
    const doc = byKey.get(key) ?? byKey.get(path.basename(l.audioFile ?? l.file ?? ''));
    if (!doc) {
      problems.push(`${name}:${i + 1}: no ingested call matches ${key}`);
      return;
    }
    calls.push({
      id: doc.id,
      name: doc.meta.callId ?? path.basename(doc.source.file),
      violations: l.violations ?? l.truth!.violations,
      input: scoringInputOf(doc),
    });
  });
  return { calls, problems };
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
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CallScopeError('FILE_NOT_FOUND', `${file}: scorecard not found`);
  }
  const card = parseScorecard(text, file);
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
