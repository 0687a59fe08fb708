import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { type ErrorHandler, Hono } from 'hono';
import { type Config, repoRoot } from '../core/config.ts';
import { CallScopeError, isCallScopeError } from '../core/errors.ts';
import type { CallDoc } from '../core/schemas.ts';
import { CallQuery, type CallStore, SearchQuery } from '../indexer/call-store.ts';
import type { ApiEnv } from './actor.ts';
import { analyticsRoutes } from './analytics-routes.ts';
import { jobsRoutes, type QueueAccess } from './jobs-routes.ts';
import { localActor } from './local-actor.ts';
import { openApiDocument } from './openapi.ts';
import { scorecardRoutes } from './scorecard-routes.ts';
import { assertCallId, parseRequest } from './validate.ts';
import { toSummary } from './summary.ts';

export const UI_DIST = path.join(repoRoot, 'ui', 'dist');

/**
 * The API serves masked text only: card, ID and phone numbers read out in a call never leave in a
 * response. Raw text for the roles granted it comes with accounts and roles (workflow issue); the
 * record store and `callscope export` on the bank's own machine keep it.
 */
export function maskedDoc(doc: CallDoc): CallDoc {
  return { ...doc, segments: doc.segments.map((s) => ({ ...s, text: s.textMasked })) };
}

/**
 * HTTP API. Errors become `{ error: { code, message } }` with the code's status in one place
 * (onError); handlers only translate between HTTP and the store.
 */
export type AppOptions = {
  uiDir?: string;
  jobs?: QueueAccess;
  /** Scorecard endpoints need the data and scorecard folders; without a config they answer 404. */
  config?: Config;
};

/** The one place an error becomes an HTTP response: `{ error: { code, message } }` with the code's status. */
export const apiErrorHandler: ErrorHandler = (err, c) => {
  if (isCallScopeError(err)) {
    return c.json({ error: { code: err.code, message: err.message } }, err.httpStatus as 400);
  }
  console.error(err);
  return c.json({ error: { code: 'INTERNAL', message: 'internal error' } }, 500);
};

export function createApp(store: CallStore, opts: AppOptions = {}): Hono {
  const app = new Hono();

  app.get('/api/health', async (c) => c.json({ status: 'ok', ...(await store.counts()) }));

  app.get('/api/calls', async (c) => {
    const page = await store.list(parseRequest(CallQuery, c.req.query()));
    return c.json({ total: page.total, items: page.items.map(toSummary) });
  });

  app.get('/api/calls/:id', async (c) => {
    const id = c.req.param('id');
    assertCallId(id);
    const doc = await store.get(id);
    if (!doc) throw new CallScopeError('NOT_FOUND', `no call with id ${id}`);
    return c.json(maskedDoc(doc));
  });

  app.get('/api/search', async (c) => {
    const page = await store.search(parseRequest(SearchQuery, c.req.query()));
    return c.json({ total: page.total, items: page.items.map((h) => ({ call: toSummary(h.call), matches: h.matches })) });
  });

  app.route('/api/jobs', jobsRoutes(opts.jobs ?? null));
  if (opts.config) app.route('/api', scorecardRoutes(store, opts.config));
  app.get('/api/openapi.json', (c) => c.json(openApiDocument()));
  const analysis = new Hono<ApiEnv>().use('*', localActor).route('/', analyticsRoutes(store));
  app.route('/api', analysis);

  app.all('/api/*', () => {
    throw new CallScopeError('NOT_FOUND', 'no such API endpoint');
  });

  const uiDir = opts.uiDir ?? UI_DIST;
  const index = path.join(uiDir, 'index.html');
  if (existsSync(uiDir)) app.use('/*', serveStatic({ root: uiDir }));
  app.get('*', (c) =>
    existsSync(index)
      ? c.html(readFileSync(index, 'utf8'))
      : c.text('The web UI is not built. Run: npm run build:ui', 503),
  );

  app.onError(apiErrorHandler);

  return app;
}
