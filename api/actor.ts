import { z } from 'zod';
import type { Filter } from '../indexer/query-model.ts';

/**
 * Who is making a request, as every route sees it. Authentication (api/auth) sets it on the Hono
 * context as `actor`; routes and the review workflow only read it. Kept apart from the auth code
 * so the workflow and the analysis routes depend on this small contract, not on how users log in.
 */
export const Role = z.enum(['admin', 'qa_supervisor', 'qa_inspector', 'supervisor', 'analyst', 'agent', 'trainer']);
export type Role = z.infer<typeof Role>;

/** Which calls a user may see: all, some branches, one team, or only their own (agents). */
export const DataScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('branches'), branches: z.array(z.string().min(1)).min(1) }),
  z.object({ kind: z.literal('team'), team: z.string().min(1) }),
  z.object({ kind: z.literal('own'), agentId: z.string().min(1) }),
]);
export type DataScope = z.infer<typeof DataScope>;

export const Actor = z.object({
  userId: z.string().min(1),
  name: z.string().min(1),
  role: Role,
  scope: DataScope,
  /** May read raw (unmasked) text and audio; every use is audited. */
  canUnmask: z.boolean(),
});
export type Actor = z.infer<typeof Actor>;

/** Hono environment of every authenticated route. */
export type ApiEnv = { Variables: { actor: Actor } };

type ScopedMeta = { branch?: string | null; team?: string | null; agentId?: string | null };

/** True when a call with this metadata is inside the actor's data scope. */
export function inScope(scope: DataScope, meta: ScopedMeta): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'branches':
      return meta.branch != null && scope.branches.includes(meta.branch);
    case 'team':
      return meta.team != null && meta.team === scope.team;
    case 'own':
      return meta.agentId != null && meta.agentId === scope.agentId;
  }
}

/** Call ids are sha256 hex, so this id matches no call: the filter of an empty scope intersection. */
const NO_CALL = 'out-of-scope';

function intersect(requested: string[] | undefined, allowed: string[]): string[] {
  const kept = requested ? requested.filter((v) => allowed.includes(v)) : allowed;
  return kept.length > 0 ? kept : [];
}

/**
 * The store filter of a request narrowed to the actor's scope. Every list, search, aggregation and
 * kNN request goes through this, so a call out of scope is invisible everywhere, not only by id.
 */
export function withScope(filter: Filter | undefined, scope: DataScope): Filter {
  const f: Filter = { ...(filter ?? {}) };
  if (scope.kind === 'all') return f;
  const field = scope.kind === 'branches' ? 'branch' : scope.kind === 'team' ? 'team' : 'agentId';
  const allowed = scope.kind === 'branches' ? scope.branches : scope.kind === 'team' ? [scope.team] : [scope.agentId];
  const kept = intersect(f.terms?.[field], allowed);
  if (kept.length === 0) return { ids: [NO_CALL] };
  f.terms = { ...(f.terms ?? {}), [field]: kept };
  return f;
}

/** One sensitive action, as handed to the audit log (which adds time, sequence and hash chain). */
export type AuditEventInput = {
  actor: string | null;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
  ip?: string;
};

export interface AuditLog {
  append(event: AuditEventInput): void;
}
