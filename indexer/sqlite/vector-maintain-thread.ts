import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../../core/errors.ts';
import type { ThreadReply } from '../../core/in-thread.ts';
import { maintainVectors, type MaintainResult, type MaintainSettings } from './vector-maintain.ts';
import { vectorTables } from './vector-tables.ts';

/** A worker thread keeping one IVF index fit (VectorIndex.maintain): its own connection to the store's file. */
const { file, prefix, settings } = workerData as { file: string; prefix: string; settings: MaintainSettings };
const post = (reply: ThreadReply<never, MaintainResult>) => parentPort!.postMessage(reply);
let db: Database.Database | null = null;
try {
  db = new Database(file);
  // Its write steps are short, but a bulk load of another connection may hold the lock longer.
  db.pragma('busy_timeout = 60000');
  post({ result: maintainVectors(db, vectorTables(prefix), settings) });
} catch (err) {
  post({ error: messageOf(err) });
} finally {
  db?.close();
}
