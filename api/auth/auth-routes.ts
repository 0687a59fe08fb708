import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';
import type { ApiEnv } from '../actor.ts';
import { parseRequest } from '../validate.ts';
import type { Auth } from './auth.ts';
import { clientIp, SESSION_COOKIE } from './middleware.ts';

export const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).strict();

const LOGIN_BODY_BYTES = 8 * 1024;

export async function jsonBody(req: { json(): Promise<unknown> }): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new CallScopeError('BAD_REQUEST', 'the body must be JSON');
  }
}

/**
 *   POST /api/auth/login  { username, password } → { token, expiresAt, user } and the session cookie
 *   POST /api/auth/logout                        → 204, the session ends
 *   GET  /api/auth/me                            → { user }
 * The token is for API clients (`Authorization: Bearer …`); the browser uses the HttpOnly cookie.
 */
export function authRoutes(auth: Auth): Hono<ApiEnv & { Variables: { sessionId: string } }> {
  const app = new Hono<ApiEnv & { Variables: { sessionId: string } }>();

  app.post(
    '/login',
    bodyLimit({
      maxSize: LOGIN_BODY_BYTES,
      onError: () => {
        throw new CallScopeError('PAYLOAD_TOO_LARGE', `a login body is at most ${LOGIN_BODY_BYTES / 1024} KB`);
      },
    }),
    async (c) => {
      const body = parseRequest(LoginBody, await jsonBody(c.req), 'body');
      try {
        const login = await auth.login(body.username, body.password, clientIp(c));
        setCookie(c, SESSION_COOKIE, login.token, {
          httpOnly: true,
          sameSite: 'Strict',
          secure: new URL(c.req.url).protocol === 'https:',
          path: '/api',
          maxAge: Math.floor(auth.sessionTtlMs / 1000),
        });
        const { username, name, role, scope, canUnmask } = login.user;
        return c.json({ token: login.token, expiresAt: new Date(login.expiresAt).toISOString(), user: { username, name, role, scope, canUnmask } });
      } catch (err) {
        if (err instanceof CallScopeError && err.code === 'RATE_LIMITED') c.header('Retry-After', String(err.details?.retryAfterSec ?? 60));
        throw err;
      }
    },
  );

  app.post('/logout', (c) => {
    auth.logout(c.get('sessionId'), c.get('actor'), clientIp(c));
    deleteCookie(c, SESSION_COOKIE, { path: '/api' });
    return c.body(null, 204);
  });

  app.get('/me', (c) => {
    const a = c.get('actor');
    return c.json({ user: { username: a.userId, name: a.name, role: a.role, scope: a.scope, canUnmask: a.canUnmask } });
  });

  return app;
}
