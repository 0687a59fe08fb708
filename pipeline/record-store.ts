import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { CallError, CallMeta, Source } from '../core/schemas.ts';

/** What ingest knows of a call before any stage runs. */
export const CallRecord = z.object({
  id: z.string(),
  ingestedAt: z.string(),
  /** Where the call came from (the user's path), for messages and for clearing path-keyed failures. */
  origin: z.string(),
  source: Source,
  /** Stored copies under CALLSCOPE_DATA: the record store owns them, the user's files may move. */
  audioFile: z.string().nullable(),
  transcriptFile: z.string().nullable(),
  meta: CallMeta,
});
export type CallRecord = z.infer<typeof CallRecord>;

export const StageRecord = z.object({
  stage: z.string(),
  version: z.string(),
  inputHash: z.string(),
  at: z.string(),
  durationMs: z.number(),
  warnings: z.array(z.string()),
  output: z.unknown(),
});
export type StageRecord = z.infer<typeof StageRecord>;

export const FailureRecord = CallError.extend({ retryable: z.boolean(), at: z.string(), origin: z.string() });
export type FailureRecord = z.infer<typeof FailureRecord>;

/** `JSON.stringify(record)`, with the output's JSON given when it is known already. */
export function stageRecordJson(record: StageRecord, outputJson = JSON.stringify(record.output)): string {
  const { stage, version, inputHash, at, durationMs, warnings } = record;
  const head = JSON.stringify({ stage, version, inputHash, at, durationMs, warnings });
  // JSON.stringify leaves out an undefined output.
  return outputJson === undefined ? head : `${head.slice(0, -1)},"output":${outputJson}}`;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

// Records are a few kilobytes: synchronous reads and writes (writeFileAtomic) cost a fraction of the
// several thread-pool round trips (open, stat, read, close) an async read takes.

async function readJson(file: string): Promise<unknown | null> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return JSON.parse(text);
}

/**
 * Stages whose outputs live in a table rather than a file each: the score stage runs again for every
 * call each time a scorecard is published, so its small outputs pile up by the hundred thousand, and
 * creating a file costs ~0.5 ms here against ~20 µs for a row (bench/scoring/rescore.ts).
 */
// 'score-input' is the grade step's kept input (graph.ts GRADE_INPUT), read by every re-score.
const TABLE_STAGES = new Set(['score', 'score-input']);

/**
 * The system of record: a folder under CALLSCOPE_DATA holding each call's stored inputs and
 * every stage output per (call, stage, version) — in the call's folder, or for TABLE_STAGES in
 * stage-outputs.sqlite. The search index is derived from it.
 */
export class RecordStore {
  private db: Database.Database | undefined;
  private stmts: ReturnType<RecordStore['prepare']> | undefined;
  /**
   * Table writes are held for a moment (or until 500 are waiting) and go in one transaction, an order of
   * magnitude cheaper than one each; reading a call's outputs first writes what is waiting for it.
   */
  private pending: Array<[string, string, string, string]> = [];
  private pendingIds = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(readonly root: string) {}

  private prepare(db: Database.Database) {
    return {
      get: db.prepare('SELECT record FROM stage_outputs WHERE call_id = ? AND stage = ? AND version = ?').pluck(),
      has: db.prepare('SELECT 1 FROM stage_outputs WHERE call_id = ? AND stage = ? AND version = ?').pluck(),
      put: db.prepare('INSERT OR REPLACE INTO stage_outputs (call_id, stage, version, record) VALUES (?, ?, ?, ?)'),
      all: db.prepare('SELECT record FROM stage_outputs WHERE call_id = ? AND stage = ?').pluck(),
      remove: db.prepare('DELETE FROM stage_outputs WHERE call_id = ?'),
    };
  }

  /** Opened on first use; several processes (workers) may share it (WAL, waiting on locks). */
  private table() {
    if (!this.stmts) {
      mkdirSync(this.root, { recursive: true });
      this.db = new Database(path.join(this.root, 'stage-outputs.sqlite'));
      // Wait on locks from the first statement: even switching to WAL can meet another writer.
      this.db.pragma('busy_timeout = 10000');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // Every re-score reads each call's kept grade input: keep more of the table in memory than the 2 MB default.
      this.db.pragma('cache_size = -65536');
      // Checkpoint the WAL every ~40 MB instead of 4 MB: a re-score writes ~4 KB a call, and each checkpoint syncs the file.
      this.db.pragma('wal_autocheckpoint = 10000');
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS stage_outputs (call_id TEXT NOT NULL, stage TEXT NOT NULL, version TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (call_id, stage, version)) WITHOUT ROWID',
      );
      this.stmts = this.prepare(this.db);
    }
    return this.stmts;
  }

  private flushFor(id: string): void {
    if (this.pendingIds.has(id)) this.flush();
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0 || !this.db) return;
    const rows = this.pending.splice(0);
    this.pendingIds.clear();
    const put = this.stmts!.put;
    this.db.transaction(() => {
      for (const row of rows) put.run(...row);
    })();
  }

  close(): void {
    this.flush();
    this.db?.close();
    this.db = undefined;
    this.stmts = undefined;
  }

  private callDir(id: string): string {
    return path.join(this.root, 'records', id.slice(0, 2), id);
  }

  /** Keeps a copy of the recording (named by call id) in the store; the user's file may move. */
  async storeAudio(id: string, from: string): Promise<string> {
    return this.copyIn(from, path.join(this.root, 'audio', `${id}${path.extname(from).toLowerCase()}`));
  }

  /** Transcripts are named by their own hash: a corrected transcript is a new input, so the call is re-analysed. */
  async storeTranscript(from: string): Promise<string> {
    return this.copyIn(from, path.join(this.root, 'transcript', `${sha256(await readFile(from))}.json`));
  }

  private async copyIn(from: string, dest: string): Promise<string> {
    await mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.${randomBytes(6).toString('hex')}.tmp`;
    await copyFile(from, tmp);
    await rename(tmp, dest);
    return dest;
  }

  async getCall(id: string): Promise<CallRecord | null> {
    const raw = await readJson(path.join(this.callDir(id), 'call.json'));
    return raw === null ? null : CallRecord.parse(raw);
  }

  async putCall(record: CallRecord): Promise<void> {
    writeFileAtomic(path.join(this.callDir(record.id), 'call.json'), JSON.stringify(record, null, 1));
  }

  async getStage(id: string, stage: string, version: string): Promise<StageRecord | null> {
    if (TABLE_STAGES.has(stage)) this.flushFor(id);
    const raw = TABLE_STAGES.has(stage)
      ? ((text) => (text === undefined ? null : JSON.parse(text)))(this.table().get.get(id, stage, version) as string | undefined)
      : await readJson(path.join(this.callDir(id), `${stage}@${version}.json`));
    return raw === null ? null : StageRecord.parse(raw);
  }

  async hasStage(id: string, stage: string, version: string): Promise<boolean> {
    if (TABLE_STAGES.has(stage)) {
      this.flushFor(id);
      return this.table().has.get(id, stage, version) !== undefined;
    }
    return existsSync(path.join(this.callDir(id), `${stage}@${version}.json`));
  }

  /** Stores a stage output; `outputJson` is `JSON.stringify(record.output)` when the caller has it (it is not serialised again). */
  async putStage(id: string, record: StageRecord, outputJson?: string): Promise<void> {
    const json = stageRecordJson(record, outputJson);
    if (TABLE_STAGES.has(record.stage)) {
      this.table();
      const waiting = this.pending.push([id, record.stage, record.version, json]);
      this.pendingIds.add(id);
      if (waiting >= 500) this.flush();
      else this.flushTimer ??= setTimeout(() => this.flush(), 50);
    } else writeFileAtomic(path.join(this.callDir(id), `${record.stage}@${record.version}.json`), json);
  }

  /** Every stored output of one stage for a call, whatever its version (score history). */
  async stageRecords(id: string, stage: string): Promise<StageRecord[]> {
    let files: string[] = [];
    try {
      files = await readdir(this.callDir(id));
    } catch {
      // No folder: the table may still hold outputs.
    }
    // Files too: outputs stored before the stage moved to the table.
    const mine = files.filter((f) => f.startsWith(`${stage}@`) && f.endsWith('.json'));
    const records = await Promise.all(mine.map((f) => readJson(path.join(this.callDir(id), f))));
    if (TABLE_STAGES.has(stage)) this.flushFor(id);
    const rows = TABLE_STAGES.has(stage) ? (this.table().all.all(id, stage) as string[]).map((r) => JSON.parse(r) as unknown) : [];
    return [...records, ...rows].filter((r) => r !== null).map((r) => StageRecord.parse(r));
  }

  async getFailure(id: string): Promise<FailureRecord | null> {
    const raw = await readJson(path.join(this.callDir(id), 'failure.json'));
    return raw === null ? null : FailureRecord.parse(raw);
  }

  async putFailure(id: string, failure: FailureRecord): Promise<void> {
    writeFileAtomic(path.join(this.callDir(id), 'failure.json'), JSON.stringify(failure, null, 1));
  }

  /** Synchronous: re-scoring clears every call it indexes, and an unlink costs less than a thread-pool round trip. */
  async clearFailure(id: string): Promise<void> {
    try {
      unlinkSync(path.join(this.callDir(id), 'failure.json'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Removes a record entirely (a path-keyed failure whose file has since been ingested). */
  async removeCall(id: string): Promise<void> {
    await rm(this.callDir(id), { recursive: true, force: true });
    this.flush();
    this.table().remove.run(id);
  }

  async *callIds(): AsyncIterable<string> {
    const base = path.join(this.root, 'records');
    let shards: string[] = [];
    try {
      shards = await readdir(base);
    } catch {
      return;
    }
    for (const shard of shards.sort()) for (const id of (await readdir(path.join(base, shard))).sort()) yield id;
  }
}
