import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CallScopeError } from '../../core/errors.ts';
import { CLUSTER_MODEL_VERSION, ClusterModel } from './clusterer.ts';

/** A call's clustered segments as the 聚类 view reads them: [segment id, cluster id, label words (space-joined), masked text]. */
export type CallSegments = { callId: string; textHash: string; recordedMs: number | null; segments: Array<[segmentId: string, clusterId: string, words: string, text: string]> };

/**
 * Fitted cluster models and the cluster of every clustered text, in one SQLite file under
 * CALLSCOPE_DATA (`clusters/clusters.sqlite`). A model is named by what it clusters (e.g.
 * `segments:customer`); a model of another CLUSTER_MODEL_VERSION is treated as absent (re-fitted).
 * Beside them, per call, its clustered segments with their label words and text (`call_segments`,
 * keyed by the call's segment-text hash), so a view reads no call document.
 */
export class ClusterDb {
  private readonly db: Database.Database;

  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS models (name TEXT PRIMARY KEY, version INTEGER NOT NULL, model TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS assignments (name TEXT NOT NULL, item_id TEXT NOT NULL, cluster_id TEXT NOT NULL, PRIMARY KEY (name, item_id)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS assignments_by_cluster ON assignments (name, cluster_id);
      CREATE TABLE IF NOT EXISTS call_segments (
        name TEXT NOT NULL, call_id TEXT NOT NULL, text_hash TEXT NOT NULL, recorded_ms INTEGER, segments TEXT NOT NULL, PRIMARY KEY (name, call_id)
      ) WITHOUT ROWID;
    `);
  }

  static inDataDir(dataDir: string): ClusterDb {
    return new ClusterDb(path.join(dataDir, 'clusters', 'clusters.sqlite'));
  }

  model(name: string): ClusterModel | null {
    const row = this.db.prepare('SELECT version, model FROM models WHERE name = ?').get(name) as { version: number; model: string } | undefined;
    if (!row || row.version !== CLUSTER_MODEL_VERSION) return null;
    const parsed = ClusterModel.safeParse(JSON.parse(row.model));
    if (!parsed.success) throw new CallScopeError('STORE_FAILED', `cluster model ${name} is unreadable: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  /** All assignments of a model (text id → cluster id). */
  assignments(name: string): Map<string, string> {
    const rows = this.db.prepare('SELECT item_id, cluster_id FROM assignments WHERE name = ?').all(name) as Array<{ item_id: string; cluster_id: string }>;
    return new Map(rows.map((r) => [r.item_id, r.cluster_id]));
  }

  /** The assignments of these texts only (unknown ones absent). */
  lookup(name: string, ids: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    const get = this.db.prepare('SELECT cluster_id FROM assignments WHERE name = ? AND item_id = ?').pluck();
    for (const id of ids) {
      const c = get.get(name, id) as string | undefined;
      if (c !== undefined) out.set(id, c);
    }
    return out;
  }

  /** Saves a model; `replaceAll` drops the old assignments first (a full re-cluster), else they are added to. */
  save(name: string, model: ClusterModel, assignments: ReadonlyMap<string, string>, replaceAll: boolean): void {
    const put = this.db.prepare('INSERT OR REPLACE INTO assignments (name, item_id, cluster_id) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO models (name, version, model, updated_at) VALUES (?, ?, ?, ?)')
        .run(name, model.version, JSON.stringify(model), new Date().toISOString());
      if (replaceAll) this.db.prepare('DELETE FROM assignments WHERE name = ?').run(name);
      for (const [id, c] of assignments) put.run(name, id, c);
    })();
  }

  /**
   * Every call's segments of a model, in memory after the first read (one scan of the table: about a
   * second per 100,000 calls), kept current by putCallSegments and forgetCalls: a view then reads no row.
   */
  private readonly loaded = new Map<string, Map<string, CallSegments>>();

  private callRows(name: string): Map<string, CallSegments> {
    let rows = this.loaded.get(name);
    if (rows) return rows;
    rows = new Map();
    const all = this.db.prepare('SELECT call_id, text_hash, recorded_ms, segments FROM call_segments WHERE name = ?').raw();
    for (const [callId, textHash, recordedMs, segments] of all.iterate(name) as Iterable<[string, string, number | null, string]>) {
      rows.set(callId, { callId, textHash, recordedMs, segments: JSON.parse(segments) as CallSegments['segments'] });
    }
    this.loaded.set(name, rows);
    return rows;
  }

  /** The stored segments of these calls (absent: never clustered). */
  callSegments(name: string, callIds: readonly string[]): Map<string, CallSegments> {
    const rows = this.callRows(name);
    const out = new Map<string, CallSegments>();
    for (const id of callIds) {
      const row = rows.get(id);
      if (row) out.set(id, row);
    }
    return out;
  }

  /** Keeps each call's clustered segments (replacing its earlier row); `replaceAll` first drops every call of the model (a full re-cluster). */
  putCallSegments(name: string, rows: readonly CallSegments[], replaceAll: boolean): void {
    const put = this.db.prepare('INSERT OR REPLACE INTO call_segments (name, call_id, text_hash, recorded_ms, segments) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      if (replaceAll) this.db.prepare('DELETE FROM call_segments WHERE name = ?').run(name);
      for (const r of rows) put.run(name, r.callId, r.textHash, r.recordedMs, JSON.stringify(r.segments));
    })();
    if (replaceAll) this.loaded.set(name, new Map(rows.map((r) => [r.callId, r])));
    else {
      const mem = this.loaded.get(name);
      if (mem) for (const r of rows) mem.set(r.callId, r);
    }
  }

  /** Forgets the segments of calls whose text changed (their assignments too), so they are clustered again. */
  forgetCalls(name: string, callIds: readonly string[]): void {
    const rows = this.db.prepare('DELETE FROM call_segments WHERE name = ? AND call_id = ?');
    const assigned = this.db.prepare(`DELETE FROM assignments WHERE name = ? AND item_id >= ? AND item_id < ?`);
    this.db.transaction(() => {
      for (const id of callIds) {
        rows.run(name, id);
        assigned.run(name, `${id}:`, `${id};`); // every "<callId>:<segmentId>" (';' follows ':')
        this.loaded.get(name)?.delete(id);
      }
    })();
  }

  close(): void {
    this.db.close();
  }
}
