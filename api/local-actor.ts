import type { MiddlewareHandler } from 'hono';
import type { Actor, ApiEnv } from './actor.ts';

/** The one user of a server without accounts: an administrator who sees every call (masked text). */
export const LOCAL_ACTOR: Actor = { userId: 'local', name: '本机用户', role: 'admin', scope: { kind: 'all' }, canUnmask: false };

/**
 * Sets the local actor when no authentication middleware has set one. Accounts and login (api/auth)
 * set the real actor before this runs, so this only fills the gap on a server without them.
 */
export const localActor: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (!c.get('actor')) c.set('actor', LOCAL_ACTOR);
  await next();
};
