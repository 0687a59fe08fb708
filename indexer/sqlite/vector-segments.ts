import type Database from 'better-sqlite3';
import type { CallDoc } from '../../core/schemas.ts';
import { MAX_SEGMENTS } from './schema.ts';
import { VectorIndex, vectorRow, type VectorIndexOptions, type VectorRow } from './vector-index.ts';

/**
 * Segment embeddings (`nlp.segmentEmbeddings`) of the embedded store: an IVF index (vector-index.ts)
 * in the tables `segment_vectors`, `segment_vector_centroids`, `segment_vector_meta`, keyed like
 * the FTS rows (call number × 4,096 + segment index).
 */
export const segmentVectorIndex = (db: Database.Database, options?: VectorIndexOptions) => new VectorIndex(db, 'segment', 'segment vector index', options);

/** A call's segment vectors as index rows (unit length; zero vectors, which have no direction, left out). */
export function segmentVectorRows(n: number, doc: CallDoc): VectorRow[] {
  const emb = doc.nlp?.segmentEmbeddings;
  if (!emb) return [];
  const index = new Map(doc.segments.map((s, i) => [s.id, i]));
  const rows: VectorRow[] = [];
  for (const { segmentId, vector } of emb.vectors) {
    const i = index.get(segmentId);
    const row = i === undefined ? null : vectorRow(n * MAX_SEGMENTS + i, doc.segments[i]!.role, vector);
    if (row) rows.push(row);
  }
  return rows.sort((a, b) => a.key - b.key).filter((r, i, all) => i === 0 || all[i - 1]!.key !== r.key);
}
