import { Hono } from 'hono';
import type { Actor, ApiEnv } from '../api/actor.ts';
import { apiErrorHandler } from '../api/app.ts';

/** Test actors, one per role, scoped as a bank would scope them. */
export const ACTORS = {
  admin: { userId: 'u-admin', name: '管理员', role: 'admin', scope: { kind: 'all' }, canUnmask: true },
  analyst: { userId: 'u-analyst', name: '分析员', role: 'analyst', scope: { kind: 'all' }, canUnmask: false },
  inspector: { userId: 'u-inspector', name: '质检员', role: 'qa_inspector', scope: { kind: 'all' }, canUnmask: false },
} satisfies Record<string, Actor>;

/**
 * Mounts routes under a fixed actor, for testing routes apart from login. The routes are real; only
 * who is asking is given instead of authenticated (the auth tests cover authentication itself).
 */
export function mountAs(actor: Actor, routes: Hono<ApiEnv>, base = '/api'): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.use('*', async (c, next) => {
    c.set('actor', actor);
    await next();
  });
  app.route(base, routes);
  app.onError(apiErrorHandler);
  return app;
}
