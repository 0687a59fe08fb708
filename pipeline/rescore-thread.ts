import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../core/config.ts';
import { createLogger } from '../core/log.ts';
import { openStore } from '../indexer/open-store.ts';
import type { Scorecard } from '../scoring-models/scorecard.ts';
import { Pipeline } from './ingest.ts';
import { rescoreChunk } from './rescore.ts';
import { embedderFor } from '../nlp/embeddings/segment-vectors.ts';
import { wordBoundaries } from '../nlp/segmenter.ts';
import { usesSemantic } from '../scoring-models/score-stage.ts';

const { config, scorecards } = workerData as { config: Config; scorecards: Scorecard[] };
const pipeline = new Pipeline({ config, store: openStore(config), scorecards, log: createLogger(config, 'pipeline') });
// Load the segmenter's dictionaries (sound-alike word boundaries) and the embedder now, while the main
// thread lists the calls, not with the first chunk.
wordBoundaries('您好');
if (scorecards.some(usesSemantic)) void embedderFor(config.modelsDir).catch(() => undefined);

parentPort!.on('message', async (ids: string[] | 'close') => {
  if (ids === 'close') {
    // Outputs waiting to be written go to disk before the thread ends.
    pipeline.records.close();
    parentPort!.postMessage({ closed: true });
    return;
  }
  try {
    // This thread indexes what it graded (one transaction per chunk): documents never cross threads.
    parentPort!.postMessage({ results: await rescoreChunk(pipeline, ids) });
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
  }
});
