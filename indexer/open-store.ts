import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { Config } from '../core/config.ts';
import { searchTokens, tokenize } from '../nlp/segmenter.ts';
import type { CallStore } from './call-store.ts';
import { ElasticsearchCallStore } from './elasticsearch-store.ts';
import { SqliteCallStore } from './sqlite-store.ts';

const tokenizer = { index: searchTokens, query: tokenize };
/**
 * Bulk writes prepare their documents in one more thread (the machines we target have few cores);
 * stores opened inside worker threads (re-score threads) write from there and start none.
 */
const prepareThreads = isMainThread ? { count: 1, tokenizer: { module: path.resolve(import.meta.dirname, '../nlp/segmenter.ts'), export: 'searchTokens' } } : undefined;

/** The store the configuration asks for: the embedded SQLite file (default) or Elasticsearch (CALLSCOPE_STORE=elasticsearch). */
export function openStore(config: Config): CallStore {
  if (config.store.engine === 'elasticsearch') {
    const { url, username, password, index } = config.store;
    return new ElasticsearchCallStore({ url, username, password, index }, tokenizer);
  }
  return new SqliteCallStore(path.join(config.dataDir, 'index.sqlite'), tokenizer, prepareThreads ? { prepareThreads } : {});
}
