import type { DataScope, Role } from '../actor.ts';

/**
 * Which roles may call which API route: THE one place this rule lives. The auth middleware
 * (api/auth/middleware.ts) looks every /api request up here before any handler runs:
 *   - no line matches         → 404 (a route nobody registered is unreachable, never open);
 *   - `public`                → no login needed;
 *   - the role is not listed  → 403, audited as access.denied;
 *   - `allScope` and the user's data scope is not `all` → 403 (the route answers about every call
 *     at once and has no per-call filter: the job queue, a scorecard's version diff).
 * Which CALLS a permitted user sees is the other half, enforced inside each handler with
 * `withScope` / `inScope` (api/actor.ts, api/auth/scoped-store.ts).
 *
 * A route pattern is `METHOD /path`, where `:name` matches one path segment and a final `*` the
 * rest; GET also covers HEAD. The first line that matches wins, so put specific lines first.
 * To open a new route, add one line, e.g.:
 *   ['GET /api/analytics/*', READ_CALLS],
 */
export type Rule = { roles: 'public' | 'signed-in' | readonly Role[]; allScope?: boolean };

export const EVERY_ROLE: readonly Role[] = ['admin', 'qa_supervisor', 'qa_inspector', 'supervisor', 'analyst', 'agent', 'trainer'];
/** Everyone with an account reads calls; their data scope decides which. */
export const READ_CALLS: readonly Role[] = EVERY_ROLE;
/** People who judge calls and scorecards. */
export const QA: readonly Role[] = ['admin', 'qa_supervisor', 'qa_inspector'];
export const SCORECARD_AUTHORS: readonly Role[] = ['admin', 'qa_supervisor', 'qa_inspector', 'analyst'];
export const OPERATORS: readonly Role[] = ['admin'];

const publicRoute: Rule = { roles: 'public' };
const signedIn: Rule = { roles: 'signed-in' };
const roles = (r: readonly Role[], allScope = false): Rule => ({ roles: r, ...(allScope ? { allScope } : {}) });

export const PERMISSIONS: Array<[route: string, rule: Rule]> = [
  ['GET /api/health', publicRoute],
  ['POST /api/auth/login', publicRoute],
  ['POST /api/auth/logout', signedIn],
  ['GET /api/auth/me', signedIn],

  ['GET /api/calls', roles(READ_CALLS)],
  ['GET /api/calls/:id', roles(READ_CALLS)],
  ['GET /api/calls/:id/audio', roles(READ_CALLS)],
  ['GET /api/calls/:id/scores', roles(READ_CALLS)],
  ['GET /api/search', roles(READ_CALLS)],
  ['GET /api/search/similar', roles(READ_CALLS)],

  ['GET /api/scorecards', roles(READ_CALLS)],
  ['GET /api/scorecards/:id/diff', roles(SCORECARD_AUTHORS, true)],
  ['POST /api/scorecards/backtest', roles(SCORECARD_AUTHORS)],
  ['POST /api/scorecards/explain', roles([...SCORECARD_AUTHORS, 'trainer'])],

  ['GET /api/jobs', roles(OPERATORS, true)],
  ['POST /api/jobs/retry-failed', roles(OPERATORS, true)],
  ['GET /api/jobs/:id', roles(OPERATORS, true)],
  ['POST /api/jobs/:id/retry', roles(OPERATORS, true)],

  // Exploration (api/analytics-routes.ts, api/cluster-routes.ts): aggregations over the calls in scope only.
  ['GET /api/analytics/*', roles(READ_CALLS)],
  ['GET /api/clusters', roles(READ_CALLS)],
  ['GET /api/clusters/:id/calls', roles(READ_CALLS)],
  ['GET /api/openapi.json', signedIn],
  // Review workflow (api/review): every route also checks its finer REVIEW_PERMISSIONS row itself.
  ['GET /api/review/*', roles(EVERY_ROLE)],
  ['POST /api/review/*', roles(EVERY_ROLE)],
  ['PUT /api/review/*', roles(EVERY_ROLE)],
];

type Compiled = { method: string; pattern: RegExp; route: string; rule: Rule };

function compile(route: string, rule: Rule): Compiled {
  const [method, p] = route.split(' ') as [string, string];
  const body = p
    .split('/')
    .map((seg) => (seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return { method, pattern: new RegExp(`^${body}/?$`), route, rule };
}

let compiled: Compiled[] | undefined;

/** The rule of a request, with the table line that gave it; null when no line matches. */
export function ruleFor(method: string, pathname: string): { route: string; rule: Rule } | null {
  compiled ??= PERMISSIONS.map(([r, rule]) => compile(r, rule));
  const m = method === 'HEAD' ? 'GET' : method;
  const hit = compiled.find((c) => c.method === m && c.pattern.test(pathname));
  return hit ? { route: hit.route, rule: hit.rule } : null;
}

/** Whether a signed-in user with this role and scope may call a route under this rule. */
export function allows(rule: Rule, role: Role, scope: DataScope): boolean {
  if (rule.roles === 'public' || rule.roles === 'signed-in') return true;
  if (!rule.roles.includes(role)) return false;
  return !rule.allScope || scope.kind === 'all';
}
