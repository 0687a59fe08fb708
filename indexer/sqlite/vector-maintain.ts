import type Database from 'better-sqlite3';
import { Centroids, floatsOf, sampleIndices } from './vector-ivf.ts';
import { BACKLOG, keyIndexDdl, readCounters, TRAINING_STALE_MS, vectorTableDdl, type Counters, type VectorTables } from './vector-tables.ts';
import { MAX_SEGMENTS } from './schema.ts';

export type MaintainSettings = { exactBelow: number; listSize: number };
/** What a maintenance did: trained (and moved every vector), or assigned the backlog; busy: another connection was at it; ms: its duration. */
export type MaintainResult = { trained: boolean; assigned: number; busy?: boolean; ms: number };

/** Rows per step: each step is one short write transaction, so the store's writers interleave. */
const STEP = 10_000;

/**
 * Keeps an IVF index fit, on its own connection (vector-maintain-thread.ts runs it in a worker
 * thread): trains the centroids when there are enough vectors and none yet, or four times as many
 * as they were trained on; otherwise moves the backlog into its lists.
 *
 * The k-means and the assignment of every vector to its list (the CPU: seconds to minutes at a
 * million vectors) run outside any write transaction. A training builds the new table beside the
 * old one in short write transactions, and queries keep reading the old lists (plus the backlog)
 * until the last step swaps the tables. Calls written meanwhile are noted (`dirty`, while the
 * `training` heartbeat is set) and carried into the new table, unassigned, by that last step.
 */
export function maintainVectors(db: Database.Database, t: VectorTables, s: MaintainSettings): MaintainResult {
  const started = performance.now();
  const plan = db
    .transaction((): 'train' | 'assign' | null => {
      const c = readCounters(db, t);
      if (c.training > 0 && Date.now() - c.training < TRAINING_STALE_MS) return null; // another connection is at it
      if (c.count < s.exactBelow) return null;
      const due = centroidsOf(db, t) === null || c.count >= 4 * c.trainedOn ? 'train' : c.backlog > 0 ? 'assign' : null;
      if (due) {
        db.prepare(`DELETE FROM ${t.dirty}`).run();
        setMeta(db, t, 'training', Date.now());
      }
      return due;
    })
    .immediate();
  if (plan === null) return { trained: false, assigned: 0, busy: readCounters(db, t).training > 0, ms: performance.now() - started };
  try {
    const done = plan === 'train' ? { trained: true, assigned: train(db, t, s) } : { trained: false, assigned: assignBacklog(db, t) };
    return { ...done, ms: performance.now() - started };
  } finally {
    db.transaction(() => {
      db.prepare(`DELETE FROM ${t.meta} WHERE name = 'training'`).run();
      db.prepare(`DELETE FROM ${t.dirty}`).run();
    }).immediate();
  }
}

function setMeta(db: Database.Database, t: VectorTables, name: keyof Counters, value: number): void {
  db.prepare(`INSERT OR REPLACE INTO ${t.meta} (name, value) VALUES (?, ?)`).run(name, value);
}

function centroidsOf(db: Database.Database, t: VectorTables): Centroids | null {
  const rows = db.prepare(`SELECT centroid FROM ${t.centroids} ORDER BY list`).pluck().all() as Buffer[];
  return rows.length ? Centroids.of(rows.map((b) => Float32Array.from(floatsOf(b))), rows[0]!.length / 4) : null;
}

type Row = [list: number, key: number, role: number, vector: Buffer];

function train(db: Database.Database, t: VectorTables, s: MaintainSettings): number {
  const start = readCounters(db, t);
  const lists = Math.max(16, Math.min(1024, Math.round(start.count / s.listSize)));
  const wanted = new Set(sampleIndices(start.count, Math.min(start.count, lists * 64), start.version + 1));
  const sample: Float32Array[] = [];
  let i = 0;
  for (const v of db.prepare(`SELECT vector FROM ${t.vectors}`).pluck().iterate() as Iterable<Buffer>) {
    if (wanted.has(i++)) sample.push(Float32Array.from(floatsOf(v)));
  }
  if (sample.length === 0) return 0;
  // One embedding model per index: train on the most common dimension.
  const dims = mostCommon(sample.map((v) => v.length));
  const centroids = Centroids.train(
    sample.filter((v) => v.length === dims),
    lists,
  );
  const listOf = (vector: Buffer) => (vector.length === dims * 4 ? centroids.nearest(floatsOf(vector)) : BACKLOG);

  db.exec(`DROP TABLE IF EXISTS ${t.next}; ${vectorTableDdl(t.next)}`);
  const insert = db.prepare(`INSERT INTO ${t.next} (list, key, role, vector) VALUES (?, ?, ?, ?)`);
  const beat = db.prepare(`INSERT OR REPLACE INTO ${t.meta} (name, value) VALUES ('training', ?)`);
  const batch = db.prepare(`SELECT list, key, role, vector FROM ${t.vectors} WHERE (list, key) > (?, ?) ORDER BY list, key LIMIT ${STEP}`).raw();
  let moved = 0;
  for (let rows = batch.all(-Infinity, -Infinity) as Row[]; rows.length > 0; ) {
    const placed = rows.map(([, key, role, vector]) => [listOf(vector), key, role, vector] as Row); // outside the write lock
    db.transaction(() => {
      for (const row of placed) insert.run(...row);
      beat.run(Date.now());
    }).immediate();
    moved += rows.length;
    const [list, key] = rows[rows.length - 1]!;
    rows = batch.all(list, key) as Row[];
  }

  // The swap: calls written since the copy began come over as they are now, in the backlog.
  db.transaction(() => {
    const dirty = db.prepare(`SELECT n FROM ${t.dirty}`).pluck().all() as number[];
    const drop = db.prepare(`DELETE FROM ${t.next} WHERE key >= ? AND key < ?`);
    const carry = db.prepare(`INSERT INTO ${t.next} (list, key, role, vector) SELECT ${BACKLOG}, key, role, vector FROM ${t.vectors} WHERE key >= ? AND key < ?`);
    for (const n of dirty) {
      drop.run(n * MAX_SEGMENTS, (n + 1) * MAX_SEGMENTS);
      carry.run(n * MAX_SEGMENTS, (n + 1) * MAX_SEGMENTS);
    }
    db.exec(`DROP TABLE ${t.vectors}; ALTER TABLE ${t.next} RENAME TO ${t.vectors}; ${keyIndexDdl(t)}; DELETE FROM ${t.centroids};`);
    const putCentroid = db.prepare(`INSERT INTO ${t.centroids} (list, centroid) VALUES (?, ?)`);
    for (let l = 0; l < centroids.count; l++) putCentroid.run(l, Buffer.from(Float32Array.from(centroids.row(l)).buffer));
    const now = readCounters(db, t);
    setMeta(db, t, 'backlog', db.prepare(`SELECT count(*) FROM ${t.vectors} WHERE list = ?`).pluck().get(BACKLOG) as number);
    setMeta(db, t, 'trainedOn', now.count);
    setMeta(db, t, 'version', now.version + 1);
  }).immediate();
  return moved;
}

function assignBacklog(db: Database.Database, t: VectorTables): number {
  const centroids = centroidsOf(db, t);
  if (!centroids) return 0;
  const batch = db.prepare(`SELECT key, role, vector FROM ${t.vectors} WHERE list = ? AND key > ? ORDER BY key LIMIT ${STEP}`).raw();
  // A row re-written since it was read (another vector or role under the same key) stays in the backlog.
  const take = db.prepare(`DELETE FROM ${t.vectors} WHERE list = ${BACKLOG} AND key = ? AND role = ? AND vector = ?`);
  const insert = db.prepare(`INSERT INTO ${t.vectors} (list, key, role, vector) VALUES (?, ?, ?, ?)`);
  const beat = db.prepare(`INSERT OR REPLACE INTO ${t.meta} (name, value) VALUES ('training', ?)`);
  const bump = db.prepare(`UPDATE ${t.meta} SET value = value - ? WHERE name = 'backlog'`);
  let assigned = 0;
  for (let last = -Infinity, rows = batch.all(BACKLOG, last) as Array<[number, number, Buffer]>; rows.length > 0; rows = batch.all(BACKLOG, last) as typeof rows) {
    const placed = rows.filter(([, , v]) => v.length === centroids.dims * 4).map(([key, role, vector]) => [centroids.nearest(floatsOf(vector)), key, role, vector] as Row);
    assigned += db
      .transaction(() => {
        let moved = 0;
        for (const row of placed) {
          if (take.run(row[1], row[2], row[3]).changes === 0) continue;
          insert.run(...row);
          moved++;
        }
        bump.run(moved);
        beat.run(Date.now());
        return moved;
      })
      .immediate();
    last = rows[rows.length - 1]![0];
  }
  return assigned;
}

function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}
