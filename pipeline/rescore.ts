import { transcribeStage } from '../asr/transcribe-stage.ts';
import type { CallDoc } from '../core/schemas.ts';
import type { Pipeline, Progress } from './ingest.ts';
import { mapLimit } from './limit.ts';

export type RescoreSummary = {
  calls: number;
  /** Graded again (new scorecard version, or changed NLP version or metadata) and re-indexed. */
  rescored: number;
  /** Already graded by exactly these scorecard versions, and indexed. */
  unchanged: number;
  /** Calls without a stored transcript (never processed, or failed before ASR finished): `ingest` handles them. */
  skipped: number;
  failed: Array<{ id: string; code: string; message: string }>;
  durationMs: number;
};

/** Index writes go in batches: one transaction per batch is what makes re-scoring fast. */
const BATCH = 500;
/** Calls in flight: the work is small reads and writes of stored records, so overlap them. */
const IN_FLIGHT = 16;

/**
 * Re-grades every stored call with the pipeline's scorecards from its stored transcript and NLP
 * output — the same stage code and cache as ingest, never ASR: a call whose transcript is not stored
 * for the current ASR version is skipped. The new grade is stored beside the older ones (score
 * history) and the documents are re-indexed in batches.
 */
export async function rescoreAll(pipeline: Pipeline, onProgress?: Progress): Promise<RescoreSummary> {
  const started = Date.now();
  const ids: string[] = [];
  for await (const id of pipeline.records.callIds()) ids.push(id);
  const summary: RescoreSummary = { calls: ids.length, rescored: 0, unchanged: 0, skipped: 0, failed: [], durationMs: 0 };
  const batch: Array<{ doc: CallDoc; docHash: string }> = [];
  let done = 0;
  onProgress?.({ done: 0, total: ids.length, current: '' });
  for (let from = 0; from < ids.length; from += BATCH) {
    await mapLimit(ids.slice(from, from + BATCH), IN_FLIGHT, async (id) => {
      const call = await pipeline.records.getCall(id);
      if (!call || !(await pipeline.records.hasStage(id, transcribeStage.name, transcribeStage.version))) summary.skipped++;
      else {
        const r = await pipeline.stagesOf(call);
        if (!r.ok) summary.failed.push({ id, ...r.error });
        else if (!r.changed && (await pipeline.indexedHash(id)) === r.docHash) summary.unchanged++;
        else {
          batch.push({ doc: r.doc, docHash: r.docHash });
          summary.rescored++;
        }
      }
      if (++done % 100 === 0) onProgress?.({ done, total: ids.length, current: call?.origin ?? id });
    });
    if (batch.length) await pipeline.index(batch.splice(0));
  }
  onProgress?.({ done, total: ids.length, current: '' });
  summary.durationMs = Date.now() - started;
  return summary;
}
