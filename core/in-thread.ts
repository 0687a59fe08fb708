import { Worker, type TransferListItem } from 'node:worker_threads';
import { CallScopeError, messageOf, type ErrorCode } from './errors.ts';

const ENTRY = new URL('./ts-thread.mjs', import.meta.url);

/**
 * A worker thread running a TypeScript module (a URL, e.g. `new URL('./x-thread.ts', import.meta.url)`);
 * the module reads `workerData` (which also carries `module`).
 */
export function tsWorker(module: URL, data: Record<string, unknown>, transferList: TransferListItem[] = []): Worker {
  return new Worker(ENTRY, { workerData: { ...data, module: module.href }, transferList });
}

/** What a one-job thread posts: progress notes, then one result or one error message. */
export type ThreadReply<P, R> = { progress: P } | { result: R } | { error: string };

/**
 * Runs a one-job thread to its end: resolves with the result it posts, rejects with
 * `CallScopeError(code, "<what> failed: <reason>")` when it posts an error, throws or exits first.
 */
export function runInThread<R, P = never>(module: URL, data: Record<string, unknown>, failure: { code: ErrorCode; what: string }, onProgress?: (p: P) => void): Promise<R> {
  const worker = tsWorker(module, data);
  return new Promise<R>((resolve, reject) => {
    const fail = (message: string) => reject(new CallScopeError(failure.code, `${failure.what} failed: ${message}`));
    worker.on('message', (m: ThreadReply<P, R>) => {
      if ('progress' in m) onProgress?.(m.progress);
      else if ('result' in m) resolve(m.result);
      else fail(m.error);
    });
    worker.once('error', (err) => fail(messageOf(err)));
    worker.once('exit', (code) => fail(`the thread stopped (exit code ${code})`)); // no-op once settled
  }).finally(() => void worker.terminate());
}
