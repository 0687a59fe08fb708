// A prepare thread of the embedded store (prepare-pool.ts). Plain JS so that it starts the same way
// however the parent was started (CLI, tsx, vitest): it registers tsx itself, like bin/callscope.js.
import { register } from 'tsx/esm/api';

register();
await import('./prepare-thread.ts');
