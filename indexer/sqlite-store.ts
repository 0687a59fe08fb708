import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { CallScopeError } from '../core/errors.ts';
import type { CallDoc } from '../core/schemas.ts';
import { bySimilarity, listPage, MAX_REFS, sameBase, searchPage, segmentKnnHit, withGrade, withoutSegmentEmbeddings, type CallQuery, type CallRef, type CallStore, type Grade, type KnnHit, type Page, type QueryPage, type SearchHit, type SearchQuery, type SegmentKnnHit } from './call-store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { AggregateRequest, cappedTotal, Filter as FilterSchema, KnnQuery, parseStoreInput, SegmentKnnQuery, StoreQuery, type Agg, type AggregateResult, type Filter, type SortField, type TextQuery } from './query-model.ts';
import { cheapForScan, scannable, scanNewestFirst } from './sqlite/text-scan.ts';
import { sortedTextPage, WALKABLE } from './sqlite/text-sorted.ts';
import { SqlAggregator, type Dialect } from './sqlite/aggregate-sql.ts';
import { AnalyticsMirror } from './sqlite/analytics-mirror.ts';
import { checkpointsOf, factValues, gradeValues, segmentTextHash, segmentTriples } from './sqlite/call-row.ts';
import { DocDictionaries, packDoc, serializeDoc, unpackDoc, type StoredBlob, type WriteDictionary } from './sqlite/doc-codec.ts';
import { PreparePool, type TokenizerModule } from './sqlite/prepare-pool.ts';
import { WalCheckpointer } from './sqlite/wal-checkpointer.ts';
import { callText, wordsInOneSegment, type CallText, type PreparedWrite } from './sqlite/prepared-write.ts';
import { filterSql, leafCallsSql, textMatches, WORDS_IN_ONE_SEGMENT, type Sql } from './sqlite/filter-sql.ts';
import { CALLS_PER_MINUTE, DATE_COLUMNS, DDL, FACT_COLUMNS, fromList, FTS_DDL, toList, MAX_SEGMENTS, minuteOfCall, NUMERIC_COLUMNS, recordingMinute, SCHEMA_VERSION, UNDATED, WORDS_DDL } from './sqlite/schema.ts';
import { searchMatches, type Tokenizer } from './text-terms.ts';
import { adoptLegacyCallVectors, callVectorIndex, callVectorRows } from './sqlite/vector-calls.ts';
import type { NearestVector, VectorIndex, VectorIndexOptions, VectorQuery } from './sqlite/vector-index.ts';
import { segmentVectorIndex, segmentVectorRows } from './sqlite/vector-segments.ts';
import type { z } from 'zod';

export type { Tokenizer } from './text-terms.ts';

type Existing = { n: number; text_hash: string; segment_count: number; labels: string | null; checkpoints: string | null };

export type SqliteStoreOptions = {
  /**
   * Where aggregations run: 'duckdb' (default) — an in-memory columnar mirror of the fact tables in
   * this process, kept current from the file — or 'sqlite' (the file itself; no extra memory).
   */
  analytics?: 'duckdb' | 'sqlite';
  /** The mirror re-sorts its tables after this many changed calls (tests use 0: after every change). */
  mirrorResortAfter?: number;
  /** The segment-embedding index (exact below a size, IVF above it). */
  vectors?: VectorIndexOptions;
  /**
   * Bulk writes (`putMany` of at least PREPARE_IN_THREADS_FROM calls) hash, compress and cut the
   * text of their documents in this many worker threads while this thread inserts (0: none, the
   * default). `tokenizer` names the module export that is `tokenizer.index` in those threads.
   */
  prepareThreads?: { count: number; tokenizer: TokenizerModule };
  /** Text queries sorted by score sort up to this many matching calls directly, and walk the score index above (text-sorted.ts; tests lower it). */
  sortDirectlyUpTo?: number;
};

/** Below this many calls a putMany is not a bulk write: it prepares its documents itself (handing them over costs more than it saves) and starts no checkpoint thread. */
export const PREPARE_IN_THREADS_FROM = 200;
const PREPARE_CHUNK = 100;

/** Page size of a new store file (bulk load: see docs/store.md, "Bulk load: batched label, checkpoint and counter writes"). */
export const PAGE_SIZE = 16_384;
const WAL_CHECKPOINT_BYTES = 10_000 * 4_096;

const DAY_MS = 86_400_000;
const RECORDED_AT = FACT_COLUMNS.indexOf('recorded_ms');
const LABELS = FACT_COLUMNS.indexOf('labels');
const CHECKPOINTS = FACT_COLUMNS.indexOf('checkpoints');

/** Does a filter (or an aggregation tree) use custom fields? Those are answered by SQLite's JSON functions. */
function filterUsesCustom(f: Filter): boolean {
  return f.custom !== undefined || (f.not ?? []).some(filterUsesCustom);
}
function aggsUseCustom(aggs: Record<string, Agg> | undefined): boolean {
  return Object.values(aggs ?? {}).some(
    (a) => (a.type === 'terms' && a.field.startsWith('custom:')) || (a.type === 'filter' && filterUsesCustom(a.filter)) || ('aggs' in a && aggsUseCustom(a.aggs)),
  );
}
function filtersOf(aggs: Record<string, Agg> | undefined): Filter[] {
  return Object.values(aggs ?? {}).flatMap((a) => [...(a.type === 'filter' ? [a.filter] : []), ...('aggs' in a ? filtersOf(a.aggs) : [])]);
}

const MISSING_LAST = { asc: 1e300, desc: -1e300 } as const;
const sortColumn = (field: SortField) =>
  field in DATE_COLUMNS ? DATE_COLUMNS[field as keyof typeof DATE_COLUMNS] : NUMERIC_COLUMNS[field as keyof typeof NUMERIC_COLUMNS];

/**
 * The embedded store: one SQLite file (WAL; readers and one writer from any number of processes).
 * A narrow fact table for filters and aggregations, FTS5 over jieba words of the masked text,
 * sqlite-vec for cosine kNN, the documents (V8-serialised, LZ4-compressed: doc-codec.ts) beside them.
 */
/** A stored document (validated on the way in) and the grades kept beside it (putGrades), if any. */
const GRADES_DDL = 'CREATE TABLE IF NOT EXISTS call_grades (n INTEGER PRIMARY KEY, grade TEXT NOT NULL)';
type StoredDoc = [doc: Buffer, codec: number | null, grade: string | null];

/** Deletes the rows (a, b, n) no longer listed and inserts (or, in a putMany, queues) the new ones: a re-score touches only what changed. */
function replaceRows(old: Array<[string, string]>, now: Array<[string, string]>, remove: Database.Statement, insert: (a: string, b: string, n: number) => void, n: number): void {
  const key = ([a, b]: [string, string]) => `${a}\t${b}`;
  const before = new Set(old.map(key));
  const after = new Set(now.map(key));
  for (const row of old) if (!after.has(key(row))) remove.run(row[0], row[1], n);
  for (const row of now) if (!before.has(key(row))) insert(row[0], row[1], n);
}

/** A single-row INSERT of (a, b, call) as the function replaceRows and write() take (a putMany queues instead: QueuedRows.add). */
const rowInserter =
  (insert: Database.Statement) =>
  (a: string, b: string, n: number): void =>
    void insert.run(a, b, n);

/** Rows a multi-row INSERT of the label and checkpoint rows of a putMany takes at most. */
const ROWS_PER_INSERT = 100;

/**
 * The label and checkpoint rows (a, b, call) a putMany inserts, kept until the end of its
 * transaction and then inserted in primary-key order, ROWS_PER_INSERT rows a statement: ~10
 * single-row inserts a call at scattered places of two b-trees become a few ordered multi-row
 * ones. Nothing in the batch reads these rows meanwhile (each id is written once; the rows it
 * removes are those of calls written before it).
 */
class QueuedRows {
  /** a → b → call numbers (in the order written: call-number order, but for re-puts). */
  private readonly rows = new Map<string, Map<string, number[]>>();
  private readonly statements = new Map<number, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    /** `INSERT OR IGNORE INTO t (a, b, call_n) VALUES`. */
    private readonly insertInto: string,
  ) {}

  readonly add = (a: string, b: string, n: number): void => {
    let byB = this.rows.get(a);
    if (!byB) this.rows.set(a, (byB = new Map()));
    const ns = byB.get(b);
    if (ns) ns.push(n);
    else byB.set(b, [n]);
  };

  /** Inserts the queued rows (INSERT OR IGNORE, like the single-row statement) and empties the queue. */
  flush(): void {
    const params: Array<string | number> = new Array(ROWS_PER_INSERT * 3);
    let k = 0;
    // Sorted as JavaScript compares strings (UTF-16), not quite SQLite's bytes: only the speed depends on it.
    for (const a of [...this.rows.keys()].sort()) {
      const byB = this.rows.get(a)!;
      for (const b of [...byB.keys()].sort()) {
        const ns = byB.get(b)!;
        if (ns.some((n, i) => i > 0 && n < ns[i - 1]!)) ns.sort((x, y) => x - y);
        for (const n of ns) {
          params[k++] = a;
          params[k++] = b;
          params[k++] = n;
          if (k === params.length) {
            this.statement(ROWS_PER_INSERT).run(params);
            k = 0;
          }
        }
      }
    }
    if (k > 0) this.statement(k / 3).run(params.slice(0, k));
    this.rows.clear();
  }

  clear(): void {
    this.rows.clear();
  }

  /** The INSERT of `count` rows: the full-size one, and one per remainder size met. */
  private statement(count: number): Database.Statement {
    let stmt = this.statements.get(count);
    if (!stmt) this.statements.set(count, (stmt = this.db.prepare(`${this.insertInto} ${Array.from({ length: count }, () => '(?, ?, ?)').join(', ')}`)));
    return stmt;
  }
}

export class SqliteCallStore implements CallStore {
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteCallStore['prepareStatements']>;
  private readonly segmentVectors: VectorIndex;
  private readonly checkpointer: WalCheckpointer;
  private readonly callVectors: VectorIndex;
  private readonly dictionaries: DocDictionaries;

  private mirror: Promise<AnalyticsMirror> | null = null;
  /** The mirror has one DuckDB connection: a request's temp tables, appenders and queries must not interleave with another's. */
  private mirrorTurn: Promise<unknown> = Promise.resolve();

  constructor(
    file: string,
    private readonly tokenizer: Tokenizer,
    private readonly options: SqliteStoreOptions = {},
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    sqliteVec.load(this.db);
    // Wait on locks from the first statement: even switching to WAL can meet another writer.
    this.db.pragma('busy_timeout = 5000');
    // A new file gets 16 KiB pages (before WAL writes its header; an existing file keeps its size):
    // a commit writes its pages to the WAL one system call each, a quarter as many as with 4 KiB.
    this.db.pragma(`page_size = ${PAGE_SIZE}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('cache_size = -65536');
    // Checkpoint the WAL every ~40 MB instead of 4 MB (as the record store does): a re-score writes a few
    // kilobytes a call, and every checkpoint copies the pages out and syncs the file. (Counted in pages: 10,000 of 4 KiB.)
    const autocheckpointPages = Math.round(WAL_CHECKPOINT_BYTES / (this.db.pragma('page_size', { simple: true }) as number));
    this.db.pragma(`wal_autocheckpoint = ${autocheckpointPages}`);
    this.checkpointer = new WalCheckpointer(this.db, file, autocheckpointPages);
    // The "all these words in one segment" check of text leaves (filter-sql.ts), on the candidates FTS5 finds.
    this.db.function(WORDS_IN_ONE_SEGMENT, { deterministic: true }, (words, role, terms) =>
      wordsInOneSegment(words as string, role as string | null, (terms as string).split(' ')) ? 1 : 0,
    );
    // Grades kept beside documents (putGrades); added without a schema version: older files just gain the table.
    this.db.exec(GRADES_DDL);
    // Segment and call embeddings: IVF indexes in their own tables (IF NOT EXISTS), also without a schema version.
    this.segmentVectors = segmentVectorIndex(this.db, options.vectors);
    this.callVectors = callVectorIndex(this.db, options.vectors);
    // The documents' dictionaries (and call_docs.codec on older files), also without a schema version.
    this.dictionaries = new DocDictionaries(this.db);
    this.migrate();
    adoptLegacyCallVectors(this.db, this.callVectors);
    this.stmt = this.prepareStatements();
  }

  /** Creates the tables, or moves documents from an older layout into the current one (the index is derived data). */
  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version === SCHEMA_VERSION) return;
    if (version === 5) {
      this.db.transaction(() => {
        this.textRowsPerCall();
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })();
      return;
    }
    if (version >= 2 && version <= 4) {
      this.inWriteTransaction(() => {
        this.rebuildFromStoredDocuments();
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      });
      return;
    }
    const hasCalls = this.db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'calls'`).get() !== undefined;
    if (version !== 0 || !hasCalls) {
      if (version !== 0 && version !== SCHEMA_VERSION) throw new CallScopeError('CONFIG_INVALID', `index schema ${version} is newer or unknown; rebuild the index`);
      this.db.exec(DDL);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return;
    }
    // Version 1 (no user_version): calls(id, …, doc_hash, doc JSON) and a segments_fts with content.
    this.inWriteTransaction(() => {
      this.db.exec('ALTER TABLE calls RENAME TO calls_v1; DROP TABLE IF EXISTS segments_fts;');
      for (const idx of this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls_v1' AND sql IS NOT NULL`).all() as Array<{ name: string }>) {
        this.db.exec(`DROP INDEX "${idx.name}"`);
      }
      this.db.exec(DDL);
      const stmt = this.prepareStatements();
      const batch = this.db.prepare('SELECT rowid, doc_hash, doc FROM calls_v1 WHERE rowid > ? ORDER BY rowid LIMIT 1000');
      for (let last = 0, rows = batch.all(last) as Array<{ rowid: number; doc_hash: string; doc: string }>; rows.length > 0; rows = batch.all(last) as typeof rows) {
        for (const row of rows) this.write(JSON.parse(row.doc) as CallDoc, row.doc_hash, stmt);
        last = rows[rows.length - 1]!.rowid;
      }
      this.db.exec('DROP TABLE calls_v1');
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    });
  }

  /**
   * Version 5 → 6: the full-text rows become one per call (v5 had one per segment) and the
   * segment words are kept for the multi-word check; each call's label and checkpoint rows are
   * listed on its fact row, and their by-call indexes go. Call numbers are the same in both, so
   * only the text rows are rebuilt, from the stored documents (jieba again: the FTS table keeps no text).
   */
  private textRowsPerCall(): void {
    this.db.exec(`ALTER TABLE calls ADD COLUMN labels TEXT; ALTER TABLE calls ADD COLUMN checkpoints TEXT;
      UPDATE calls SET
        labels = (SELECT group_concat(kind || char(9) || value, char(10)) FROM call_labels WHERE call_n = calls.n),
        checkpoints = (SELECT group_concat(checkpoint_id || char(9) || outcome, char(10)) FROM call_checkpoints WHERE call_n = calls.n);
      DROP INDEX call_labels_call; DROP INDEX call_checkpoints_call;`);
    this.db.exec(`DROP TABLE IF EXISTS segments_fts; DROP TABLE IF EXISTS call_fts; DROP TABLE IF EXISTS call_words; ${FTS_DDL} ${WORDS_DDL}`);
    const stmt = this.prepareStatements();
    const batch = this.db.prepare('SELECT n, doc, codec FROM call_docs WHERE n > ? ORDER BY n LIMIT 1000').raw();
    for (let last = -Infinity, rows = batch.all(last) as Array<[number, Buffer, number | null]>; rows.length > 0; rows = batch.all(last) as typeof rows) {
      for (const [n, blob, codec] of rows) this.insertText(n, callText(this.unpack({ blob, codec }), this.tokenizer), stmt);
      last = rows[rows.length - 1]![0];
    }
  }

  /**
   * Versions 2–4 → 6: call numbers follow recording time since v5 (and FTS rowids with them; v4
   * changed the FTS columns), so every table is rebuilt from the stored documents (the FTS table
   * keeps no text). The compressed documents are carried over as they are.
   */
  private rebuildFromStoredDocuments(): void {
    this.db.exec('ALTER TABLE calls RENAME TO calls_old; ALTER TABLE call_docs RENAME TO call_docs_old; ALTER TABLE call_grades RENAME TO call_grades_old;');
    for (const idx of this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('calls_old', 'call_docs_old') AND sql IS NOT NULL`).all() as Array<{ name: string }>) {
      this.db.exec(`DROP INDEX "${idx.name}"`);
    }
    for (const t of ['call_labels', 'call_checkpoints', 'call_vectors', 'segments_fts', 'call_fts', 'call_words', 'store_counters', 'deleted_calls']) this.db.exec(`DROP TABLE IF EXISTS ${t}`);
    this.db.exec(DDL);
    this.db.exec(GRADES_DDL);
    // Vector keys are call numbers: the call vectors come back from the documents, segment vectors when calls are analysed or put again.
    this.callVectors.clear();
    this.segmentVectors.clear();
    const stmt = this.prepareStatements();
    const batch = this.db
      .prepare('SELECT c.n, c.doc_hash, d.doc, d.codec, g.grade FROM calls_old c JOIN call_docs_old d ON d.n = c.n LEFT JOIN call_grades_old g ON g.n = c.n WHERE c.n > ? ORDER BY c.n LIMIT 1000')
      .raw();
    for (let last = -1, rows = batch.all(last) as Array<[number, string, Buffer, number | null, string | null]>; rows.length > 0; rows = batch.all(last) as typeof rows) {
      // A document with grades beside it is written whole with them; the others carry their compressed blob (and its codec) over.
      for (const [, hash, blob, codec, grade] of rows) this.write(this.unpackStored([blob, codec, grade]), hash, stmt, grade === null ? { blob, codec } : undefined);
      last = rows[rows.length - 1]![0];
    }
    this.db.exec('DROP TABLE calls_old; DROP TABLE call_docs_old; DROP TABLE call_grades_old;');
  }

  private insertText(n: number, text: CallText, stmt = this.stmt): void {
    stmt.insertText.run(n, text.agent, text.customer, text.unknown);
    stmt.insertWords.run(n, text.words);
  }

  private deleteText(n: number, stmt = this.stmt): void {
    stmt.deleteText.run(n);
    stmt.deleteWords.run(n);
  }

  private prepareStatements() {
    const cols = FACT_COLUMNS.join(', ');
    const marks = FACT_COLUMNS.map(() => '?').join(', ');
    return {
      existing: this.db.prepare('SELECT n, text_hash, segment_count, labels, checkpoints FROM calls WHERE id = ?'),
      nextSeq: this.db.prepare(`UPDATE store_counters SET value = value + 1 WHERE name = 'seq' RETURNING value`).pluck(),
      seqNow: this.db.prepare(`SELECT value FROM store_counters WHERE name = 'seq'`).pluck(),
      setSeq: this.db.prepare(`UPDATE store_counters SET value = ? WHERE name = 'seq'`),
      insertCall: this.db.prepare(`INSERT INTO calls (n, id, ${cols}, seq) VALUES (?, ?, ${marks}, ?)`),
      lastInMinute: this.db.prepare('SELECT max(n) FROM calls WHERE n >= ? AND n < ?').pluck(),
      lowest: this.db.prepare('SELECT min(n) FROM calls').pluck(),
      updateCall: this.db.prepare(`UPDATE calls SET ${FACT_COLUMNS.map((c) => `${c} = ?`).join(', ')}, seq = ? WHERE n = ?`),
      logDelete: this.db.prepare('INSERT INTO deleted_calls (seq, n) VALUES (?, ?)'),
      putDoc: this.db.prepare('INSERT OR REPLACE INTO call_docs (n, doc, codec) VALUES (?, ?, ?)'),
      deleteLabel: this.db.prepare('DELETE FROM call_labels WHERE kind = ? AND value = ? AND call_n = ?'),
      deleteCheckpoint: this.db.prepare('DELETE FROM call_checkpoints WHERE checkpoint_id = ? AND outcome = ? AND call_n = ?'),
      insertLabel: this.db.prepare('INSERT OR IGNORE INTO call_labels (kind, value, call_n) VALUES (?, ?, ?)'),
      insertCheckpoint: this.db.prepare('INSERT OR IGNORE INTO call_checkpoints (checkpoint_id, outcome, call_n) VALUES (?, ?, ?)'),
      insertText: this.db.prepare('INSERT INTO call_fts (rowid, agent, customer, unknown) VALUES (?, ?, ?, ?)'),
      deleteText: this.db.prepare('DELETE FROM call_fts WHERE rowid = ?'),
      insertWords: this.db.prepare('INSERT INTO call_words (n, words) VALUES (?, ?)'),
      deleteWords: this.db.prepare('DELETE FROM call_words WHERE n = ?'),
      deleteCall: this.db.prepare('DELETE FROM calls WHERE n = ?'),
      deleteDoc: this.db.prepare('DELETE FROM call_docs WHERE n = ?'),
      docById: this.db.prepare('SELECT d.doc, d.codec, g.grade FROM calls c JOIN call_docs d ON d.n = c.n LEFT JOIN call_grades g ON g.n = c.n WHERE c.id = ?').raw(),
      docByN: this.db.prepare('SELECT d.doc, d.codec, g.grade FROM call_docs d LEFT JOIN call_grades g ON g.n = d.n WHERE d.n = ?').raw(),
      gradeTarget: this.db.prepare('SELECT n, doc_hash, scorecard_id, score, passed, vetoed, checkpoints FROM calls WHERE id = ?').raw(),
      putGrade: this.db.prepare('INSERT OR REPLACE INTO call_grades (n, grade) VALUES (?, ?)'),
      deleteGrade: this.db.prepare('DELETE FROM call_grades WHERE n = ?'),
      docHash: this.db.prepare('SELECT doc_hash FROM calls WHERE id = ?').pluck(),
    };
  }

  // Write transactions start IMMEDIATE: a deferred one reads first and then upgrades to a write
  // lock, which SQLite refuses at once (SQLITE_BUSY, no busy wait) when another process wrote in
  // between — several `callscope worker` processes share this file.
  async put(doc: CallDoc, docHash: string): Promise<void> {
    this.inWriteTransaction(() => this.write(doc, docHash));
  }

  /** Every transaction that writes documents: a dictionary it saved is forgotten again if it rolls back. */
  private inWriteTransaction(fn: () => void): void {
    let committed = false;
    try {
      this.db.transaction(fn).immediate();
      committed = true;
    } finally {
      this.dictionaries.settle(committed);
    }
  }

  /** A stored document, its grades (putGrades) laid over it. */
  private unpackStored([blob, codec, grade]: StoredDoc): CallDoc {
    return withGrade(this.unpack({ blob, codec }), grade === null ? null : (JSON.parse(grade) as Pick<Grade, 'scores' | 'scoreVersion'>));
  }
  private unpack(stored: StoredBlob): CallDoc {
    return unpackDoc(stored, this.dictionaries.bytesOf);
  }

  /** Inside a write transaction: a document packed by the writing thread. */
  private packOne(doc: CallDoc): StoredBlob {
    const serialized = serializeDoc(withoutSegmentEmbeddings(doc));
    const dictionary = this.dictionaries.forWrite(1, () => serialized);
    return { blob: packDoc(serialized, dictionary?.bytes ?? null), codec: this.dictionaries.codecOf(dictionary) };
  }

  /**
   * Puts many calls in one transaction (bulk load, re-score): all land or none. (Compressing on
   * libuv's pool instead was tried: Node's async zlib cost ~4× more main-thread time per document.)
   */
  async putMany(docs: ReadonlyArray<{ doc: CallDoc; docHash: string }>): Promise<void> {
    // Written in call-number order (recording minute; the last version of a repeated id wins):
    // FTS5 flushes its pending index whenever a rowid goes backwards within a transaction, which
    // made a batch in random time order ~20 % dearer; the b-trees keyed by n also append instead of split.
    const latest = new Map<string, { doc: CallDoc; docHash: string; minute: number }>();
    for (const { doc, docHash } of docs) {
      latest.delete(doc.id);
      const t = doc.recordedAt ? Date.parse(doc.recordedAt) : NaN;
      latest.set(doc.id, { doc, docHash, minute: recordingMinute(Number.isFinite(t) ? t : null) });
    }
    const ordered = [...latest.values()].sort((a, b) => a.minute - b.minute);
    if (ordered.length >= PREPARE_IN_THREADS_FROM) this.checkpointer.start();
    const undated = ordered.filter((d) => d.minute === UNDATED).length;
    const serialized = (i: number) => serializeDoc(withoutSegmentEmbeddings(ordered[i]!.doc));
    const dictionary = this.dictionaries.forWrite(ordered.length, serialized);
    const prepared = this.prepareInThreads(ordered.map((d) => d.doc), serialized, dictionary);
    this.inWriteTransaction(() => {
      const codec = this.dictionaries.codecOf(dictionary);
      const queued = (this.queuedRows ??= { labels: new QueuedRows(this.db, 'INSERT OR IGNORE INTO call_labels (kind, value, call_n) VALUES'), checkpoints: new QueuedRows(this.db, 'INSERT OR IGNORE INTO call_checkpoints (checkpoint_id, outcome, call_n) VALUES') });
      this.batch = {
        // The seq counter is read here and written once at the end (the transaction is IMMEDIATE: no other writer in between).
        seq: this.stmt.seqNow.get() as number,
        // New calls without a recording time get an ascending block of numbers below all others.
        undatedNext: undated > 0 ? Math.min(0, (this.stmt.lowest.get() as number | null) ?? 0) - undated : null,
        ...queued,
        lastInMinute: new Map(),
      };
      try {
        this.callVectors.batched(() =>
          this.segmentVectors.batched(() => {
            ordered.forEach(({ doc, docHash }, i) => {
              const p = prepared?.(i);
              this.write(doc, docHash, this.stmt, { blob: p?.packed ?? packDoc(serialized(i), dictionary?.bytes ?? null), codec }, p);
            });
          }),
        );
        queued.labels.flush();
        queued.checkpoints.flush();
        this.stmt.setSeq.run(this.batch.seq);
      } finally {
        queued.labels.clear();
        queued.checkpoints.clear();
        this.batch = null;
      }
    });
  }
  private queuedRows: { labels: QueuedRows; checkpoints: QueuedRows } | null = null;
  /**
   * What a putMany keeps until the end of its transaction (see QueuedRows, VectorIndex.batched for
   * the rest): the last seq stamp it gave (the counter row is written once), the next number for a
   * call without a recording time, its label and checkpoint rows, and the last number it gave in each
   * minute — above every number of its minute, so the calls the batch removes (moved to another
   * minute) never change it, and the next call of the minute takes the one after.
   */
  private batch: { seq: number; undatedNext: number | null; labels: QueuedRows; checkpoints: QueuedRows; lastInMinute: Map<number, number> } | null = null;
  private nextSeq(stmt = this.stmt): number {
    if (this.batch) return ++this.batch.seq;
    return stmt.nextSeq.get() as number;
  }

  private pool: PreparePool | null = null;
  /**
   * Starts hashing, compressing and cutting the documents in the prepare threads (when the store
   * has them and the batch is large enough); the transaction then takes each result in order. The
   * text hash read here may be stale by then: write() cuts the text itself if it is.
   */
  private prepareInThreads(docs: CallDoc[], serialized: (i: number) => Buffer, dictionary: WriteDictionary | null): ((i: number) => PreparedWrite) | null {
    const threads = this.options.prepareThreads;
    if (!threads || threads.count < 1 || docs.length < PREPARE_IN_THREADS_FROM) return null;
    if (this.pool?.broken) void this.pool.close();
    if (!this.pool || this.pool.broken) this.pool = new PreparePool(threads.count, threads.tokenizer);
    const indexed = docs.map((d) => (this.stmt.existing.get(d.id) as Existing | undefined)?.text_hash ?? null);
    return this.pool.submit(serialized, docs.map(segmentTriples), indexed, dictionary?.bytes ?? null, PREPARE_CHUNK);
  }

  /** Writes one call; its full-text rows are rebuilt only when its segment text changed. */
  private write(doc: CallDoc, docHash: string, stmt = this.stmt, stored?: StoredBlob, prepared?: PreparedWrite): void {
    if (doc.segments.length > MAX_SEGMENTS) throw new CallScopeError('BAD_REQUEST', `a call holds at most ${MAX_SEGMENTS} segments`);
    const textHash = prepared?.textHash ?? segmentTextHash(doc);
    const values = factValues(doc, docHash, textHash);
    const minute = recordingMinute(values[RECORDED_AT] as number | null);
    let previous = stmt.existing.get(doc.id) as Existing | undefined;
    if (previous && minuteOfCall(previous.n) !== minute) {
      // Its recording time moved to another minute: the call gets a number in that minute.
      this.removeRows(previous, stmt);
      previous = undefined;
    }
    const seq = this.nextSeq(stmt);
    const insertLabel = this.batch?.labels.add ?? rowInserter(stmt.insertLabel);
    const insertCheckpoint = this.batch?.checkpoints.add ?? rowInserter(stmt.insertCheckpoint);
    let n: number;
    if (previous) {
      // A re-score changes a few outcomes: touch only the rows that differ (fewer pages per commit).
      n = previous.n;
      this.updateChangedColumns(n, values, seq);
      stmt.deleteGrade.run(n);
      replaceRows(fromList(previous.labels), fromList(values[LABELS] as string | null), stmt.deleteLabel, insertLabel, n);
      replaceRows(fromList(previous.checkpoints), fromList(values[CHECKPOINTS] as string | null), stmt.deleteCheckpoint, insertCheckpoint, n);
    } else {
      n = this.freeNumber(minute, stmt);
      stmt.insertCall.run(n, doc.id, ...values, seq);
      for (const [kind, value] of fromList(values[LABELS] as string | null)) insertLabel(kind, value, n);
      for (const [id, outcome] of fromList(values[CHECKPOINTS] as string | null)) insertCheckpoint(id, outcome, n);
    }
    const { blob, codec } = stored ?? this.packOne(doc);
    stmt.putDoc.run(n, blob, codec);
    this.callVectors.write(n, callVectorRows(n, doc), previous !== undefined);
    this.segmentVectors.write(n, segmentVectorRows(n, doc), previous !== undefined);
    if (previous?.text_hash === textHash) return;
    if (previous) this.deleteText(n, stmt);
    this.insertText(n, prepared?.text ?? callText(doc, this.tokenizer), stmt);
  }

  /** The next free number of a recording minute (or below every number, for a call without a recording time). */
  private freeNumber(minute: number, stmt = this.stmt): number {
    if (minute === UNDATED) return this.batch && this.batch.undatedNext !== null ? this.batch.undatedNext++ : Math.min(0, (stmt.lowest.get() as number | null) ?? 0) - 1;
    const first = minute * CALLS_PER_MINUTE;
    const given = this.batch?.lastInMinute;
    const last = given?.get(minute) ?? (stmt.lastInMinute.get(first, first + CALLS_PER_MINUTE) as number | null);
    const n = last === null ? first : last + 1;
    if (n >= first + CALLS_PER_MINUTE) throw new CallScopeError('BAD_REQUEST', `more than ${CALLS_PER_MINUTE} calls recorded in one minute`);
    given?.set(minute, n);
    return n;
  }

  /** Removes every row of a call (and notes the delete for the analytics mirrors). */
  private removeRows(previous: Existing, stmt = this.stmt): void {
    const { n } = previous;
    this.deleteText(n, stmt);
    for (const [kind, value] of fromList(previous.labels)) stmt.deleteLabel.run(kind, value, n);
    for (const [id, outcome] of fromList(previous.checkpoints)) stmt.deleteCheckpoint.run(id, outcome, n);
    this.callVectors.remove(n);
    this.segmentVectors.remove(n);
    stmt.deleteGrade.run(n);
    stmt.deleteDoc.run(n);
    stmt.deleteCall.run(n);
    stmt.logDelete.run(this.nextSeq(stmt), n);
  }


  async putGrades(grades: ReadonlyArray<Grade>): Promise<string[]> {
    const notApplied: string[] = [];
    this.db.transaction(() => {
      for (const g of grades) {
        const row = this.stmt.gradeTarget.get(g.id) as [number, string | null, ...unknown[]] | undefined;
        if (!row || !sameBase(row[1], g.baseHash)) {
          notApplied.push(g.id);
          continue;
        }
        const [n, , ...old] = row;
        const values = { doc_hash: g.docHash, ...gradeValues(g.scores), checkpoints: toList(checkpointsOf(g)) };
        const changed = Object.entries(values).filter(([, v], i) => i === 0 || old[i - 1] !== v);
        this.updateColumns(n, changed, this.stmt.nextSeq.get() as number);
        replaceRows(fromList(old[old.length - 1] as string | null), fromList(values.checkpoints), this.stmt.deleteCheckpoint, rowInserter(this.stmt.insertCheckpoint), n);
        // Byte for byte JSON.stringify({ scores, scoreVersion }).
        this.stmt.putGrade.run(n, `{"scores":${g.scoresJson ?? JSON.stringify(g.scores)},"scoreVersion":${JSON.stringify(g.scoreVersion)}}`);
      }
    }).immediate();
    return notApplied;
  }

  private readonly updates = new Map<string, Database.Statement>();

  /**
   * Updates only the fact columns whose value changed (and seq): SQLite rewrites the entries of
   * every index whose columns appear in SET, so a re-score that SETs everything would rewrite all
   * eight indexes instead of two (seq, score).
   */
  private updateChangedColumns(n: number, values: unknown[], seq: number): void {
    const old = this.factRow.get(n) as unknown[];
    this.updateColumns(
      n,
      FACT_COLUMNS.flatMap((column, i) => (old[i] !== values[i] ? [[column, values[i]] as [string, unknown]] : [])),
      seq,
    );
  }

  private updateColumns(n: number, changed: Array<[column: string, value: unknown]>, seq: number): void {
    const key = changed.map(([c]) => c).join(',');
    let stmt = this.updates.get(key);
    if (!stmt) {
      stmt = this.db.prepare(`UPDATE calls SET ${[...changed.map(([c]) => `${c} = ?`), 'seq = ?'].join(', ')} WHERE n = ?`);
      this.updates.set(key, stmt);
    }
    stmt.run(...changed.map(([, v]) => v), seq, n);
  }

  private get factRow(): Database.Statement {
    return (this.factRowStmt ??= this.db.prepare(`SELECT ${FACT_COLUMNS.join(', ')} FROM calls WHERE n = ?`).raw());
  }
  private factRowStmt: Database.Statement | undefined;

  async get(id: string): Promise<CallDoc | null> {
    const row = this.stmt.docById.get(id) as StoredDoc | undefined;
    return row ? this.unpackStored(row) : null;
  }

  async docHash(id: string): Promise<string | null> {
    return (this.stmt.docHash.get(id) as string | undefined) ?? null;
  }

  async delete(id: string): Promise<void> {
    this.db.transaction(() => {
      const previous = this.stmt.existing.get(id) as Existing | undefined;
      if (previous) this.removeRows(previous);
    }).immediate();
  }

  private docsByN(ns: number[]): CallDoc[] {
    return ns.map((n) => this.unpackStored(this.stmt.docByN.get(n) as StoredDoc));
  }

  list(query: CallQuery): Promise<Page<CallDoc>> {
    return listPage((q) => this.query(q), query);
  }

  /** (BM25 ranking was dropped: FTS5 scores every match, ~2 s for a common word at 1M calls.) */
  search(query: SearchQuery): Promise<Page<SearchHit>> {
    return searchPage((q) => this.query(q), query);
  }

  async query(input: z.input<typeof StoreQuery>): Promise<QueryPage> {
    const q = parseStoreInput(StoreQuery, input, 'query');
    const { total, rows, more } = this.isNewestFirstText(q) ? this.newestFirstText(q) : this.isSortedText(q) ? this.sortedText(q) : await this.withDialect([q.filter], filterUsesCustom(q.filter), async (dialect) => {
      const where = dialect.filter(q.filter);
      const [[count]] = (await dialect.rows(`SELECT count(*) FROM calls c WHERE ${where.sql}`, where.params)) as [[number]];
      const keys = q.sort.map((s) => ({ expr: `coalesce(c.${sortColumn(s.field)}, ${MISSING_LAST[s.order]})`, order: s.order }));
      const seek = q.after ? this.seekAfter(keys, decodeCursor(q.after, keys.length + 1)) : null;
      const conditions = seek ? `(${where.sql}) AND (${seek.sql})` : where.sql;
      const orderBy = [...keys.map((k) => `${k.expr} ${k.order.toUpperCase()}`), 'c.id ASC'].join(', ');
      const page = await dialect.rows(
        `SELECT c.n, ${keys.map((k) => k.expr).join(', ')}, c.id FROM calls c WHERE ${conditions} ORDER BY ${orderBy} LIMIT ? OFFSET ?`,
        [...where.params, ...(seek?.params ?? []), q.size + 1, q.offset ?? 0],
      );
      return { total: cappedTotal(Number(count), q.trackTotalHits), rows: page.slice(0, q.size), more: page.length > q.size };
    });
    const docs = this.docsByN(rows.map((r) => Number(r[0])));
    const items = docs.map((call) => ({ call, matches: searchMatches(call, q.filter.text, this.tokenizer) }));
    const last = rows[rows.length - 1];
    return { ...total, items, next: last && more ? encodeCursor(last.slice(1)) : null };
  }

  /** Read from the SQLite file (the recording-time index serves the usual date range); no document is decompressed. */
  async refs(input: Filter): Promise<CallRef[]> {
    const where = filterSql(parseStoreInput(FilterSchema, input, 'filter'), this.tokenizer);
    const rows = this.db
      .prepare(`SELECT c.id, c.recorded_ms, c.text_hash FROM calls c WHERE ${where.sql} ORDER BY c.recorded_ms IS NULL, c.recorded_ms, c.id LIMIT ?`)
      .raw()
      .all(...where.params, MAX_REFS + 1) as Array<[string, number | null, string]>;
    if (rows.length > MAX_REFS) throw new CallScopeError('BAD_REQUEST', `more than ${MAX_REFS} calls match: narrow the filter`);
    return rows.map(([id, recordedMs, textHash]) => ({ id, recordedMs, textHash }));
  }

  /**
   * Text queries sorted newest first (the default, and /api/search) are answered by scanning
   * doclists backwards — with the DuckDB mirror, only when the rest of the filter is cheap to check.
   */
  private isNewestFirstText(q: StoreQuery): q is StoreQuery & { filter: { text: TextQuery } } {
    const [s, ...more] = q.sort;
    if (q.filter.text === undefined || more.length > 0 || s!.field !== 'recordedAt' || s!.order !== 'desc') return false;
    if ((this.options.analytics ?? 'duckdb') === 'duckdb' && !cheapForScan(q.filter)) return false;
    return scannable(q.filter as Filter & { text: TextQuery }, this.tokenizer);
  }

  /** A text-only filter sorted by score or recording time (not newest first): sorted-text path (text-sorted.ts). */
  private isSortedText(q: StoreQuery): q is StoreQuery & { filter: { text: TextQuery } } {
    const [s, ...more] = q.sort;
    if (q.filter.text === undefined || more.length > 0 || !(s!.field in WALKABLE) || Object.keys(q.filter).some((k) => k !== 'text')) return false;
    return scannable(q.filter as Filter & { text: TextQuery }, this.tokenizer);
  }

  private sortedText(q: StoreQuery & { filter: { text: TextQuery } }): { total: ReturnType<typeof cappedTotal>; rows: unknown[][]; more: boolean } {
    const s = q.sort[0]!;
    const sort = { column: WALKABLE[s.field as keyof typeof WALKABLE], order: s.order, missing: MISSING_LAST[s.order] };
    const after = q.after ? (decodeCursor(q.after, 2) as [number, string]) : null;
    const page = this.db.transaction(() => sortedTextPage(this.db, this.tokenizer, q.filter.text, sort, { after, offset: q.offset ?? 0, size: q.size }, this.options.sortDirectlyUpTo))();
    return { total: cappedTotal(page.counted, q.trackTotalHits), rows: page.rows, more: page.more };
  }

  private newestFirstText(q: StoreQuery & { filter: { text: TextQuery } }): { total: ReturnType<typeof cappedTotal>; rows: unknown[][]; more: boolean } {
    const missing = MISSING_LAST.desc;
    const after = q.after ? (decodeCursor(q.after, 2) as [number, string]) : null;
    const pageFrom = after ? recordingMinute(after[0] === missing ? null : after[0]) : null;
    const offset = q.offset ?? 0;
    const cap = q.trackTotalHits === true ? Infinity : q.trackTotalHits;
    const { counted, page } = this.db.transaction(() => scanNewestFirst(this.db, this.tokenizer, q.filter, { cap, need: offset + q.size + 1, pageFrom }))();
    // The scan returns whole minutes: order them exactly (recording time, then id) and cut the page.
    const keyed: Array<[number, number, string]> = [];
    for (let i = 0; i < page.length; i += 500) {
      const chunk = page.slice(i, i + 500);
      keyed.push(...(this.db.prepare(`SELECT n, coalesce(recorded_ms, ${missing}), id FROM calls WHERE n IN (${chunk.map(() => '?').join(', ')})`).raw().all(...chunk) as typeof keyed));
    }
    const afterCursor = after ? keyed.filter(([, key, id]) => key < after[0] || (key === after[0] && id > after[1])) : keyed;
    afterCursor.sort((a, b) => b[1] - a[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
    const rows = afterCursor.slice(offset, offset + q.size + 1);
    return { total: cappedTotal(counted, q.trackTotalHits), rows: rows.slice(0, q.size), more: rows.length > q.size };
  }

  /** search_after: rows strictly after the cursor in (sort keys…, id) order. */
  private seekAfter(keys: Array<{ expr: string; order: 'asc' | 'desc' }>, after: unknown[]): Sql {
    const all = [...keys, { expr: 'c.id', order: 'asc' as const }];
    const ors: string[] = [];
    const params: unknown[] = [];
    all.forEach((k, i) => {
      const eqs = all.slice(0, i).map((p) => `${p.expr} = ?`);
      ors.push([...eqs, `${k.expr} ${k.order === 'asc' ? '>' : '<'} ?`].join(' AND '));
      params.push(...after.slice(0, i + 1));
    });
    return { sql: ors.map((o) => `(${o})`).join(' OR '), params };
  }

  async aggregate(input: z.input<typeof AggregateRequest>): Promise<AggregateResult> {
    const req = parseStoreInput(AggregateRequest, input, 'aggregation request');
    const usesCustom = filterUsesCustom(req.filter) || aggsUseCustom(req.aggs);
    return this.withDialect([req.filter, ...filtersOf(req.aggs)], usesCustom, async (dialect) => {
      const where = dialect.filter(req.filter);
      const [[total]] = (await dialect.rows(`SELECT count(*) FROM calls c WHERE ${where.sql}`, where.params)) as [[number]];
      return { total: Number(total), aggs: await new SqlAggregator(dialect, req.filter).run(req.aggs) };
    });
  }

  /**
   * Runs SQL over the fact tables: on the DuckDB mirror (caught up first; text leaves matched by
   * FTS5 here and handed over as tables of call numbers), or on SQLite when asked to or when the
   * request uses custom fields (SQLite's JSON functions answer those).
   */
  private async withDialect<T>(filters: Filter[], usesCustom: boolean, fn: (dialect: Dialect) => Promise<T>): Promise<T> {
    if ((this.options.analytics ?? 'duckdb') === 'sqlite' || usesCustom) {
      return fn({
        dayKey: (column) => `(c.${column} + ?) / ${DAY_MS}`,
        filter: (f) => filterSql(f, this.tokenizer),
        rows: async (sql, params) => this.db.prepare(sql).raw().all(...params) as unknown[][],
      });
    }
    const run = async () => {
      this.mirror ??= AnalyticsMirror.open(2, this.options.mirrorResortAfter);
      const mirror = await this.mirror;
      await mirror.sync(this.db);
      const tables = new Map<string, string>();
      try {
        for (const leaf of filters.flatMap((f) => textMatches(f, this.tokenizer))) {
          if (tables.has(leaf.key)) continue;
          const calls = leafCallsSql(leaf);
          const ns = this.db.prepare(calls.sql).pluck().all(...calls.params) as number[]; // .all() is about twice as fast as iterating here
          tables.set(leaf.key, await mirror.numbersTable((add) => ns.forEach((n) => add(n))));
        }
        return await fn({
          dayKey: (column) => `(c.${column} + CAST(? AS BIGINT)) // ${DAY_MS}`,
          filter: (f) => filterSql(f, this.tokenizer, (leaf) => ({ sql: `c.n IN (SELECT n FROM ${tables.get(leaf.key)!})`, params: [] })),
          rows: (sql, params) => mirror.rows(sql, params),
          quantiles: (expr, percents) => `quantile_cont(${expr}, [${percents.map((p) => p / 100).join(', ')}])`,
        });
      } finally {
        for (const t of tables.values()) await mirror.dropTable(t);
      }
    };
    return this.inMirrorTurn(run);
  }

  /** Runs `work` after every earlier use of the mirror has finished (one DuckDB connection, used by one request at a time). */
  private inMirrorTurn<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.mirrorTurn.then(work, work);
    this.mirrorTurn = turn.catch(() => undefined);
    return turn;
  }

  async knn(input: z.input<typeof KnnQuery>): Promise<KnnHit[]> {
    const q = parseStoreInput(KnnQuery, input, 'kNN query');
    const { nearest, docs } = this.nearestCalls(this.callVectors, q);
    return docs.map((call, i) => ({ call, similarity: 1 - nearest[i]!.distance })).sort(bySimilarity);
  }

  async knnSegments(input: z.input<typeof SegmentKnnQuery>): Promise<SegmentKnnHit[]> {
    const q = parseStoreInput(SegmentKnnQuery, input, 'segment kNN query');
    const { nearest, docs } = this.nearestCalls(this.segmentVectors, q);
    return nearest.map((h, i) => segmentKnnHit(docs[i]!, h.segment, 1 - h.distance)).sort(bySimilarity);
  }

  /** The index's nearest vectors under the query's filter (one read transaction), with their calls' documents. */
  private nearestCalls(index: VectorIndex, q: VectorQuery & { filter: Filter }): { nearest: NearestVector[]; docs: CallDoc[] } {
    const where = filterSql(q.filter, this.tokenizer);
    if (!q.exact) index.maintainIfDue();
    const nearest = this.db.transaction(() => index.nearest(q, where.sql === '1' ? null : where))();
    return { nearest, docs: this.docsByN(nearest.map((h) => h.n)) };
  }

  async segmentVector(callId: string, segmentId: string): Promise<number[] | null> {
    const row = this.stmt.existing.get(callId) as Existing | undefined;
    const doc = row ? await this.get(callId) : null;
    const i = doc ? doc.segments.findIndex((s) => s.id === segmentId) : -1;
    return row && i >= 0 ? this.segmentVectors.vectorAt(row.n * MAX_SEGMENTS + i) : null;
  }

  /** Builds the DuckDB mirror now (about a minute per million calls) instead of on the first query; `serve` can call it at start. */
  async warm(): Promise<void> {
    if ((this.options.analytics ?? 'duckdb') !== 'sqlite') {
      await this.inMirrorTurn(async () => {
        this.mirror ??= AnalyticsMirror.open(2, this.options.mirrorResortAfter);
        await (await this.mirror).sync(this.db);
      });
    }
    // Trains or refreshes the vector indexes in a worker thread (queries answer from the old lists meanwhile), one after the other.
    await this.callVectors.maintain();
    await this.segmentVectors.maintain();
  }

  async counts(): Promise<{ calls: number; failed: number }> {
    return this.db.prepare(`SELECT count(*) AS calls, coalesce(sum(status = 'failed'), 0) AS failed FROM calls`).get() as { calls: number; failed: number };
  }

  async *all(): AsyncIterable<CallDoc> {
    const rows = this.db.prepare('SELECT d.doc, d.codec, g.grade FROM calls c JOIN call_docs d ON d.n = c.n LEFT JOIN call_grades g ON g.n = c.n ORDER BY c.recorded_ms, c.id').raw();
    for (const row of rows.iterate() as Iterable<StoredDoc>) yield this.unpackStored(row);
  }

  async close(): Promise<void> {
    await this.mirrorTurn;
    await this.callVectors.settled();
    await this.segmentVectors.settled();
    await this.pool?.close();
    await this.checkpointer.close();
    if (this.mirror) (await this.mirror).close();
    this.db.close();
  }
}
