import path from 'node:path';
import type { Config } from '../core/config.ts';
import { searchTokens, tokenize } from '../nlp/segmenter.ts';
import type { CallStore } from './call-store.ts';
import { ElasticsearchCallStore } from './elasticsearch-store.ts';
import { SqliteCallStore } from './sqlite-store.ts';

const tokenizer = { index: searchTokens, query: tokenize };

/** The store the configuration asks for: the embedded SQLite file (default) or Elasticsearch (CALLSCOPE_STORE=elasticsearch). */
export function openStore(config: Config): CallStore {
  if (config.store.engine === 'elasticsearch') {
    const { url, username, password, index } = config.store;
    return new ElasticsearchCallStore({ url, username, password, index }, tokenizer);
  }
  return new SqliteCallStore(path.join(config.dataDir, 'index.sqlite'), tokenizer);
}
