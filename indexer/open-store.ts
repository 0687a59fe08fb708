import path from 'node:path';
import type { Config } from '../core/config.ts';
import { searchTokens, tokenize } from '../nlp/segmenter.ts';
import type { CallStore } from './call-store.ts';
import { SqliteCallStore } from './sqlite-store.ts';

/** The store the configuration asks for. Elasticsearch joins here when ELASTICSEARCH_URL is set. */
export function openStore(config: Config): CallStore {
  return new SqliteCallStore(path.join(config.dataDir, 'index.sqlite'), { index: searchTokens, query: tokenize });
}
