import path from 'node:path';
import { SqliteCallStore, type SqliteStoreOptions } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { tempDir } from '../helpers.ts';
import { segmentKnnContract } from './segment-knn.contract.ts';

const open = (options: SqliteStoreOptions) => async () => {
  const tmp = tempDir('callscope-segment-knn-');
  const store = new SqliteCallStore(path.join(tmp.dir, 'index.sqlite'), { index: searchTokens, query: tokenize }, options);
  return {
    store,
    async cleanup() {
      await store.close();
      tmp.cleanup();
    },
  };
};

segmentKnnContract('embedded, exact (below the approximate threshold)', open({ analytics: 'sqlite' }));
// Thresholds of 2 vectors: the contract's warm() trains IVF lists, later puts land in the backlog,
// and filters go through both the list probe and the call-driven exact path.
segmentKnnContract('embedded, IVF lists', open({ analytics: 'sqlite', vectors: { exactBelow: 2, listSize: 1 } }));
