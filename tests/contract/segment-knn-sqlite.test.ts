import type { SqliteStoreOptions } from '../../indexer/sqlite-store.ts';
import { tempSqliteStore } from '../helpers.ts';
import { segmentKnnContract } from './segment-knn.contract.ts';

const open = (options: SqliteStoreOptions) => async () => tempSqliteStore(options, 'callscope-segment-knn-');

segmentKnnContract('embedded, exact (below the approximate threshold)', open({ analytics: 'sqlite' }));
// Thresholds of 2 vectors: the contract's warm() trains IVF lists, later puts land in the backlog,
// and filters go through both the list probe and the call-driven exact path.
segmentKnnContract('embedded, IVF lists', open({ analytics: 'sqlite', vectors: { exactBelow: 2, listSize: 1 } }));
