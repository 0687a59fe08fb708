import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type Database from 'better-sqlite3';
import { BOOLEAN_COLUMNS, DATE_COLUMNS, fromList, KEYWORD_COLUMNS, NUMERIC_COLUMNS } from './schema.ts';

/**
 * A columnar copy of the fact tables in an in-memory DuckDB, private to this process: aggregations
 * scan it ~10× faster than SQLite's row store (bench/store). SQLite stays the only file and the
 * only writer's target, so any number of processes keep reading and writing it; each mirror
 * catches up from the `seq` stamps before every aggregation. Nothing is written to disk.
 */

type Column = { name: string; kind: 'text' | 'double' | 'int' | 'bigint' };
const COLUMNS: Column[] = [
  { name: 'n', kind: 'bigint' },
  { name: 'id', kind: 'text' },
  ...Object.values(KEYWORD_COLUMNS).map((name) => ({ name, kind: 'text' as const })),
  ...Object.values(NUMERIC_COLUMNS).map((name) => ({ name, kind: 'double' as const })),
  ...Object.values(BOOLEAN_COLUMNS).map((name) => ({ name, kind: 'int' as const })),
  ...Object.values(DATE_COLUMNS).map((name) => ({ name, kind: 'bigint' as const })),
];
const SQL_TYPE = { text: 'VARCHAR', double: 'DOUBLE', int: 'INTEGER', bigint: 'BIGINT' } as const;

function append(a: DuckDBAppender, kind: Column['kind'], v: unknown): void {
  if (v === null || v === undefined) return a.appendNull();
  if (kind === 'text') return a.appendVarchar(String(v));
  if (kind === 'double') return a.appendDouble(Number(v));
  if (kind === 'int') return a.appendInteger(Number(v));
  return a.appendBigInt(BigInt(v as number));
}

export class AnalyticsMirror {
  private lastSeq = 0;
  private appendedSinceSort = 0;
  private sortedRows = 0;
  private syncing: Promise<void> | null = null;
  private tempTables = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
    private readonly resortAfterRows: number,
  ) {}

  /** `resortAfterRows`: re-sort once this many rows (and a tenth of the table) arrived since the last sort. */
  static async open(threads = 2, resortAfterRows = 50_000): Promise<AnalyticsMirror> {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const con = await instance.connect();
    await con.run(`CREATE TABLE calls (${COLUMNS.map((c) => `${c.name} ${SQL_TYPE[c.kind]}`).join(', ')})`);
    await con.run('CREATE TABLE call_labels (kind VARCHAR, value VARCHAR, call_n BIGINT)');
    await con.run('CREATE TABLE call_checkpoints (checkpoint_id VARCHAR, outcome VARCHAR, call_n BIGINT)');
    return new AnalyticsMirror(instance, con, resortAfterRows);
  }

  /** Brings the copy up to the SQLite file's latest committed write (one at a time per process). */
  async sync(db: Database.Database): Promise<void> {
    while (this.syncing) await this.syncing;
    this.syncing = this.catchUp(db).finally(() => {
      this.syncing = null;
    });
    await this.syncing;
  }

  private async catchUp(db: Database.Database): Promise<void> {
    const head = db.prepare(`SELECT value FROM store_counters WHERE name = 'seq'`).pluck().get() as number;
    if (head === this.lastSeq) return;
    if (head < this.lastSeq) {
      // The file was rebuilt under us (a new index): start the copy over.
      for (const t of ['calls', 'call_labels', 'call_checkpoints']) await this.con.run(`DELETE FROM ${t}`);
      this.lastSeq = 0;
    }
    const from = this.lastSeq;
    if (from > 0) {
      const changed = db
        .prepare('SELECT n FROM calls WHERE seq > ? UNION SELECT n FROM deleted_calls WHERE seq > ?')
        .pluck()
        .all(from, from) as number[];
      const table = await this.numbersTable((add) => changed.forEach(add));
      for (const t of ['calls', 'call_labels', 'call_checkpoints']) {
        await this.con.run(`DELETE FROM ${t} WHERE ${t === 'calls' ? 'n' : 'call_n'} IN (SELECT n FROM ${table})`);
      }
      await this.con.run(`DROP TABLE ${table}`);
    }
    const calls = await this.con.createAppender('calls');
    const labels = await this.con.createAppender('call_labels');
    const checkpoints = await this.con.createAppender('call_checkpoints');
    // A call's label and checkpoint rows are listed on its fact row (schema.ts, since v6).
    const changedCalls = db.prepare(`SELECT ${COLUMNS.map((c) => c.name).join(', ')}, labels, checkpoints FROM calls WHERE seq > ? AND seq <= ?`).raw();
    const addRows = (a: DuckDBAppender, list: unknown, n: bigint) => {
      for (const [key, value] of fromList(list as string | null)) {
        a.appendVarchar(key);
        a.appendVarchar(value);
        a.appendBigInt(n);
        a.endRow();
      }
    };
    for (const row of changedCalls.iterate(from, head) as Iterable<unknown[]>) {
      COLUMNS.forEach((c, i) => append(calls, c.kind, row[i]));
      calls.endRow();
      const n = BigInt(row[0] as number);
      addRows(labels, row[COLUMNS.length], n);
      addRows(checkpoints, row[COLUMNS.length + 1], n);
    }
    calls.closeSync();
    labels.closeSync();
    checkpoints.closeSync();
    this.appendedSinceSort += head - from;
    this.lastSeq = head;
    if (this.appendedSinceSort >= Math.max(this.resortAfterRows, this.sortedRows / 10)) await this.sortTables();
  }

  /**
   * Rewrites the tables in the order filters probe them (checkpoint and label values, recording
   * time): DuckDB's per-row-group min/max then skips most of a table (×4–8 faster joins at 1M calls).
   */
  private async sortTables(): Promise<void> {
    for (const [table, order] of [['calls', 'recorded_ms, n'], ['call_labels', 'kind, value, call_n'], ['call_checkpoints', 'checkpoint_id, outcome, call_n']] as const) {
      await this.con.run(`CREATE TABLE ${table}_sorted AS SELECT * FROM ${table} ORDER BY ${order}`);
      await this.con.run(`DROP TABLE ${table}`);
      await this.con.run(`ALTER TABLE ${table}_sorted RENAME TO ${table}`);
    }
    const [[rows]] = (await this.rows('SELECT count(*) FROM calls', [])) as [[number]];
    this.sortedRows = rows;
    this.appendedSinceSort = 0;
  }

  /** A temporary table `(n BIGINT)` of call numbers (text matches, changed calls); `fill` runs synchronously. */
  async numbersTable(fill: (add: (n: number) => void) => void): Promise<string> {
    const name = `numbers_${++this.tempTables}`;
    await this.con.run(`CREATE TEMP TABLE ${name} (n BIGINT)`);
    const a = await this.con.createAppender(name);
    fill((n) => {
      a.appendBigInt(BigInt(n));
      a.endRow();
    });
    a.closeSync();
    return name;
  }

  async dropTable(name: string): Promise<void> {
    await this.con.run(`DROP TABLE IF EXISTS ${name}`);
  }

  async rows(sql: string, params: unknown[]): Promise<unknown[][]> {
    const result = await this.con.run(sql, params as never);
    const rows = (await result.getRowsJS()) as unknown[][];
    return rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }
}
