// The entry of every worker thread that runs a TypeScript module (core/in-thread.ts). Plain JS so
// that it starts the same way however the parent was started (CLI, tsx, vitest): it registers tsx
// itself, like bin/callscope.js, then imports the module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
