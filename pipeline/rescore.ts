import type { Config } from '../core/config.ts';
import type { CallDoc } from '../core/schemas.ts';
import { stableStringify } from '../core/stable-json.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { createScoreStage, scoreWithCards, scoringInputOf } from '../scoring-models/score-stage.ts';
import type { Scorecard } from '../scoring-models/scorecard.ts';
import { docFingerprint } from './call-doc.ts';
import type { Progress } from './ingest.ts';
import { type RecordStore, sha256 } from './record-store.ts';

export type RescoreSummary = {
  calls: number;
  /** Graded by the current scorecards for the first time, and re-indexed. */
  rescored: number;
  /** Already graded by exactly these scorecard versions. */
  unchanged: number;
  /** Calls that failed before grading (no transcript / NLP output): `ingest` retries them. */
  skipped: number;
  failed: Array<{ id: string; code: string; message: string }>;
  durationMs: number;
};

export type RescoreDeps = { config: Config; store: CallStore; records: RecordStore; scorecards: Scorecard[] };

/** Index writes go in batches: one transaction per batch is what makes re-scoring fast. */
const BATCH = 500;

/**
 * Re-grades every stored call with the current scorecards from what the call already has — its
 * transcript and NLP output, kept in its indexed document — never ASR or NLP. The new grade is stored
 * beside the older ones in the record store (score history, and the pipeline's cache) and indexed.
 */
export async function rescoreAll(deps: RescoreDeps, onProgress?: Progress): Promise<RescoreSummary> {
  const started = Date.now();
  const stage = createScoreStage(deps.scorecards);
  const ids: string[] = [];
  for await (const id of deps.records.callIds()) ids.push(id);
  const summary: RescoreSummary = { calls: ids.length, rescored: 0, unchanged: 0, skipped: 0, failed: [], durationMs: 0 };
  const batch: Array<{ doc: CallDoc; docHash: string }> = [];
  // Record writes run in the thread pool while the next calls are graded; each batch waits for its own.
  const writes: Array<Promise<void>> = [];
  const flush = async () => {
    await Promise.all(writes.splice(0));
    if (batch.length) await deps.store.putMany(batch.splice(0));
  };
  onProgress?.({ done: 0, total: ids.length, current: '' });
  for (const [i, id] of ids.entries()) {
    const doc = await deps.store.get(id);
    if (!doc || doc.status !== 'ok') summary.skipped++;
    else if (doc.versions.score === stage.version) summary.unchanged++;
    else {
      try {
        const input = scoringInputOf(doc);
        const t0 = Date.now();
        const scores = await scoreWithCards(deps.scorecards, input, deps.config.modelsDir);
        writes.push(deps.records.putStage(id, {
          stage: stage.name,
          version: stage.version,
          inputHash: sha256(stableStringify(input)),
          at: new Date().toISOString(),
          durationMs: Date.now() - t0,
          warnings: [],
          output: scores,
        }));
        const next: CallDoc = { ...doc, scores, versions: { ...doc.versions, [stage.name]: stage.version } };
        batch.push({ doc: next, docHash: docFingerprint(next) });
        summary.rescored++;
      } catch (err) {
        summary.failed.push({ id, code: 'INTERNAL', message: (err as Error).message });
      }
      if (batch.length >= BATCH) await flush();
    }
    if (i % 100 === 99 || i === ids.length - 1) onProgress?.({ done: i + 1, total: ids.length, current: id });
  }
  await flush();
  summary.durationMs = Date.now() - started;
  return summary;
}
