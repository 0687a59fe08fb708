import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { type ErrorHandler, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { type Config, repoRoot } from '../core/config.ts';
import { CallScopeError, isCallScopeError } from '../core/errors.ts';
import type { CallDoc } from '../core/schemas.ts';
import { CallQuery, type CallStore, SearchQuery } from '../indexer/call-store.ts';
import { RecordStore } from '../pipeline/record-store.ts';
import type { Actor, ApiEnv } from './actor.ts';
import { audioRoutes } from './audio-routes.ts';
import { type Auth, openAuth } from './auth/auth.ts';
import { authRoutes } from './auth/auth-routes.ts';
import { requireAuth } from './auth/middleware.ts';
import { scopedCounts, scopedGet, scopedList, scopedSearch } from './auth/scoped-store.ts';
import { authorizeUnmask, RawParam } from './auth/unmask.ts';
import { ClusterJobs } from '../analytics/cluster/call-clusters.ts';
import { ClusterDb } from '../analytics/cluster/cluster-db.ts';
import { analyticsRoutes } from './analytics-routes.ts';
import { clusterRoutes } from './cluster-routes.ts';
import { jobsRoutes, type QueueAccess } from './jobs-routes.ts';
import { openApiDocument } from './openapi.ts';
import { openReview, type Review } from './review/open-review.ts';
import { reviewRoutes } from './review/routes.ts';
import { scorecardRoutes } from './scorecard-routes.ts';
import { similarRoutes } from './similar-routes.ts';
import { assertCallId, parseRequest } from './validate.ts';
import { toSummary } from './summary.ts';

export const UI_DIST = path.join(repoRoot, 'ui', 'dist');

/**
 * The API serves masked text by default: card, ID and phone numbers read out in a call never leave
 * in a response. Raw text (`?raw=1`) only for users granted the unmask right, audited (api/auth/unmask.ts).
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
  /** Scorecard and audio endpoints need the data and scorecard folders; without a config they answer 404. */
  config?: Config;
  /** Accounts and audit log; default: those of config.dataDir. Every /api route but health and login needs a login. */
  auth?: Auth;
  /** The review workflow (needs config); default: the data folder's review.sqlite, audited in auth's log. */
  review?: Review;
  /** How long a 聚类 request waits for a running model fit before answering 202 computing (default 2,000 ms). */
  clusterWaitMs?: number;
};

/** Any request body beyond this is refused with 413 before a handler reads it (routes may set less). */
export const MAX_API_BODY_BYTES = 4 * 1024 * 1024;

/** The one place an error becomes an HTTP response: `{ error: { code, message } }` with the code's status. */
export const apiErrorHandler: ErrorHandler = (err, c) => {
  if (isCallScopeError(err)) {
    return c.json({ error: { code: err.code, message: err.message } }, err.httpStatus as 400);
  }
  console.error(err);
  return c.json({ error: { code: 'INTERNAL', message: 'internal error' } }, 500);
};

export function createApp(store: CallStore, opts: AppOptions = {}): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const auth = opts.auth ?? (opts.config ? openAuth(opts.config.dataDir) : null);
  if (!auth) throw new CallScopeError('CONFIG_INVALID', 'createApp needs the accounts: pass auth or config');

  // In front of every API route, sub-apps mounted below included: permission table, login, actor.
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_API_BODY_BYTES,
      onError: () => {
        throw new CallScopeError('PAYLOAD_TOO_LARGE', `a request body is at most ${MAX_API_BODY_BYTES / 1024 / 1024} MB`);
      },
    }),
  );
  app.use('/api/*', requireAuth(auth));
  app.route('/api/auth', authRoutes(auth));

  app.get('/api/health', async (c) => {
    const actor = c.var.actor as Actor | undefined;
    return c.json({ status: 'ok', ...(actor ? await scopedCounts(store, actor) : {}) });
  });

  app.get('/api/calls', async (c) => {
    const page = await scopedList(store, c.get('actor'), parseRequest(CallQuery, c.req.query()));
    return c.json({ total: page.total, totalRelation: page.totalRelation ?? 'eq', items: page.items.map(toSummary) });
  });

  app.get('/api/calls/:id', async (c) => {
    const id = c.req.param('id');
    assertCallId(id);
    const { raw } = parseRequest(z.object({ raw: RawParam }), { raw: c.req.query('raw') });
    const doc = await scopedGet(store, c.get('actor'), id);
    if (!raw) return c.json(maskedDoc(doc));
    authorizeUnmask(c, auth.audit, 'text', id);
    return c.json(doc);
  });

  app.get('/api/search', async (c) => {
    const page = await scopedSearch(store, c.get('actor'), parseRequest(SearchQuery, c.req.query()));
    return c.json({ total: page.total, totalRelation: page.totalRelation ?? 'eq', items: page.items.map((h) => ({ call: toSummary(h.call), matches: h.matches })) });
  });

  app.route('/api/jobs', jobsRoutes(opts.jobs ?? null));
  if (opts.config) {
    app.route('/api', scorecardRoutes(store, opts.config));
    app.route('/api', audioRoutes(store, new RecordStore(opts.config.dataDir), auth.audit));
    const review = opts.review ?? openReview(opts.config, store, auth.audit);
    app.route('/api/review', reviewRoutes(review.workflow, review.calibrations));
    const clusterDb = ClusterDb.inDataDir(opts.config.dataDir);
    app.route('/api', clusterRoutes(store, clusterDb, new ClusterJobs(clusterDb, store, opts.clusterWaitMs)));
  }
  app.get('/api/openapi.json', (c) => c.json(openApiDocument()));
  app.route('/api', analyticsRoutes(store));
  app.route('/api', similarRoutes(store));

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
