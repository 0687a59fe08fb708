import type Database from 'better-sqlite3';

/**
 * The tables of one IVF vector index in the store's SQLite file (created with IF NOT EXISTS beside
 * the store's schema, no schema version: an older file simply gains them, empty):
 * - `<p>_vectors (list, key, role, vector)`, WITHOUT ROWID, primary key (list, key): a list is one
 *   contiguous range of the b-tree; list -1 is the backlog (not yet assigned, read by every query);
 *   key = call number × 4,096 + segment index (a call's own vector: segment 0);
 * - `<p>_vector_centroids`, `<p>_vector_meta` (counters: count, calls, backlog, version, trainedOn,
 *   and `training`: the heartbeat of a running (re)training, ms);
 * - `<p>_vector_dirty (n)`: calls written while a training runs, carried over when it finishes.
 */
export type VectorTables = { vectors: string; next: string; keyIndex: string; centroids: string; meta: string; dirty: string };

export function vectorTables(prefix: string): VectorTables {
  return {
    vectors: `${prefix}_vectors`,
    next: `${prefix}_vectors_next`,
    keyIndex: `${prefix}_vectors_key`,
    centroids: `${prefix}_vector_centroids`,
    meta: `${prefix}_vector_meta`,
    dirty: `${prefix}_vector_dirty`,
  };
}

export const vectorTableDdl = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  list INTEGER NOT NULL,  -- IVF list; -1: not yet assigned (read by every query)
  key INTEGER NOT NULL,   -- call number × 4,096 + segment index
  role INTEGER NOT NULL,  -- 0 agent, 1 customer, 2 unknown (a call's own vector: 2)
  vector BLOB NOT NULL,   -- float32, unit length
  PRIMARY KEY (list, key)
) WITHOUT ROWID`;

export const keyIndexDdl = (t: VectorTables) => `CREATE INDEX IF NOT EXISTS ${t.keyIndex} ON ${t.vectors}(key)`;

export function createVectorTables(db: Database.Database, t: VectorTables): void {
  db.exec(`${vectorTableDdl(t.vectors)};
${keyIndexDdl(t)};
CREATE TABLE IF NOT EXISTS ${t.centroids} (list INTEGER PRIMARY KEY, centroid BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS ${t.meta} (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ${t.dirty} (n INTEGER PRIMARY KEY);`);
}

export const BACKLOG = -1;

export type Counters = { count: number; calls: number; backlog: number; version: number; trainedOn: number; training: number };

export function readCounters(db: Database.Database, t: VectorTables): Counters {
  const c: Counters = { count: 0, calls: 0, backlog: 0, version: 0, trainedOn: 0, training: 0 };
  for (const [name, value] of db.prepare(`SELECT name, value FROM ${t.meta}`).raw().all() as Array<[keyof Counters, number]>) c[name] = value;
  return c;
}

/** A training whose heartbeat is older than this died with its process: another may start. */
export const TRAINING_STALE_MS = 10 * 60_000;
