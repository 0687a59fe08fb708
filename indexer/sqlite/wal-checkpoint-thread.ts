import Database from 'better-sqlite3';
import { workerData } from 'node:worker_threads';

/**
 * Copies the store's WAL into the database file every `everyMs` (a PASSIVE checkpoint on its own
 * connection: it never waits for the writer or the readers), so a bulk load's writing thread does
 * not stop for it. A failed checkpoint (the file busy, a disk hiccup) is simply tried again next time.
 */
const { file, everyMs } = workerData as { file: string; everyMs: number };
const db = new Database(file);
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Next interval.
  }
}, everyMs);
