import type { SqliteStoreOptions } from '../../indexer/sqlite-store.ts';
import { tempSqliteStore } from '../helpers.ts';
import { callStoreContract } from './call-store.contract.ts';

const open = (options: SqliteStoreOptions) => async () => tempSqliteStore(options, 'callscope-contract-');

callStoreContract('embedded (SQLite file, aggregations on the in-memory DuckDB mirror)', open({}));
callStoreContract('embedded (SQLite file, DuckDB mirror re-sorted after every change)', open({ mirrorResortAfter: 0 }));
callStoreContract('embedded (SQLite file, aggregations in SQLite)', open({ analytics: 'sqlite' }));
// Thresholds of 2 vectors: call kNN goes through the IVF lists (trained by warm() or in the background by a query).
callStoreContract('embedded (SQLite file, call vectors in IVF lists)', open({ analytics: 'sqlite', vectors: { exactBelow: 2, listSize: 1 } }));
