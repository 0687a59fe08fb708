import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CallScopeError, messageOf } from '../../core/errors.ts';
import type { ClusterItem, ClusterModel, ClusterOptions, FitResult } from './clusterer.ts';

export type FitRequest = {
  items: ClusterItem[];
  options: ClusterOptions;
  /** A re-fit that keeps the ids of this clustering where the content is the same. */
  previous?: { model: ClusterModel; assignments: ReadonlyMap<string, string> };
};
export type FitReply = { progress: { done: number; total: number } } | { result: FitResult & { stability: number | null } } | { error: string };

/**
 * `fitClusters` (or `reclusterStable` with `previous`) in a worker thread: a fit takes seconds to
 * minutes of CPU, and a server must keep answering meanwhile.
 */
export function fitInThread(request: FitRequest, onProgress?: (done: number, total: number) => void): Promise<FitResult & { stability: number | null }> {
  const items = request.items.map(({ id, text }) => ({ id, text })); // only what the fit reads crosses the thread boundary
  const worker = new Worker(path.join(import.meta.dirname, 'fit-thread.mjs'), { workerData: { ...request, items } });
  return new Promise((resolve, reject) => {
    const fail = (message: string) => reject(new CallScopeError('CLUSTER_FAILED', `clustering failed: ${message}`));
    worker.on('message', (m: FitReply) => {
      if ('progress' in m) onProgress?.(m.progress.done, m.progress.total);
      else if ('result' in m) resolve(m.result);
      else fail(m.error);
    });
    worker.once('error', (err) => fail(messageOf(err)));
    worker.once('exit', (code) => fail(`the fitting thread stopped (exit code ${code})`)); // no-op once settled
  }).finally(() => void worker.terminate()) as Promise<FitResult & { stability: number | null }>;
}
