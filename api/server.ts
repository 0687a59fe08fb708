import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { CallScopeError } from '../core/errors.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { type AppOptions, createApp } from './app.ts';

export type RunningServer = { url: string; close(): Promise<void> };

/** Starts the API and UI; port 0 picks a free port (tests). */
export function startServer(store: CallStore, host: string, port: number, opts: AppOptions = {}): Promise<RunningServer> {
  const app = createApp(store, opts);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
    server.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new CallScopeError('CONFIG_INVALID', `port ${port} on ${host} is already in use: stop the other server or choose another with --port / PORT`)
          : err,
      ),
    );
  });
}
