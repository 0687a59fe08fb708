import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { transcribeStage } from '../asr/transcribe-stage.ts';
import type { CallDoc } from '../core/schemas.ts';
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

/** What re-scoring one call came to; a changed call's document is indexed by the caller, in batches. */
export type RescoreResult =
  | { id: string; kind: 'skipped' | 'unchanged' | 'indexed' }
  | { id: string; kind: 'failed'; code: string; message: string }
  | { id: string; kind: 'changed'; doc: CallDoc; docHash: string };

/** Index writes go in batches: one transaction per batch is what makes re-scoring fast. */
const BATCH = 500;
/** Calls handed to a thread at a time. */
const CHUNK = 100;

export type RescoreOptions = { threads?: number; chunk?: number };

/** Re-grades one stored call with the same stage code and cache as ingest — never ASR. */
export async function rescoreOne(pipeline: Pipeline, id: string): Promise<RescoreResult> {
  const call = await pipeline.records.getCall(id);
  if (!call || !(await pipeline.records.hasStage(id, transcribeStage.name, transcribeStage.version))) return { id, kind: 'skipped' };
  const r = await pipeline.stagesOf(call);
  if (!r.ok) return { id, kind: 'failed', ...r.error };
  if (!r.changed && (await pipeline.indexedHash(id)) === r.docHash) return { id, kind: 'unchanged' };
  return { id, kind: 'changed', doc: r.doc, docHash: r.docHash };
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
  const ids: string[] = [];
  for await (const id of pipeline.records.callIds()) ids.push(id);
  const summary: RescoreSummary = { calls: ids.length, rescored: 0, unchanged: 0, skipped: 0, failed: [], durationMs: 0, threads };
  const batch: Array<{ doc: CallDoc; docHash: string }> = [];
  let done = 0;
  let indexing = Promise.resolve();
  const take = (results: RescoreResult[]) => {
    for (const r of results) {
      if (r.kind === 'changed') {
        batch.push({ doc: r.doc, docHash: r.docHash });
        summary.rescored++;
      } else if (r.kind === 'indexed') summary.rescored++;
      else if (r.kind === 'failed') summary.failed.push({ id: r.id, code: r.code, message: r.message });
      else summary[r.kind]++;
    }
    done += results.length;
    onProgress?.({ done, total: ids.length, current: results.at(-1)?.id ?? '' });
    if (batch.length >= BATCH) {
      const docs = batch.splice(0);
      indexing = indexing.then(() => pipeline.index(docs));
    }
  };
  onProgress?.({ done: 0, total: ids.length, current: '' });
  const chunks = Array.from({ length: Math.ceil(ids.length / chunkSize) }, (_, i) => ids.slice(i * chunkSize, (i + 1) * chunkSize));
  if (threads <= 1 || chunks.length <= 1) {
    for (const chunk of chunks) {
      const results: RescoreResult[] = [];
      for (const id of chunk) results.push(await rescoreOne(pipeline, id));
      take(results);
      await indexing;
    }
  } else {
    const pool = startThreads(pipeline, threads);
    try {
      await Promise.all(
        Array.from({ length: threads }, async () => {
          for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
            take(await pool.run(chunk));
            await indexing;
          }
        }),
      );
    } finally {
      await pool.close();
    }
  }
  if (batch.length) await (indexing = indexing.then(() => pipeline.index(batch.splice(0))));
  await indexing;
  summary.durationMs = Date.now() - started;
  return summary;
}
