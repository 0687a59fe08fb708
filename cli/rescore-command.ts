import path from 'node:path';
import type { Config } from '../core/config.ts';
import { CallScopeError } from '../core/errors.ts';
import type { CallDoc, CheckpointResult } from '../core/schemas.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { openStore } from '../indexer/open-store.ts';
import { Pipeline } from '../pipeline/ingest.ts';
import { createLogger } from '../core/log.ts';
import { RecordStore } from '../pipeline/record-store.ts';
import { rescoreAll } from '../pipeline/rescore.ts';
import { scoreHistory, type VersionDiff, versionDiff } from '../pipeline/score-history.ts';
import { openAuditLog } from '../api/audit/audit-log.ts';
import { cliActor } from '../api/audit/cli-actor.ts';
import { installScorecard, loadPublishedScorecards } from '../scoring-models/published.ts';
import { readScorecardFile } from '../scoring-models/scorecard.ts';
import { scoreWithCards, scoringInputOf } from '../scoring-models/score-stage.ts';
import { progressReporter } from './progress.ts';

const warn = (m: string) => console.error(`warning: ${m}`);

/** `callscope rescore [--scorecard FILE]`: exit 0, or 2 when some calls failed to re-score. */
export async function runRescore(config: Config, opts: { scorecard?: string; json?: boolean }): Promise<number> {
  // Installing validates first: a bad file stops here and the published folder is untouched.
  const installed = opts.scorecard ? installScorecard(opts.scorecard, config.scorecardsDir, config.dataDir) : null;
  if (installed) {
    const audit = openAuditLog(config.dataDir);
    audit.append({ actor: cliActor(), action: 'scorecard.publish', target: `${installed.card.id}@${installed.card.version}`, details: { digest: installed.card.digest, replaced: installed.replaced?.version ?? null, file: path.resolve(opts.scorecard!) } });
    audit.close();
    const from = installed.replaced ? `${installed.replaced.version} → ` : '';
    console.error(`published ${installed.card.id} ${from}${installed.card.version} (${installed.target})`);
  }
  const scorecards = loadPublishedScorecards(config.scorecardsDir, config.dataDir, warn);
  const store = openStore(config);
  const pipeline = new Pipeline({ config, store, scorecards, log: createLogger(config, 'pipeline') });
  const records = pipeline.records;
  const progress = progressReporter();
  try {
    const summary = await rescoreAll(pipeline, (p) => progress.update(p));
    progress.finish();
    const previous = installed?.replaced;
    const diff = previous && previous.version !== installed.card.version ? await versionDiff(records, installed.card.id, previous.version, installed.card.version) : null;
    for (const f of summary.failed) console.error(`error: ${f.id}: ${f.code}: ${f.message}`);
    if (opts.json) console.log(JSON.stringify({ ...summary, diff }));
    else {
      const secs = summary.durationMs / 1000;
      const rate = secs > 0 ? Math.round((summary.rescored + summary.unchanged) / secs) : 0;
      console.log(
        `${summary.calls} calls in ${secs.toFixed(1)} s (${rate} calls/s): ${summary.rescored} re-graded, ${summary.unchanged} unchanged, ` +
          `${summary.skipped} skipped (no stored transcript: run ingest), ${summary.failed.length} failed`,
      );
      console.log(`scorecards: ${scorecards.map((c) => `${c.id}@${c.version}`).join(', ')}`);
      if (diff) console.log(formatDiff(diff));
    }
    return summary.failed.length ? 2 : 0;
  } finally {
    await store.close();
  }
}

export function formatDiff(d: VersionDiff): string {
  const lines = [
    `${d.scorecardId} ${d.from} → ${d.to}: ${d.compared} calls graded by both` +
      (d.onlyFrom || d.onlyTo ? ` (${d.onlyFrom} only by ${d.from}, ${d.onlyTo} only by ${d.to})` : ''),
    `  verdict changed on ${d.verdictChanged.count} calls${d.verdictChanged.count ? `: ${d.verdictChanged.callIds.slice(0, 10).map((id) => id.slice(0, 12)).join(', ')}${d.verdictChanged.count > 10 ? ', …' : ''}` : ''}`,
    `  mean total change: ${d.meanTotalChange ?? '—'}`,
  ];
  const changed = d.checkpoints.filter((c) => c.changed > 0);
  if (changed.length === 0) lines.push('  no checkpoint changed outcome');
  for (const c of changed) {
    const t = Object.entries(c.transitions).map(([k, n]) => `${k} ${n}`).join(', ');
    lines.push(`  ${c.checkpointId}: ${c.changed} calls (${t}): ${c.callIds.slice(0, 5).map((id) => id.slice(0, 12)).join(', ')}${c.callIds.length > 5 ? ', …' : ''}`);
  }
  return lines.join('\n');
}

/** A call by id, id prefix (≥ 4 characters), the bank's call id, or the recording's file name. */
export async function findCall(store: CallStore, key: string): Promise<CallDoc> {
  const exact = await store.get(key);
  if (exact) return exact;
  const found: CallDoc[] = [];
  for await (const d of store.all()) {
    if ((key.length >= 4 && d.id.startsWith(key)) || d.meta.callId === key || d.source.file === key || path.basename(d.source.file) === key) found.push(d);
  }
  if (found.length === 0) throw new CallScopeError('NOT_FOUND', `no ingested call matches "${key}" (an id, id prefix, call id or file name)`);
  if (found.length > 1) throw new CallScopeError('BAD_REQUEST', `"${key}" matches ${found.length} calls: give more of the id`);
  return found[0]!;
}

const MARK = { true: '✓', false: '✗', null: '–' } as const;

function formatItem(i: CheckpointResult, doc: CallDoc): string {
  const lines = [`${MARK[String(i.passed) as 'true' | 'false' | 'null']} ${i.checkpointId} ${i.name}  ${i.points}/${i.maxPoints}${i.veto ? '  一票否决' : ''}`, `    ${i.reason}`];
  for (const e of i.evidence.slice(0, 8)) {
    const role = doc.segments.find((s) => s.id === e.segmentId)?.role ?? '';
    lines.push(`    ${e.kind === 'match' ? '»' : ' '} ${e.start.toFixed(1).padStart(6)}s ${e.segmentId.padEnd(4)} ${role.padEnd(8)} ${e.quote}`);
  }
  if (i.evidence.length > 8) lines.push(`    … ${i.evidence.length - 8} more`);
  return lines.join('\n');
}

/** `callscope scorecard explain FILE --call ID`: every checkpoint's decision on one call, with its evidence. */
export async function runExplain(config: Config, file: string, key: string, json: boolean): Promise<number> {
  const card = readScorecardFile(file);
  const store = openStore(config);
  try {
    const doc = await findCall(store, key);
    if (doc.status !== 'ok') throw new CallScopeError('BAD_REQUEST', `call ${doc.id.slice(0, 12)} failed at ${doc.error?.stage}: ${doc.error?.message} — nothing to grade`);
    const [score] = await scoreWithCards([card], scoringInputOf(doc), config.modelsDir);
    if (json) {
      console.log(JSON.stringify({ callId: doc.id, scorecard: `${card.id}@${card.version}`, inScope: Boolean(score), score: score ?? null }));
      return 0;
    }
    const name = doc.meta.callId ?? path.basename(doc.source.file);
    if (!score) {
      console.log(`${name} (${doc.id.slice(0, 12)}) is outside the scope of ${card.id} (${JSON.stringify(card.scope)}): not graded`);
      return 0;
    }
    console.log(`${name} (${doc.id.slice(0, 12)}) — ${card.name} ${card.id}@${card.version}: ${score.total}/${score.maxTotal} ${score.passed ? '合格' : '不合格'}${score.vetoed ? '（一票否决）' : ''}`);
    for (const i of score.items) console.log(formatItem(i, doc));
    return 0;
  } finally {
    await store.close();
  }
}

/** `callscope scorecard history CALL`: every scorecard version that graded the call. */
export async function runHistory(config: Config, key: string, json: boolean): Promise<number> {
  const store = openStore(config);
  try {
    const doc = await findCall(store, key);
    const history = await scoreHistory(new RecordStore(config.dataDir), doc.id);
    if (json) console.log(JSON.stringify({ callId: doc.id, history }));
    else {
      if (history.length === 0) console.log(`${doc.id.slice(0, 12)}: never graded`);
      for (const h of history) {
        const failed = h.items.filter((i) => i.passed === false).map((i) => i.checkpointId);
        console.log(`${h.at}  ${h.scorecardId}@${h.version}${h.digest ? `~${h.digest}` : ''}  ${h.total} ${h.passed ? 'pass' : 'fail'}${h.vetoed ? ' (veto)' : ''}  failed: ${failed.join(', ') || 'none'}`);
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** `callscope scorecard diff ID --from V --to V`. */
export async function runDiff(config: Config, id: string, from: string, to: string, json: boolean): Promise<number> {
  const diff = await versionDiff(new RecordStore(config.dataDir), id, from, to);
  if (diff.compared === 0) {
    throw new CallScopeError('NOT_FOUND', `no stored call was graded by both ${id}@${from} and ${id}@${to} (graded only by ${from}: ${diff.onlyFrom}, only by ${to}: ${diff.onlyTo})`);
  }
  console.log(json ? JSON.stringify(diff) : formatDiff(diff));
  return 0;
}
