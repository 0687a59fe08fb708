import { runInThread, type ThreadReply } from '../../core/in-thread.ts';
import type { ClusterItem, ClusterModel, ClusterOptions, FitResult } from './clusterer.ts';

export type FitRequest = {
  items: ClusterItem[];
  options: ClusterOptions;
  /** A re-fit that keeps the ids of this clustering where the content is the same. */
  previous?: { model: ClusterModel; assignments: ReadonlyMap<string, string> };
};
export type FitReply = ThreadReply<{ done: number; total: number }, FitResult & { stability: number | null }>;

/**
 * `fitClusters` (or `reclusterStable` with `previous`) in a worker thread: a fit takes seconds to
 * minutes of CPU, and a server must keep answering meanwhile.
 */
export function fitInThread(request: FitRequest, onProgress?: (done: number, total: number) => void): Promise<FitResult & { stability: number | null }> {
  const items = request.items.map(({ id, text }) => ({ id, text })); // only what the fit reads crosses the thread boundary
  return runInThread(new URL('./fit-thread.ts', import.meta.url), { ...request, items }, { code: 'CLUSTER_FAILED', what: 'clustering' }, (p: { done: number; total: number }) =>
    onProgress?.(p.done, p.total),
  );
}
