import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { Actor, ApiEnv } from '../api/actor.ts';
import { apiErrorHandler, createApp } from '../api/app.ts';
import type { Review } from '../api/review/open-review.ts';
import { reviewRoutes } from '../api/review/routes.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { REVIEW_ACTORS, type ReviewActorName } from './review-actors.ts';

export type ReviewServer = { url: string; actAs(name: ReviewActorName): Actor; close(): Promise<void> };

/**
 * The real API and UI (createApp) with the review routes mounted at /api/review under one test actor
 * at a time. `actAs` is the one place a browser test switches user: with accounts (api/auth) it
 * becomes a login.
 */
export function startReviewServer(store: CallStore, review: Review): Promise<ReviewServer> {
  let actor: Actor = REVIEW_ACTORS.qa;
  const base = createApp(store);
  const app = new Hono<ApiEnv>();
  app.use('/api/review/*', async (c, next) => {
    c.set('actor', actor);
    await next();
  });
  app.route('/api/review', reviewRoutes(review.workflow, review.calibrations));
  app.all('*', (c) => base.fetch(c.req.raw));
  app.onError(apiErrorHandler);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        actAs: (name) => (actor = REVIEW_ACTORS[name]),
        close: () => new Promise((r) => server.close(() => r())),
      }),
    );
  });
}
