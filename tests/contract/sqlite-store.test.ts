import path from 'node:path';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { tempDir } from '../helpers.ts';
import { callStoreContract } from './call-store.contract.ts';

callStoreContract('embedded (SQLite file in a temp dir)', async () => {
  const tmp = tempDir('callscope-contract-');
  const store = new SqliteCallStore(path.join(tmp.dir, 'index.sqlite'), { index: searchTokens, query: tokenize });
  return {
    store,
    async cleanup() {
      await store.close();
      tmp.cleanup();
    },
  };
});
