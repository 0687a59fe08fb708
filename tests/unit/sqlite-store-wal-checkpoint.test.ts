import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PREPARE_IN_THREADS_FROM } from '../../indexer/sqlite-store.ts';
import { syntheticCalls } from '../../bench/store/synthetic-calls.ts';
import { tempSqliteStore } from '../helpers.ts';

/**
 * A bulk write hands the WAL checkpoints to a thread of their own (wal-checkpointer.ts): the
 * database file fills while the writing connection's own autocheckpoint (~160 MB then) never fires
 * for a few megabytes, and the documents read back the same through a fresh connection.
 */
const docs = [...syntheticCalls(PREPARE_IN_THREADS_FROM + 100, { seed: 9, startDate: '2026-04-01', days: 10, embeddingDims: 4 })].map((doc) => ({ doc, docHash: doc.id }));

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (condition()) return true;
  return condition();
}

describe('WAL checkpoints in a thread during bulk writes', () => {
  it('copies a bulk write into the database file without the writing connection checkpointing', async () => {
    const { store, cleanup } = tempSqliteStore({ analytics: 'sqlite' }, 'callscope-wal-');
    const db = (store as unknown as { db: Database.Database }).db;
    const file = db.name;
    try {
      const before = statSync(file).size;
      await store.putMany(docs);
      const wal = statSync(`${file}-wal`).size;
      expect(wal).toBeGreaterThan(1_000_000);
      // The writing connection would checkpoint only past 4 × ~40 MB now.
      expect(db.pragma('wal_autocheckpoint', { simple: true }) as number).toBeGreaterThan((4 * 40_000_000) / 16_384 - 1);
      expect(await until(() => statSync(file).size > before + wal / 2, 10_000)).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('starts no thread for a small write, and a closed store leaves a file another process reads whole', async () => {
    const { store, cleanup } = tempSqliteStore({ analytics: 'sqlite' }, 'callscope-wal-');
    const db = (store as unknown as { db: Database.Database }).db;
    const file = db.name;
    await store.putMany(docs.slice(0, PREPARE_IN_THREADS_FROM - 1));
    expect((store as unknown as { checkpointer: { worker: unknown } }).checkpointer.worker).toBeNull();
    await store.putMany(docs);
    expect((store as unknown as { checkpointer: { worker: unknown } }).checkpointer.worker).not.toBeNull();
    await store.close();
    const { SqliteCallStore } = await import('../../indexer/sqlite-store.ts');
    const { searchTokens, tokenize } = await import('../../nlp/segmenter.ts');
    const again = new SqliteCallStore(file, { index: searchTokens, query: tokenize }, { analytics: 'sqlite' });
    try {
      expect((await again.counts()).calls).toBe(docs.length);
      expect(await again.get(docs[docs.length - 1]!.doc.id)).toEqual(docs[docs.length - 1]!.doc);
    } finally {
      await again.close();
      await cleanup(); // closing a closed store is a no-op; removes the folder
    }
  });
});
