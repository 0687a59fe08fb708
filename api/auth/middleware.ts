import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { CallScopeError } from '../../core/errors.ts';
import type { ApiEnv } from '../actor.ts';
import type { Auth } from './auth.ts';
import { allows, ruleFor } from './permissions.ts';

export const SESSION_COOKIE = 'callscope_session';

/**
 * The client's address, from the TCP connection. X-Forwarded-For is not trusted: anyone can send it,
 * and a proxy in front of CallScope is outside what this version supports (docs/security.md).
 */
export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // app.request() in tests has no socket
  }
}

/** The bearer token of a request (API clients) or its session cookie (the browser). */
function credentialOf(c: Context): { token: string; via: 'bearer' | 'cookie' } | null {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const m = /^Bearer ([A-Za-z0-9_\-.]{1,512})$/.exec(header);
    return m ? { token: m[1]!, via: 'bearer' } : null;
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie ? { token: cookie, via: 'cookie' } : null;
}

/** A cookie-authenticated write from another site's page (CSRF) carries that site's Origin. */
function crossSiteWrite(c: Context): boolean {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return false;
  const origin = c.req.header('origin');
  if (!origin) return false;
  try {
    return new URL(origin).host !== c.req.header('host');
  } catch {
    return true;
  }
}

/**
 * Guards every /api request: finds its line in the permission table, authenticates the caller
 * (Bearer token or session cookie), checks their role, and sets `actor` for the handlers. Mounted
 * once, in front of every API route (createApp), so a sub-app mounted after it is guarded too.
 */
export function requireAuth(auth: Auth): MiddlewareHandler<ApiEnv & { Variables: { sessionId: string } }> {
  return async (c, next) => {
    const pathname = new URL(c.req.url).pathname;
    const found = ruleFor(c.req.method, pathname);
    const cred = credentialOf(c);
    const who = cred ? auth.authenticate(cred.token) : null;
    if (found?.rule.roles === 'public') {
      // A public route may still answer a signed-in user more (health: the counts of their calls).
      if (who) c.set('actor', who.actor);
      return next();
    }
    if (!who) throw new CallScopeError('UNAUTHORIZED', '请先登录 (sign in first: the session is missing, expired or invalid)');
    if (!found) throw new CallScopeError('NOT_FOUND', 'no such API endpoint');
    if (cred!.via === 'cookie' && crossSiteWrite(c)) throw new CallScopeError('FORBIDDEN', 'a request from another site may not use your session');
    const { actor, sid } = who;
    if (!allows(found.rule, actor.role, actor.scope)) {
      auth.audit.append({ actor: actor.userId, action: 'access.denied', target: `${c.req.method} ${pathname}`, ip: clientIp(c), details: { role: actor.role, scope: actor.scope.kind, rule: found.route } });
      throw new CallScopeError('FORBIDDEN', `your role (${actor.role}) may not call ${found.route}`);
    }
    c.set('actor', actor);
    c.set('sessionId', sid);
    await next();
  };
}
