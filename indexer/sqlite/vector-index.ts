import type Database from 'better-sqlite3';
import { runInThread } from '../../core/in-thread.ts';
import type { Role } from '../../core/schemas.ts';
import { vectorBlob } from './call-row.ts';
import type { Sql } from './filter-sql.ts';
import { MAX_SEGMENTS, SEGMENT_SHIFT } from './schema.ts';
import type { MaintainResult } from './vector-maintain.ts';
import { Centroids, floatsOf, unit } from './vector-ivf.ts';
import { BACKLOG, createVectorTables, readCounters, TRAINING_STALE_MS, vectorTables, type Counters, type VectorTables } from './vector-tables.ts';

type Delta = Pick<Counters, 'count' | 'backlog' | 'calls'>;

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
  /** A query has the backlog moved into lists (in the background) when it holds this many vectors. Default 50,000. */
  backlogLimit?: number;
};

export const ROLE_CODE: Record<Role, number> = { agent: 0, customer: 1, unknown: 2 };
export type VectorRow = { key: number; role: number; vector: Buffer };
export type VectorQuery = { vector: number[]; k: number; role?: Role | undefined; exact: boolean; nprobe?: number | undefined };
export type NearestVector = { key: number; n: number; segment: number; distance: number };

/** A vector as an index row, scaled to unit length; null for an empty or zero vector (it has no direction). */
export function vectorRow(key: number, role: Role, vector: ArrayLike<number>): VectorRow | null {
  const v = Float32Array.from(vector);
  if (v.length === 0 || v.every((x) => x === 0)) return null;
  return { key, role: ROLE_CODE[role], vector: Buffer.from(unit(v).buffer) };
}

/**
 * An IVF (inverted file) vector index in the store's SQLite file, keyed like the FTS rows (call
 * number × 4,096 + segment index), so a hit names its call without a join; the store keeps two:
 * segment embeddings and call embeddings (segment 0). Rows are clustered by list (PRIMARY KEY
 * (list, key), WITHOUT ROWID): a query reads the few lists nearest its vector as contiguous ranges.
 * New vectors land in the backlog (list -1), which every query reads exactly; `maintain` trains
 * the centroids or assigns the backlog in a worker thread (vector-maintain.ts). Below `exactBelow`
 * vectors, or when the filter keeps few calls, every candidate is read exactly.
 */
export class VectorIndex {
  private readonly exactBelow: number;
  private readonly filteredExactBelow: number;
  private readonly listSize: number;
  private readonly backlogLimit: number;
  readonly tables: VectorTables;
  private readonly stmt;
  private centroids: { version: number; value: Centroids | null } | null = null;
  private running: Promise<MaintainResult> | null = null;
  /** Inside `batched`: the counter changes not yet written, and whether a training runs (read once, when first needed). */
  private batch: { delta: Delta; training: boolean | null } | null = null;

  constructor(
    private readonly db: Database.Database,
    /** Table names: `<prefix>_vectors`, … (vector-tables.ts). */
    private readonly prefix: string,
    /** What the index holds, for messages: "segment vector index". */
    private readonly what: string,
    options: VectorIndexOptions = {},
  ) {
    this.exactBelow = options.exactBelow ?? 50_000;
    this.filteredExactBelow = options.filteredExactBelow ?? Math.min(10_000, this.exactBelow);
    this.listSize = options.listSize ?? 4_000;
    this.backlogLimit = options.backlogLimit ?? 50_000;
    const t = (this.tables = vectorTables(prefix));
    createVectorTables(db, t);
    this.stmt = {
      ofCall: db.prepare(`SELECT key, role, vector FROM ${t.vectors} WHERE key >= ? AND key < ? ORDER BY key`).raw(),
      remove: db.prepare(`DELETE FROM ${t.vectors} WHERE key >= ? AND key < ? RETURNING list`).pluck(),
      insert: db.prepare(`INSERT INTO ${t.vectors} (list, key, role, vector) VALUES (?, ?, ?, ?)`),
      at: db.prepare(`SELECT vector FROM ${t.vectors} WHERE key = ?`).pluck(),
      bump: db.prepare(`INSERT INTO ${t.meta} (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`),
      training: db.prepare(`SELECT value FROM ${t.meta} WHERE name = 'training'`).pluck(),
      markDirty: db.prepare(`INSERT OR IGNORE INTO ${t.dirty} (n) VALUES (?)`),
    };
  }

  /** Stores a call's vectors (none: removes any it had). `known`: the call may have rows already. */
  write(n: number, rows: VectorRow[], known: boolean): void {
    if (!known && rows.length === 0) return;
    if (known) {
      const old = this.stmt.ofCall.all(n * MAX_SEGMENTS, (n + 1) * MAX_SEGMENTS) as Array<[number, number, Buffer]>;
      if (old.length === rows.length && old.every(([key, role, vector], i) => key === rows[i]!.key && role === rows[i]!.role && vector.equals(rows[i]!.vector))) return;
      this.remove(n);
    }
    for (const r of rows) this.stmt.insert.run(BACKLOG, r.key, r.role, r.vector);
    if (rows.length) {
      this.bump({ count: rows.length, backlog: rows.length, calls: 1 });
      this.noteWhileTraining(n);
    }
  }

  /** The vector stored under a key (call number × 4,096 + segment index), or null. */
  vectorAt(key: number): number[] | null {
    const blob = this.stmt.at.get(key) as Buffer | undefined;
    return blob ? Array.from(floatsOf(blob)) : null;
  }

  /** Removes a call's vectors. */
  remove(n: number): void {
    const lists = this.stmt.remove.all(n * MAX_SEGMENTS, (n + 1) * MAX_SEGMENTS) as number[];
    if (!lists.length) return;
    this.bump({ count: -lists.length, backlog: -lists.filter((l) => l === BACKLOG).length, calls: -1 });
    this.noteWhileTraining(n);
  }

  /** Empties the index (its keys are call numbers: a renumbering of the calls makes them stale). */
  clear(): void {
    const t = this.tables;
    this.db.exec(`DELETE FROM ${t.vectors}; DELETE FROM ${t.centroids}; DELETE FROM ${t.meta}; DELETE FROM ${t.dirty};`);
  }

  /**
   * Runs `fn` — the writes of one write transaction (a putMany), called inside it — with the
   * counter changes summed and written once at its end, and whether a training runs read once: a
   * training sets and clears its heartbeat in IMMEDIATE transactions of its own, so it cannot
   * start or end inside ours. Nothing is written if `fn` throws (the transaction rolls back).
   */
  batched<T>(fn: () => T): T {
    if (this.batch) return fn();
    this.batch = { delta: { count: 0, backlog: 0, calls: 0 }, training: null };
    try {
      const result = fn();
      this.writeCounters(this.batch.delta);
      return result;
    } finally {
      this.batch = null;
    }
  }

  /** A training copies the table meanwhile: the calls written since are carried over when it swaps. */
  private noteWhileTraining(n: number): void {
    const training = this.batch ? (this.batch.training ??= this.isTraining()) : this.isTraining();
    if (training) this.stmt.markDirty.run(n);
  }

  private isTraining(): boolean {
    return this.stmt.training.get() !== undefined;
  }

  private bump(delta: Delta): void {
    if (!this.batch) return this.writeCounters(delta);
    for (const name of ['count', 'backlog', 'calls'] as const) this.batch.delta[name] += delta[name];
  }

  private writeCounters(delta: Delta): void {
    for (const name of ['count', 'backlog', 'calls'] as const) if (delta[name]) this.stmt.bump.run(name, delta[name]);
  }

  counters(): Counters {
    return readCounters(this.db, this.tables);
  }

  /**
   * Keeps the index fit, in a worker thread with its own connection (vector-maintain.ts): trains the
   * centroids (again) when due, else moves the backlog into its lists. Queries keep answering from
   * the old lists meanwhile. One at a time per store (a call while one runs starts another after it);
   * rejects with STORE_FAILED when it fails (the old index stays as it was).
   */
  maintain(): Promise<MaintainResult> {
    if (this.running) return this.running.catch(() => undefined).then(() => this.maintain());
    if (!this.hasWork()) return Promise.resolve({ trained: false, assigned: 0, ms: 0 }); // no thread to start
    const settings = { exactBelow: this.exactBelow, listSize: this.listSize };
    const run = runInThread<MaintainResult>(new URL('./vector-maintain-thread.ts', import.meta.url), { file: this.db.name, prefix: this.prefix, settings }, { code: 'STORE_FAILED', what: `training the ${this.what}` });
    this.running = run.finally(() => (this.running = null));
    return this.running;
  }

  /** Whether `maintain` has work: training (first time, or 4× growth), or a backlog to assign (at least `backlogMin`). */
  private hasWork(backlogMin = 1): boolean {
    const c = this.counters();
    if (c.count < this.exactBelow || (c.training > 0 && Date.now() - c.training < TRAINING_STALE_MS)) return false;
    return this.currentCentroids(c.version) === null || c.count >= 4 * c.trainedOn || c.backlog >= backlogMin;
  }

  /** Starts `maintain` in the background when it is due (a query calls this; it never waits for it). */
  maintainIfDue(): void {
    if (this.running || !this.hasWork(this.backlogLimit)) return;
    this.maintain().catch((err: unknown) => console.error(`warning: ${(err as Error).message}; queries read the previous lists and the backlog`));
  }

  /** Waits for a maintenance started earlier, if any (its failure was reported where it started). */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** The trained centroids (reloaded when another connection retrained), or null. */
  private currentCentroids(version: number): Centroids | null {
    if (this.centroids?.version === version) return this.centroids.value;
    const rows = this.db.prepare(`SELECT centroid FROM ${this.tables.centroids} ORDER BY list`).pluck().all() as Buffer[];
    const value = rows.length ? Centroids.of(rows.map((b) => Float32Array.from(floatsOf(b))), rows[0]!.length / 4) : null;
    this.centroids = { version, value };
    return value;
  }

  /**
   * The nearest vector of each of the k nearest calls (distance = 1 − cosine), nearest first.
   * `where` is the call filter over `calls c` (null: every call). Call inside a read transaction
   * (counters, centroids and lists from one snapshot).
   */
  nearest(q: VectorQuery, where: Sql | null): NearestVector[] {
    const c = this.counters();
    const centroids = this.currentCentroids(c.version);
    const dims = q.vector.length;
    const approximate = !q.exact && centroids !== null && centroids.dims === dims && c.count >= this.exactBelow;
    // A selective filter: read the vectors of the calls it keeps (exactly) rather than probe lists —
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

  /** Best vector per call from scans ordered by distance, asking for more rows when many come from the same calls. */
  private collapse(q: VectorQuery, scan: (limit: number) => Array<[number, number]>): NearestVector[] {
    for (let limit = q.k * 8; ; limit *= 4) {
      const rows = scan(limit);
      const best = new Map<number, NearestVector>();
      for (const [key, distance] of rows) {
        const n = Math.floor(key / MAX_SEGMENTS);
        if (!best.has(n)) best.set(n, { key, n, segment: key - n * MAX_SEGMENTS, distance });
        if (best.size === q.k) break;
      }
      if (best.size === q.k || rows.length < limit) return [...best.values()];
    }
  }

  private scan(q: VectorQuery, where: Sql | null, lists: number[] | null, fromCalls: boolean, limit: number): Array<[number, number]> {
    const conditions = ['length(sv.vector) = ?'];
    const params: unknown[] = [vectorBlob(q.vector), q.vector.length * 4];
    if (q.role) {
      conditions.push('sv.role = ?');
      params.push(ROLE_CODE[q.role]);
    }
    if (lists) conditions.push(`sv.list IN (${lists.join(', ')})`); // integers we computed
    let from = `${this.tables.vectors} sv`;
    if (where && fromCalls) {
      // Few calls: loop over them (CROSS JOIN fixes the order) and read their vectors by key.
      from = `calls c CROSS JOIN ${this.tables.vectors} sv`;
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
