import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens a database only the service account may read (accounts, audit log): 0600, WAL, waiting on
 * other writers from the first statement (even switching to WAL can meet one).
 */
export function openPrivateDatabase(file: string): Database.Database {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  chmodSync(file, 0o600); // SQLite gives -wal/-shm the same mode
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  return db;
}
