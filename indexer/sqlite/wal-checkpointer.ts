import type Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { tsWorker } from '../../core/in-thread.ts';

/** How often the checkpoint thread copies the WAL into the file while it runs. */
const CHECKPOINT_EVERY_MS = 100;
/** While it runs, the writing connection checkpoints only when the WAL is this much bigger than usual (the thread fell behind or died). */
const FALLBACK_FACTOR = 4;

/**
 * Checkpoints in a thread of their own during bulk writes. A checkpoint copies the WAL's pages into
 * the database file and syncs it; on the writing thread (SQLite's autocheckpoint, right after a
 * commit) it cost a 1M-call store ~40–50 µs a call of a ~200 µs write, growing with the file, and the
 * wait for the sync stalled the load. Started by the first bulk write, stopped by close().
 */
export class WalCheckpointer {
  private worker: Worker | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    /** The writing connection's own autocheckpoint, in pages. */
    private readonly autocheckpointPages: number,
  ) {}

  start(): void {
    if (this.worker || this.db.memory) return;
    this.worker = tsWorker(new URL('./wal-checkpoint-thread.ts', import.meta.url), { file: this.file, everyMs: CHECKPOINT_EVERY_MS });
    this.worker.unref();
    // A thread that fails leaves the writing connection's own (fallback) autocheckpoint in charge.
    this.worker.on('error', () => this.stopped());
    this.worker.on('exit', () => this.stopped());
    this.db.pragma(`wal_autocheckpoint = ${this.autocheckpointPages * FALLBACK_FACTOR}`);
  }

  private stopped(): void {
    this.worker = null;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${this.autocheckpointPages}`);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }
}
