import { ElasticsearchCallStore } from '../../indexer/elasticsearch-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { callStoreContract } from './call-store.contract.ts';
import { segmentKnnContract } from './segment-knn.contract.ts';

/**
 * The contract against a real Elasticsearch (registered only when ELASTICSEARCH_URL is set; see
 * vitest.config.ts and docs/store.md). Each run uses its own alias and drops its indices after.
 */
const url = process.env.ELASTICSEARCH_URL;
if (!url) throw new Error('ELASTICSEARCH_URL is not set: this file runs only against a real cluster');

const openCluster = async () => {
  const index = `callscope-contract-${process.pid}-${Date.now()}`;
  const store = new ElasticsearchCallStore(
    { url, username: process.env.ELASTICSEARCH_USERNAME ?? 'elastic', password: process.env.ELASTIC_PASSWORD ?? null, index },
    { index: searchTokens, query: tokenize },
  );
  await store.dropAll();
  await store.ensureIndex();
  return {
    store,
    async cleanup() {
      await store.dropAll();
      await store.close();
    },
  };
};

callStoreContract(`Elasticsearch at ${url}`, openCluster);
segmentKnnContract(`Elasticsearch at ${url}`, openCluster);
