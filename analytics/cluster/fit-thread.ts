import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../../core/errors.ts';
import { fitClusters, reclusterStable } from './clusterer.ts';
import type { FitReply, FitRequest } from './fit-in-thread.ts';

const request = workerData as FitRequest;
const post = (reply: FitReply) => parentPort!.postMessage(reply);
const onProgress = (_stage: string, done: number, total: number) => post({ progress: { done, total } });
try {
  const { previous, items, options } = request;
  const result = previous ? reclusterStable(previous, items, options, onProgress) : { ...fitClusters(items, options, onProgress), stability: null };
  post({ result });
} catch (err) {
  post({ error: messageOf(err) });
}
