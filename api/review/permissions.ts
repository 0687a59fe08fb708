import { CallScopeError } from '../../core/errors.ts';
import type { Actor, Role } from '../actor.ts';

/**
 * Which roles may use each review action. The auth module's permission table takes these rows
 * at merge; data scope (which calls) is applied separately, to every query.
 */
export const REVIEW_PERMISSIONS = {
  'review.queue.read': ['admin', 'qa_supervisor', 'qa_inspector', 'supervisor'],
  'review.sync': ['admin', 'qa_supervisor'],
  'review.item.read': ['admin', 'qa_supervisor', 'qa_inspector', 'supervisor', 'agent', 'trainer'],
  'review.claim': ['qa_supervisor', 'qa_inspector'],
  'review.assign': ['admin', 'qa_supervisor'],
  'review.submit': ['qa_supervisor', 'qa_inspector'],
  'review.inspectors.read': ['admin', 'qa_supervisor', 'qa_inspector'],
  'review.inspectors.write': ['admin', 'qa_supervisor'],
  'appeal.read': ['admin', 'qa_supervisor', 'qa_inspector', 'supervisor', 'agent'],
  'appeal.file': ['agent'],
  'appeal.recommend': ['supervisor'],
  'appeal.rule': ['qa_supervisor'],
  'calibration.manage': ['admin', 'qa_supervisor'],
  'calibration.take': ['qa_supervisor', 'qa_inspector'],
  'calibration.report': ['admin', 'qa_supervisor', 'qa_inspector', 'analyst', 'trainer'],
  'review.labels.export': ['admin', 'qa_supervisor', 'analyst'],
} as const satisfies Record<string, readonly Role[]>;
export type ReviewPermission = keyof typeof REVIEW_PERMISSIONS;

export function may(actor: Actor, permission: ReviewPermission): boolean {
  return (REVIEW_PERMISSIONS[permission] as readonly Role[]).includes(actor.role);
}

export function requirePermission(actor: Actor, permission: ReviewPermission): void {
  if (!may(actor, permission)) throw new CallScopeError('FORBIDDEN', `your role (${actor.role}) may not do this (${permission})`);
}

/** Supervisors of the QA team act on any item in their scope, not only their own. */
export const isQaLead = (actor: Actor) => actor.role === 'qa_supervisor' || actor.role === 'admin';
