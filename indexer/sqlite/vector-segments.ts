import type Database from 'better-sqlite3';
import type { CallDoc, Role } from '../../core/schemas.ts';
import type { SegmentKnnQuery } from '../query-model.ts';
import { vectorBlob } from './call-row.ts';
import type { Sql } from './filter-sql.ts';
import { MAX_SEGMENTS, SEGMENT_SHIFT } from './schema.ts';
import { Centroids, floatsOf, sampleIndices, unit } from './vector-ivf.ts';

/**
 * Segment embeddings of the embedded store, with an IVF index for approximate kNN.
 *
 * Rows are keyed like the FTS rows (call number × 4,096 + segment index), so a hit names its call
 * and segment without a join, and clustered by IVF list (PRIMARY KEY (list, key), WITHOUT ROWID):
 * a query reads the few lists nearest its vector as contiguous ranges. New vectors land in list
 * -1 (the backlog), which every query reads exactly; `maintain` trains the centroids (spherical
 * k-means on a sample) once there are enough vectors and moves the backlog into lists. Below
 * `exactBelow` vectors, or when the filter keeps few calls, every candidate is read exactly.
 *
 * These tables are created with IF NOT EXISTS beside the store's schema (no schema version):
 * an older file simply gains them, empty, and fills as calls are put again.
 */
const tableDdl = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  list INTEGER NOT NULL,  -- IVF list; -1: not yet assigned (read by every query)
  key INTEGER NOT NULL,   -- call number × 4,096 + segment index
  role INTEGER NOT NULL,  -- 0 agent, 1 customer, 2 unknown
  vector BLOB NOT NULL,   -- float32, unit length
  PRIMARY KEY (list, key)
) WITHOUT ROWID`;
const KEY_INDEX = 'CREATE INDEX IF NOT EXISTS segment_vectors_key ON segment_vectors(key)';

export const SEGMENT_VECTOR_DDL = `
${tableDdl('segment_vectors')};
${KEY_INDEX};
CREATE TABLE IF NOT EXISTS segment_vector_centroids (list INTEGER PRIMARY KEY, centroid BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS segment_vector_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

const ROLE_CODE: Record<Role, number> = { agent: 0, customer: 1, unknown: 2 };
const BACKLOG = -1;

export type VectorIndexOptions = {
  /** Below this many vectors (or candidate vectors after the filter) every query is exact. Default 50,000. */
  exactBelow?: number;
  /**
   * A filter keeping the calls of fewer vectors than this is answered exactly from those calls
   * (their vectors are read by key, scattered over the lists: ~8× a sequential row each, so the
   * crossover with probing 16 lists of 4,000 is near 10,000). Default 10,000.
   */
  filteredExactBelow?: number;
  /** Vectors per IVF list when training (lists = vectors / listSize, 16…1,024). Default 4,000. */
  listSize?: number;
  /** A query moves the backlog into lists first when it holds this many vectors. Default 50,000. */
  backlogLimit?: number;
};

type Counters = { count: number; calls: number; backlog: number; version: number; trainedOn: number };
export type NearestSegment = { key: number; n: number; segment: number; distance: number };

export class SegmentVectors {
  private readonly exactBelow: number;
  private readonly filteredExactBelow: number;
  private readonly listSize: number;
  private readonly backlogLimit: number;
  private readonly stmt;
  private centroids: { version: number; value: Centroids | null } | null = null;

  constructor(
    private readonly db: Database.Database,
    options: VectorIndexOptions = {},
  ) {
    this.exactBelow = options.exactBelow ?? 50_000;
    this.filteredExactBelow = options.filteredExactBelow ?? Math.min(10_000, this.exactBelow);
    this.listSize = options.listSize ?? 4_000;
    this.backlogLimit = options.backlogLimit ?? 50_000;
    db.exec(SEGMENT_VECTOR_DDL);
    this.stmt = {
      ofCall: db.prepare('SELECT key, role, vector FROM segment_vectors WHERE key >= ? AND key < ? ORDER BY key').raw(),
      remove: db.prepare('DELETE FROM segment_vectors WHERE key >= ? AND key < ? RETURNING list').pluck(),
      insert: db.prepare('INSERT INTO segment_vectors (list, key, role, vector) VALUES (?, ?, ?, ?)'),
      counters: db.prepare('SELECT name, value FROM segment_vector_meta').raw(),
      bump: db.prepare('INSERT INTO segment_vector_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value'),
      set: db.prepare('INSERT OR REPLACE INTO segment_vector_meta (name, value) VALUES (?, ?)'),
    };
  }

  /** Stores a call's segment embeddings (none: removes any it had). `known`: the call may have rows already. */
  write(n: number, doc: CallDoc, known: boolean): void {
    const rows = rowsOf(n, doc);
    if (!known && rows.length === 0) return;
    if (known) {
      const old = this.stmt.ofCall.all(n * MAX_SEGMENTS, (n + 1) * MAX_SEGMENTS) as Array<[number, number, Buffer]>;
      if (old.length === rows.length && old.every(([key, role, vector], i) => key === rows[i]!.key && role === rows[i]!.role && vector.equals(rows[i]!.vector))) return;
      this.remove(n);
    }
    for (const r of rows) this.stmt.insert.run(BACKLOG, r.key, r.role, r.vector);
    if (rows.length) this.bump({ count: rows.length, backlog: rows.length, calls: 1 });
  }

  /** The vector stored under a key (call number × 4,096 + segment index), or null. */
  vectorAt(key: number): number[] | null {
    const blob = this.db.prepare('SELECT vector FROM segment_vectors WHERE key = ?').pluck().get(key) as Buffer | undefined;
    return blob ? Array.from(floatsOf(blob)) : null;
  }

  /** Removes a call's segment embeddings. */
  remove(n: number): void {
    const lists = this.stmt.remove.all(n * MAX_SEGMENTS, (n + 1) * MAX_SEGMENTS) as number[];
    if (lists.length) this.bump({ count: -lists.length, backlog: -lists.filter((l) => l === BACKLOG).length, calls: -1 });
  }

  private bump(delta: Partial<Counters>): void {
    for (const [name, value] of Object.entries(delta)) if (value) this.stmt.bump.run(name, value);
  }

  counters(): Counters {
    const c: Counters = { count: 0, calls: 0, backlog: 0, version: 0, trainedOn: 0 };
    for (const [name, value] of this.stmt.counters.all() as Array<[keyof Counters, number]>) c[name] = value;
    return c;
  }

  /**
   * Keeps the index fit: trains the centroids (again) when there are enough vectors and none yet,
   * or four times as many as they were trained on; otherwise moves the backlog into its lists.
   * Runs in one write transaction (about a minute per million vectors when it trains).
   */
  maintain(): { trained: boolean; assigned: number } {
    return this.db.transaction(() => {
      const c = this.counters();
      if (c.count < this.exactBelow) return { trained: false, assigned: 0 };
      if (this.currentCentroids(c.version) === null || c.count >= 4 * c.trainedOn) return { trained: true, assigned: this.train(c) };
      return { trained: false, assigned: this.assignBacklog() };
    }).immediate();
  }

  /** Moves the backlog into its lists when it has grown past `backlogLimit` (a query calls this before reading). */
  maintainIfDue(): void {
    const c = this.counters();
    if (c.backlog < this.backlogLimit || !this.currentCentroids(c.version)) return;
    try {
      this.maintain();
    } catch (err) {
      // Another process holds the write lock (a bulk load): the backlog stays readable; a later query assigns it.
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    }
  }

  private train(c: Counters): number {
    const lists = Math.max(16, Math.min(1024, Math.round(c.count / this.listSize)));
    const wanted = new Set(sampleIndices(c.count, Math.min(c.count, lists * 64), c.version + 1));
    const sample: Float32Array[] = [];
    let i = 0;
    for (const v of this.db.prepare('SELECT vector FROM segment_vectors').pluck().iterate() as Iterable<Buffer>) {
      if (wanted.has(i++)) sample.push(Float32Array.from(floatsOf(v)));
    }
    // One embedding model per index: train on the most common dimension.
    const dims = mostCommon(sample.map((v) => v.length));
    const centroids = Centroids.train(sample.filter((v) => v.length === dims), lists);
    this.db.exec(`DROP TABLE IF EXISTS segment_vectors_next; ${tableDdl('segment_vectors_next')}`);
    const insert = this.db.prepare('INSERT INTO segment_vectors_next (list, key, role, vector) VALUES (?, ?, ?, ?)');
    let moved = 0;
    // In batches: better-sqlite3 cannot write while a statement is being iterated.
    const batch = this.db.prepare('SELECT list, key, role, vector FROM segment_vectors WHERE (list, key) > (?, ?) ORDER BY list, key LIMIT 10000').raw();
    for (let rows = batch.all(-Infinity, -Infinity) as Array<[number, number, number, Buffer]>; rows.length > 0; ) {
      for (const [, key, role, vector] of rows) insert.run(vector.length === dims * 4 ? centroids.nearest(floatsOf(vector)) : BACKLOG, key, role, vector);
      moved += rows.length;
      const [list, key] = rows[rows.length - 1]!;
      rows = batch.all(list, key) as typeof rows;
    }
    this.db.exec(`DROP TABLE segment_vectors; ALTER TABLE segment_vectors_next RENAME TO segment_vectors; ${KEY_INDEX}; DELETE FROM segment_vector_centroids;`);
    const putCentroid = this.db.prepare('INSERT INTO segment_vector_centroids (list, centroid) VALUES (?, ?)');
    for (let l = 0; l < centroids.count; l++) putCentroid.run(l, Buffer.from(Float32Array.from(centroids.row(l)).buffer));
    const backlog = this.db.prepare('SELECT count(*) FROM segment_vectors WHERE list = ?').pluck().get(BACKLOG) as number;
    this.stmt.set.run('backlog', backlog);
    this.stmt.set.run('trainedOn', c.count);
    this.stmt.set.run('version', c.version + 1);
    return moved;
  }

  private assignBacklog(): number {
    const centroids = this.currentCentroids(this.counters().version)!;
    const batch = this.db.prepare('SELECT key, role, vector FROM segment_vectors WHERE list = ? AND key > ? ORDER BY key LIMIT 10000').raw();
    const drop = this.db.prepare('DELETE FROM segment_vectors WHERE list = ? AND key >= ? AND key <= ?');
    let assigned = 0;
    for (let last = -Infinity, rows = batch.all(BACKLOG, last) as Array<[number, number, Buffer]>; rows.length > 0; rows = batch.all(BACKLOG, last) as typeof rows) {
      drop.run(BACKLOG, rows[0]![0], rows[rows.length - 1]![0]);
      for (const [key, role, vector] of rows) {
        const fits = vector.length === centroids.dims * 4;
        this.stmt.insert.run(fits ? centroids.nearest(floatsOf(vector)) : BACKLOG, key, role, vector);
        if (fits) assigned++;
      }
      last = rows[rows.length - 1]![0];
    }
    this.bump({ backlog: -assigned });
    return assigned;
  }

  /** The trained centroids (reloaded when another process retrained), or null. */
  private currentCentroids(version: number): Centroids | null {
    if (this.centroids?.version === version) return this.centroids.value;
    const rows = this.db.prepare('SELECT centroid FROM segment_vector_centroids ORDER BY list').pluck().all() as Buffer[];
    const value = rows.length ? Centroids.of(rows.map((b) => Float32Array.from(floatsOf(b))), rows[0]!.length / 4) : null;
    this.centroids = { version, value };
    return value;
  }

  /**
   * The nearest segment of each of the k nearest calls (distance = 1 − cosine), nearest first.
   * `where` is the call filter over `calls c` (null: every call).
   */
  nearest(q: SegmentKnnQuery, where: Sql | null): NearestSegment[] {
    const c = this.counters();
    const centroids = this.currentCentroids(c.version);
    const dims = q.vector.length;
    const approximate = !q.exact && centroids !== null && centroids.dims === dims && c.count >= this.exactBelow;
    // A selective filter: read the segments of the calls it keeps (exactly) rather than probe lists —
    // or, for an exact answer, rather than scan every vector (a vector read by key costs ~8 read in order).
    const perCall = c.calls > 0 ? c.count / c.calls : 1;
    const fewVectors = approximate ? this.filteredExactBelow : Math.max(this.filteredExactBelow, c.count / 8);
    const fromCalls = where !== null && this.fewerCallsThan(where, Math.ceil(fewVectors / perCall));
    if (!approximate || fromCalls) return this.collapse(q, (limit) => this.scan(q, where, null, fromCalls, limit));
    const lists = centroids.count;
    for (let nprobe = Math.min(lists, q.nprobe ?? defaultProbes(lists)); ; nprobe = Math.min(lists, nprobe * 4)) {
      const probed = [BACKLOG, ...centroids.probe(Float32Array.from(q.vector), nprobe)];
      const hits = this.collapse(q, (limit) => this.scan(q, where, probed, false, limit));
      // Pre-filter semantics: widen the probe until k calls are found or every list was read.
      if (hits.length >= q.k || nprobe >= lists) return hits;
    }
  }

  private fewerCallsThan(where: Sql, cap: number): boolean {
    const n = this.db.prepare(`SELECT count(*) FROM (SELECT 1 FROM calls c WHERE ${where.sql} LIMIT ?)`).pluck().get(...where.params, cap) as number;
    return n < cap;
  }

  /** Best segment per call from scans ordered by distance, asking for more rows when many come from the same calls. */
  private collapse(q: SegmentKnnQuery, scan: (limit: number) => Array<[number, number]>): NearestSegment[] {
    for (let limit = q.k * 8; ; limit *= 4) {
      const rows = scan(limit);
      const best = new Map<number, NearestSegment>();
      for (const [key, distance] of rows) {
        const n = Math.floor(key / MAX_SEGMENTS);
        if (!best.has(n)) best.set(n, { key, n, segment: key - n * MAX_SEGMENTS, distance });
        if (best.size === q.k) break;
      }
      if (best.size === q.k || rows.length < limit) return [...best.values()];
    }
  }

  private scan(q: SegmentKnnQuery, where: Sql | null, lists: number[] | null, fromCalls: boolean, limit: number): Array<[number, number]> {
    const conditions = ['length(sv.vector) = ?'];
    const params: unknown[] = [vectorBlob(q.vector), q.vector.length * 4];
    if (q.role) {
      conditions.push('sv.role = ?');
      params.push(ROLE_CODE[q.role]);
    }
    if (lists) conditions.push(`sv.list IN (${lists.join(', ')})`); // integers we computed
    let from = 'segment_vectors sv';
    if (where && fromCalls) {
      // Few calls: loop over them (CROSS JOIN fixes the order) and read their vectors by key.
      from = 'calls c CROSS JOIN segment_vectors sv';
      conditions.push(`sv.key >= c.n * ${MAX_SEGMENTS} AND sv.key < c.n * ${MAX_SEGMENTS} + ${MAX_SEGMENTS}`, `(${where.sql})`);
      params.push(...where.params);
    } else if (where) {
      // Many calls: the filter's call numbers are collected once (an in-memory set SQLite builds for
      // a non-correlated IN) and each vector read is checked against it — not a calls row lookup each.
      conditions.push(`(sv.key >> ${SEGMENT_SHIFT}) IN (SELECT c.n FROM calls c WHERE ${where.sql})`);
      params.push(...where.params);
    }
    return this.db
      .prepare(`SELECT sv.key, vec_distance_cosine(sv.vector, ?) AS d FROM ${from} WHERE ${conditions.join(' AND ')} ORDER BY d, sv.key LIMIT ?`)
      .raw()
      .all(...params, limit) as Array<[number, number]>;
  }
}

/** Lists read by default: an eighth of them up to 16, never fewer than 8 (recall ≥ 0.95 in bench/store/knn.ts). */
function defaultProbes(lists: number): number {
  return Math.min(lists, Math.max(8, Math.min(16, Math.ceil(lists / 8))));
}

function rowsOf(n: number, doc: CallDoc): Array<{ key: number; role: number; vector: Buffer }> {
  const emb = doc.nlp?.segmentEmbeddings;
  if (!emb) return [];
  const index = new Map(doc.segments.map((s, i) => [s.id, i]));
  const rows: Array<{ key: number; role: number; vector: Buffer }> = [];
  for (const { segmentId, vector } of emb.vectors) {
    const i = index.get(segmentId);
    if (i === undefined || vector.length === 0 || vector.every((x) => x === 0)) continue; // a zero vector has no direction
    rows.push({ key: n * MAX_SEGMENTS + i, role: ROLE_CODE[doc.segments[i]!.role], vector: Buffer.from(unit(Float32Array.from(vector)).buffer) });
  }
  return rows.sort((a, b) => a.key - b.key).filter((r, i, all) => i === 0 || all[i - 1]!.key !== r.key);
}

function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}
