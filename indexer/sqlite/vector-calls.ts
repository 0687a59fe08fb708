import type Database from 'better-sqlite3';
import type { CallDoc } from '../../core/schemas.ts';
import { MAX_SEGMENTS } from './schema.ts';
import { floatsOf } from './vector-ivf.ts';
import { VectorIndex, vectorRow, type VectorIndexOptions, type VectorRow } from './vector-index.ts';

/**
 * Call embeddings (`nlp.embedding`, "calls like this one") of the embedded store: the same IVF
 * index as segment vectors (vector-index.ts), in `call_ivf_vectors`, `call_ivf_vector_centroids`,
 * `call_ivf_vector_meta`, one row per call under key = call number × 4,096.
 */
export function callVectorIndex(db: Database.Database, options?: VectorIndexOptions): VectorIndex {
  return new VectorIndex(db, 'call_ivf', 'call vector index', options);
}

/** A call's own vector as index rows: one, or none without an embedding or for a zero vector. */
export function callVectorRows(n: number, doc: CallDoc): VectorRow[] {
  return callRows(n, doc.nlp?.embedding?.vector ?? []);
}

function callRows(n: number, vector: ArrayLike<number>): VectorRow[] {
  const row = vectorRow(n * MAX_SEGMENTS, 'unknown', vector);
  return row ? [row] : [];
}

/**
 * Moves the rows of the store's former `call_vectors (n, model, dims, vector)` table (schema v5)
 * into the index's backlog, once, and empties it.
 */
export function adoptLegacyCallVectors(db: Database.Database, index: VectorIndex): number {
  if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'call_vectors'`).get()) return 0;
  if (!db.prepare('SELECT 1 FROM call_vectors LIMIT 1').get()) return 0;
  return db.transaction(() => {
    const batch = db.prepare('SELECT n, vector FROM call_vectors WHERE n > ? ORDER BY n LIMIT 10000').raw();
    let moved = 0;
    for (let last = -Infinity, rows = batch.all(last) as Array<[number, Buffer]>; rows.length > 0; rows = batch.all(last) as typeof rows) {
      for (const [n, blob] of rows) {
        const adopted = callRows(n, floatsOf(blob));
        if (adopted.length === 0) continue;
        index.write(n, adopted, true);
        moved++;
      }
      last = rows[rows.length - 1]![0];
    }
    db.exec('DELETE FROM call_vectors');
    return moved;
  })();
}
