import type { DataScope, Role } from '../api/actor.ts';
import { type Auth, openAuth } from '../api/auth/auth.ts';
import { SESSION_COOKIE } from '../api/auth/middleware.ts';
import { createUser } from '../api/auth/user-admin.ts';

/** The password of every test account (real scrypt hashes are made from it). */
export const TEST_PASSWORD = 'correct-horse-battery-staple';

export async function addUser(auth: Auth, username: string, role: Role, scope: DataScope = { kind: 'all' }, canUnmask = false): Promise<void> {
  await createUser(auth, 'test-setup', { username, name: username, role, scope, canUnmask }, TEST_PASSWORD);
}

/** Logs in over HTTP as a user would and returns the bearer token. */
export async function loginToken(baseUrl: string, username: string, password = TEST_PASSWORD): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * An admin account in a data folder (the existing API and browser tests run as it): opens the
 * folder's accounts, adds the admin, and returns the Auth to hand to createApp / startServer.
 */
export async function authWithAdmin(dataDir: string, username = 'admin'): Promise<Auth> {
  const auth = openAuth(dataDir);
  await addUser(auth, username, 'admin', { kind: 'all' }, true);
  return auth;
}

type Requester = { request(path: string, init?: RequestInit): Response | Promise<Response> };

/**
 * `app.request` as a signed-in admin: logs in for real (password check, session row, signed token)
 * and sends the token on every request. The admin is created in the folder's accounts if missing.
 */
export async function asAdmin(app: Requester, auth: Auth): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  if (!auth.users.get('admin')) await addUser(auth, 'admin', 'admin', { kind: 'all' }, true);
  const { token } = await auth.login('admin', TEST_PASSWORD, 'test');
  return (p, init = {}) => Promise.resolve(app.request(p, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` } }));
}

type BrowserContextLike = { addCookies(cookies: Array<{ name: string; value: string; url: string }>): Promise<void> };

/** Signs a browser in as a user (a real login over HTTP; the session cookie set as the login page would). */
export async function signInBrowser(context: BrowserContextLike, baseUrl: string, username = 'admin'): Promise<void> {
  await context.addCookies([{ name: SESSION_COOKIE, value: await loginToken(baseUrl, username), url: baseUrl }]);
}
