// A cluster-fitting worker thread (fit-in-thread.ts). Plain JS so that it starts the same way however
// the parent was started (CLI, tsx, vitest): it registers tsx itself, like bin/callscope.js.
import { register } from 'tsx/esm/api';

register();
await import('./fit-thread.ts');
