import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../core/config.ts';
import { createLogger } from '../core/log.ts';
import { openStore } from '../indexer/open-store.ts';
import type { Scorecard } from '../scoring-models/scorecard.ts';
import { Pipeline } from './ingest.ts';
import { rescoreOne, type RescoreResult } from './rescore.ts';

const { config, scorecards } = workerData as { config: Config; scorecards: Scorecard[] };
const pipeline = new Pipeline({ config, store: openStore(config), scorecards, log: createLogger(config, 'pipeline') });

parentPort!.on('message', async (ids: string[] | 'close') => {
  if (ids === 'close') {
    // Outputs waiting to be written go to disk before the thread ends.
    pipeline.records.close();
    parentPort!.postMessage({ closed: true });
    return;
  }
  try {
    // This thread indexes what it graded (one transaction per chunk): documents never cross threads.
    const results: RescoreResult[] = [];
    for (const id of ids) results.push(await rescoreOne(pipeline, id));
    const changed = results.flatMap((r) => (r.kind === 'changed' ? [{ doc: r.doc, docHash: r.docHash }] : []));
    if (changed.length) await pipeline.index(changed);
    parentPort!.postMessage({ results: results.map((r) => (r.kind === 'changed' ? { id: r.id, kind: 'indexed' } : r)) });
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
  }
});
