import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CallScopeError } from '../../core/errors.ts';

/**
 * The review workflow's own SQLite file (queue, reviews, appeals, calibration). It holds decisions
 * people made, so unlike the search index it cannot be rebuilt: every change is one transaction.
 * `user_version` numbers the schema; each migration runs once, in order.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE inspectors (
     user_id TEXT PRIMARY KEY, name TEXT NOT NULL, teams TEXT NOT NULL, skills TEXT NOT NULL, active INTEGER NOT NULL);
   CREATE TABLE items (
     id TEXT PRIMARY KEY, call_id TEXT NOT NULL, scorecard_id TEXT NOT NULL, scorecard_version TEXT NOT NULL,
     reasons TEXT NOT NULL, meta TEXT NOT NULL, agent_id TEXT, team TEXT, branch TEXT, week TEXT, sampled INTEGER NOT NULL,
     machine_score TEXT NOT NULL, status TEXT NOT NULL, assignee TEXT, queued_at TEXT NOT NULL, claimed_at TEXT,
     reviewer TEXT, reviewed_at TEXT, decisions TEXT NOT NULL, reviewed_score TEXT,
     UNIQUE (call_id, scorecard_id, scorecard_version));
   CREATE INDEX items_status ON items (status, assignee);
   CREATE INDEX items_queue ON items (queued_at, id);
   CREATE INDEX items_sample ON items (agent_id, week) WHERE sampled = 1;
   CREATE TABLE appeals (
     id TEXT PRIMARY KEY, item_id TEXT NOT NULL REFERENCES items (id), checkpoint_id TEXT NOT NULL, agent_id TEXT NOT NULL,
     reason TEXT NOT NULL, status TEXT NOT NULL, filed_at TEXT NOT NULL, due_at TEXT, history TEXT NOT NULL);
   CREATE INDEX appeals_item ON appeals (item_id);
   CREATE TABLE calibrations (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, scorecard_id TEXT NOT NULL, call_ids TEXT NOT NULL, inspector_ids TEXT NOT NULL,
     checkpoints TEXT NOT NULL, machine TEXT NOT NULL, status TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, closed_at TEXT);
   CREATE TABLE calibration_answers (
     session_id TEXT NOT NULL REFERENCES calibrations (id), inspector_id TEXT NOT NULL, call_id TEXT NOT NULL,
     decisions TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (session_id, inspector_id, call_id));`,
];

export const REVIEW_SCHEMA_VERSION = MIGRATIONS.length;

export function openReviewDb(file: string): Database.Database {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    db.close();
    throw new CallScopeError('STORE_UNAVAILABLE', `${file} was written by a newer CallScope (review schema ${current}, this one knows ${MIGRATIONS.length})`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
