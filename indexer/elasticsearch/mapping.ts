import { BOOLEAN_FIELDS, KEYWORD_FIELDS, NUMERIC_FIELDS } from '../query-model.ts';

/**
 * The index layout. Text arrives already cut into jieba words (space-joined), so a whitespace
 * tokenizer plus lowercase reproduces exactly the terms the embedded store indexes: no Chinese
 * analysis plugin (IK, smartcn) is needed on the cluster. Bump MAPPING_VERSION when this changes:
 * the store then builds `<alias>-v<n>` beside the old index and moves the alias when it is filled.
 */
export const MAPPING_VERSION = 2; // 2: segments.vector

export const indexName = (alias: string, version = MAPPING_VERSION) => `${alias}-v${version}`;
export const templateName = (alias: string) => `${alias}-template`;

export function indexTemplate(alias: string) {
  return {
    name: templateName(alias),
    index_patterns: [`${alias}-v*`],
    priority: 200,
    template: {
      settings: {
        // One shard keeps terms counts exact (no shard_size error) up to tens of millions of calls.
        number_of_shards: 1,
        analysis: { analyzer: { jieba_words: { type: 'custom', tokenizer: 'whitespace', filter: ['lowercase'] } } },
      },
      mappings: {
        dynamic: 'strict' as const,
        properties: {
          id: { type: 'keyword' },
          docHash: { type: 'keyword', index: false },
          textHash: { type: 'keyword', index: false },
          ...Object.fromEntries(KEYWORD_FIELDS.map((f) => [f, { type: 'keyword' }])),
          ...Object.fromEntries(NUMERIC_FIELDS.map((f) => [f, { type: 'double' }])),
          ...Object.fromEntries(BOOLEAN_FIELDS.map((f) => [f, { type: 'boolean' }])),
          recordedAt: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
          ingestedAt: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
          tags: { type: 'keyword' },
          flags: { type: 'keyword' },
          /** checkpoint.<checkpointId> = passed | failed | not_applicable */
          checkpoint: { type: 'object', dynamic: true },
          /** meta.custom: strings as keyword, numbers as double, booleans as boolean. */
          custom: { type: 'object', dynamic: true },
          segments: {
            type: 'nested',
            properties: {
              id: { type: 'keyword', index: false },
              role: { type: 'keyword' },
              tokens: { type: 'text', analyzer: 'jieba_words', norms: false },
              // The segment's embedding (CallDoc nlp.segmentEmbeddings): nested kNN, see segment-knn-dsl.ts.
              vector: { type: 'dense_vector', index: true, similarity: 'cosine', index_options: { type: 'hnsw' } },
            },
          },
          embeddingModel: { type: 'keyword' },
          // dims are taken from the first vector indexed (one embedding model per index).
          // Plain float HNSW (not the int8/bbq default): similarities equal the embedded store's to 4 decimals.
          embedding: { type: 'dense_vector', index: true, similarity: 'cosine', index_options: { type: 'hnsw' } },
          /** The CallDoc as given, returned by get/query; not indexed. */
          doc: { type: 'object', enabled: false },
        },
        dynamic_templates: [
          { checkpoint_outcomes: { path_match: 'checkpoint.*', mapping: { type: 'keyword' } } },
          { custom_strings: { path_match: 'custom.*', match_mapping_type: 'string', mapping: { type: 'keyword' } } },
          { custom_longs: { path_match: 'custom.*', match_mapping_type: 'long', mapping: { type: 'double' } } },
          { custom_doubles: { path_match: 'custom.*', match_mapping_type: 'double', mapping: { type: 'double' } } },
        ],
      },
    },
  };
}
