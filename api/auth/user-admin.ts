import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';
import { DataScope, type Role } from '../actor.ts';
import type { Auth } from './auth.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';
import type { NewUser, User } from './user-store.ts';

/**
 * Account changes, each written to the audit log with who made it (`by`: a user name, or
 * `cli:<os user>` from the command line). Changes that narrow or end access end the user's sessions.
 */

/** An agent sees only their own calls: any other scope for the agent role is refused. */
function checkRoleScope(role: Role, scope: DataScope): void {
  if (role === 'agent' && scope.kind !== 'own') throw new CallScopeError('BAD_REQUEST', 'an agent sees only their own calls: give the scope own:<agent id>');
}

export async function createUser(auth: Auth, by: string, input: NewUser, password: string): Promise<User> {
  checkRoleScope(input.role, input.scope);
  checkPasswordStrength(password);
  const user = auth.users.create(input, await hashPassword(password));
  auth.audit.append({ actor: by, action: 'user.create', target: user.username, details: { role: user.role, scope: user.scope, canUnmask: user.canUnmask } });
  return user;
}

/** The first admin: refused once any enabled admin exists, so it cannot be used to take over. */
export async function createFirstAdmin(auth: Auth, by: string, username: string, name: string, password: string): Promise<User> {
  if (auth.users.hasAdmin()) throw new CallScopeError('BAD_REQUEST', 'an admin already exists: add users with `callscope users add` (as that admin would)');
  return createUser(auth, by, { username, name, role: 'admin', scope: { kind: 'all' }, canUnmask: true }, password);
}

function change(auth: Auth, by: string, username: string, action: string, patch: Parameters<Auth['users']['update']>[1], details: Record<string, unknown>): User {
  const before = auth.users.get(username);
  if (!before) throw new CallScopeError('NOT_FOUND', `no user ${username}`);
  const user = auth.users.update(username, patch, true);
  auth.audit.append({ actor: by, action, target: user.username, details: { ...details, before: pick(before, Object.keys(details)) } });
  return user;
}

function pick(u: User, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (u as unknown as Record<string, unknown>)[k]]));
}

function existing(auth: Auth, username: string): User {
  const u = auth.users.get(username);
  if (!u) throw new CallScopeError('NOT_FOUND', `no user ${username}`);
  return u;
}

export function setRole(auth: Auth, by: string, username: string, role: Role): User {
  checkRoleScope(role, existing(auth, username).scope);
  return change(auth, by, username, 'user.role', { role }, { role });
}

export function setScope(auth: Auth, by: string, username: string, scope: DataScope): User {
  checkRoleScope(existing(auth, username).role, scope);
  return change(auth, by, username, 'user.scope', { scope }, { scope });
}
export const setUnmask = (auth: Auth, by: string, username: string, canUnmask: boolean) => change(auth, by, username, 'user.unmask', { canUnmask }, { canUnmask });
export const setDisabled = (auth: Auth, by: string, username: string, disabled: boolean) =>
  change(auth, by, username, disabled ? 'user.disable' : 'user.enable', { disabled }, { disabled });

export async function resetPassword(auth: Auth, by: string, username: string, password: string): Promise<User> {
  checkPasswordStrength(password);
  const user = auth.users.update(username, { passwordHash: await hashPassword(password) }, true);
  auth.audit.append({ actor: by, action: 'user.password_reset', target: user.username });
  return user;
}

/** `all`, `branches:上海分行,北京分行`, `team:T1` or `own:<agent id>`. */
export function parseScope(text: string): DataScope {
  const [kind, rest = ''] = text.split(/:(.*)/s) as [string, string?];
  const values = rest.split(',').map((v) => v.trim()).filter(Boolean);
  const candidate =
    kind === 'all' ? { kind } : kind === 'branches' ? { kind, branches: values } : kind === 'team' ? { kind, team: values[0] ?? '' } : kind === 'own' ? { kind, agentId: values[0] ?? '' } : null;
  const r = z.optional(DataScope).safeParse(candidate ?? undefined);
  if (!candidate || !r.success || !r.data) throw new CallScopeError('BAD_REQUEST', `scope "${text}": use all, branches:<b1>,<b2>, team:<team> or own:<agent id>`);
  return r.data;
}

export function formatScope(scope: DataScope): string {
  switch (scope.kind) {
    case 'all':
      return 'all';
    case 'branches':
      return `branches:${scope.branches.join(',')}`;
    case 'team':
      return `team:${scope.team}`;
    case 'own':
      return `own:${scope.agentId}`;
  }
}
