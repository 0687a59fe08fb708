import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from '../api/app.ts';
import { openAuth } from '../api/auth/auth.ts';
import { SESSION_COOKIE } from '../api/auth/middleware.ts';
import { createUser } from '../api/auth/user-admin.ts';
import type { Review } from '../api/review/open-review.ts';
import type { Config } from '../core/config.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { loginToken, TEST_PASSWORD } from './auth-helpers.ts';
import { REVIEW_ACTORS, type ReviewActorName } from './review-actors.ts';

export type ReviewServer = {
  url: string;
  /** Logs in as one of the cast (a real account, password and session) and returns the session cookie to set. */
  loginAs(name: ReviewActorName): Promise<{ name: string; value: string; url: string }>;
  close(): Promise<void>;
};

/**
 * The real API and UI (createApp, accounts and all) with the given review workflow, and an account
 * for each of the cast of tests/review-actors.ts (user name = their userId).
 */
export async function startReviewServer(store: CallStore, review: Review, config: Config): Promise<ReviewServer> {
  const auth = openAuth(config.dataDir);
  for (const a of Object.values(REVIEW_ACTORS)) {
    if (!auth.users.get(a.userId)) await createUser(auth, 'test-setup', { username: a.userId, name: a.name, role: a.role, scope: a.scope, canUnmask: a.canUnmask }, TEST_PASSWORD);
  }
  const app = createApp(store, { config, auth, review });
  const tokens = new Map<ReviewActorName, string>();
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      const url = `http://127.0.0.1:${info.port}`;
      resolve({
        url,
        async loginAs(name) {
          let token = tokens.get(name);
          if (!token) tokens.set(name, (token = await loginToken(url, REVIEW_ACTORS[name].userId)));
          return { name: SESSION_COOKIE, value: token, url };
        },
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
