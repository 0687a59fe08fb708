import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { transcribeStage } from '../asr/transcribe-stage.ts';
import type { CallDoc } from '../core/schemas.ts';
import type { Grade } from '../indexer/call-store.ts';
import type { Pipeline, Progress } from './ingest.ts';

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
  threads: number;
};

/** What re-scoring one call came to; a changed call's grades (or document) are indexed by `rescoreChunk`, in one batch. */
export type RescoreResult =
  | { id: string; kind: 'skipped' | 'unchanged' | 'indexed' }
  | { id: string; kind: 'failed'; code: string; message: string }
  | { id: string; kind: 'graded'; grade: Grade }
  | { id: string; kind: 'changed'; doc: CallDoc; docHash: string };

/** Calls handed to a thread at a time, graded and indexed in one transaction. */
const CHUNK = 250;

export type RescoreOptions = { threads?: number; chunk?: number };

/**
 * Re-grades one stored call — never ASR. Normally from the kept grade input alone (new grades beside
 * the indexed document); `whole` (or when that input is missing or stale) runs the same stage code
 * and cache as ingest and rebuilds the document.
 */
export async function rescoreOne(pipeline: Pipeline, id: string, opts: { whole?: boolean } = {}): Promise<RescoreResult> {
  const call = await pipeline.records.getCall(id);
  if (!call) return { id, kind: 'skipped' };
  if (!opts.whole) {
    const g = await pipeline.regrade(call);
    if (g && !g.ok) return { id, kind: 'failed', ...g.error };
    if (g) return !g.changed && (await pipeline.indexedHash(id)) === g.grade.docHash ? { id, kind: 'unchanged' } : { id, kind: 'graded', grade: g.grade };
  }
  if (!(await pipeline.records.hasStage(id, transcribeStage.name, transcribeStage.version))) return { id, kind: 'skipped' };
  const r = await pipeline.stagesOf(call);
  if (!r.ok) return { id, kind: 'failed', ...r.error };
  if (!r.changed && (await pipeline.indexedHash(id)) === r.docHash) return { id, kind: 'unchanged' };
  return { id, kind: 'changed', doc: r.doc, docHash: r.docHash };
}

/**
 * Re-grades a chunk of calls and indexes what changed in one batch: grades beside the documents, and
 * whole documents where the index holds one built from other inputs (or none).
 */
export async function rescoreChunk(pipeline: Pipeline, ids: string[]): Promise<RescoreResult[]> {
  const results: RescoreResult[] = [];
  for (const id of ids) results.push(await rescoreOne(pipeline, id));
  const grades = results.flatMap((r) => (r.kind === 'graded' ? [r.grade] : []));
  const notApplied = new Set(await pipeline.indexGrades(grades));
  for (const [i, r] of results.entries()) if (notApplied.has(r.id)) results[i] = await rescoreOne(pipeline, r.id, { whole: true });
  const docs = results.flatMap((r) => (r.kind === 'changed' ? [{ doc: r.doc, docHash: r.docHash }] : []));
  if (docs.length) await pipeline.index(docs);
  return results.map((r) => (r.kind === 'changed' || r.kind === 'graded' ? { id: r.id, kind: 'indexed' } : r));
}

/** Worker threads, each with its own pipeline over the same data folder, re-scoring chunks of calls. */
function startThreads(pipeline: Pipeline, n: number): { run(ids: string[]): Promise<RescoreResult[]>; close(): Promise<void> } {
  const workers = Array.from(
    { length: n },
    () =>
      new Worker(path.join(import.meta.dirname, 'rescore-thread.mjs'), {
        workerData: { config: pipeline.config, scorecards: pipeline.scorecards },
        // Grading allocates many short-lived objects: a larger young generation means far fewer collections.
        resourceLimits: { maxYoungGenerationSizeMb: 64 },
      }),
  );
  const idle = [...workers];
  const waiting: Array<(w: Worker) => void> = [];
  const release = (w: Worker) => (waiting.length ? waiting.shift()!(w) : idle.push(w));
  return {
    async run(ids) {
      const w = idle.pop() ?? (await new Promise<Worker>((r) => waiting.push(r)));
      try {
        return await new Promise<RescoreResult[]>((resolve, reject) => {
          w.once('message', (m: { results?: RescoreResult[]; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m.results!)));
          w.once('error', reject);
          w.postMessage(ids);
        });
      } finally {
        w.removeAllListeners('message');
        w.removeAllListeners('error');
        release(w);
      }
    },
    async close() {
      await Promise.all(
        workers.map(async (w) => {
          await new Promise<void>((resolve) => {
            w.once('message', () => resolve());
            w.once('error', () => resolve());
            w.postMessage('close');
          });
          await w.terminate();
        }),
      );
    },
  };
}

/**
 * Re-grades every stored call with the pipeline's scorecards from its stored transcript and NLP
 * output — the same stage code and cache as ingest, never ASR: a call whose transcript is not
 * stored for the current ASR version is skipped. The new grade is stored beside the older ones
 * (score history) and documents are re-indexed in batches — by `threads` worker threads that each
 * grade and index their share (default: CALLSCOPE_CONCURRENCY), or in this thread.
 */
export async function rescoreAll(pipeline: Pipeline, onProgress?: Progress, opts: RescoreOptions = {}): Promise<RescoreSummary> {
  const threads = opts.threads ?? pipeline.config.concurrency;
  const chunkSize = opts.chunk ?? CHUNK;
  const started = Date.now();
  // Threads start (load code, scorecards, embedder) while this one lists the stored calls.
  const pool = threads > 1 ? startThreads(pipeline, threads) : null;
  const ids: string[] = [];
  for await (const id of pipeline.records.callIds()) ids.push(id);
  const summary: RescoreSummary = { calls: ids.length, rescored: 0, unchanged: 0, skipped: 0, failed: [], durationMs: 0, threads };
  let done = 0;
  const take = (results: RescoreResult[]) => {
    for (const r of results) {
      if (r.kind === 'indexed') summary.rescored++;
      else if (r.kind === 'failed') summary.failed.push({ id: r.id, code: r.code, message: r.message });
      else if (r.kind === 'skipped' || r.kind === 'unchanged') summary[r.kind]++;
    }
    done += results.length;
    onProgress?.({ done, total: ids.length, current: results.at(-1)?.id ?? '' });
  };
  onProgress?.({ done: 0, total: ids.length, current: '' });
  const chunks = Array.from({ length: Math.ceil(ids.length / chunkSize) }, (_, i) => ids.slice(i * chunkSize, (i + 1) * chunkSize));
  try {
    if (!pool) for (const chunk of chunks) take(await rescoreChunk(pipeline, chunk));
    else {
      await Promise.all(
        Array.from({ length: threads }, async () => {
          for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) take(await pool.run(chunk));
        }),
      );
    }
  } finally {
    await pool?.close();
  }
  summary.durationMs = Date.now() - started;
  return summary;
}
