import path from 'node:path';
import { SqliteCallStore, type SqliteStoreOptions } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { tempDir } from '../helpers.ts';
import { callStoreContract } from './call-store.contract.ts';

const open = (options: SqliteStoreOptions) => async () => {
  const tmp = tempDir('callscope-contract-');
  const store = new SqliteCallStore(path.join(tmp.dir, 'index.sqlite'), { index: searchTokens, query: tokenize }, options);
  return {
    store,
    async cleanup() {
      await store.close();
      tmp.cleanup();
    },
  };
};

callStoreContract('embedded (SQLite file, aggregations on the in-memory DuckDB mirror)', open({}));
callStoreContract('embedded (SQLite file, DuckDB mirror re-sorted after every change)', open({ mirrorResortAfter: 0 }));
callStoreContract('embedded (SQLite file, aggregations in SQLite)', open({ analytics: 'sqlite' }));
// Thresholds of 2 vectors: call kNN goes through the IVF lists (trained by warm() or in the background by a query).
callStoreContract('embedded (SQLite file, call vectors in IVF lists)', open({ analytics: 'sqlite', vectors: { exactBelow: 2, listSize: 1 } }));
