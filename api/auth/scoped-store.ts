import { CallScopeError } from '../../core/errors.ts';
import type { CallDoc } from '../../core/schemas.ts';
import { type CallQuery, type CallStore, filterOfCallQuery, type Page, type SearchHit, type SearchQuery } from '../../indexer/call-store.ts';
import { type Actor, inScope, withScope } from '../actor.ts';

/**
 * The call store as one actor sees it: lists, search and single calls narrowed to their data scope.
 * A call out of scope answers exactly as a call that does not exist (404, absent from lists and
 * totals), so its existence leaks nowhere. Routes read calls through these, never the store directly.
 */
export async function scopedList(store: CallStore, actor: Actor, q: CallQuery): Promise<Page<CallDoc>> {
  const page = await store.query({ filter: withScope(filterOfCallQuery(q), actor.scope), size: q.limit, offset: q.offset });
  return { total: page.total, items: page.items.map((h) => h.call) };
}

export async function scopedSearch(store: CallStore, actor: Actor, q: SearchQuery): Promise<Page<SearchHit>> {
  const text = { words: q.q, ...(q.role ? { role: q.role } : {}) };
  const page = await store.query({ filter: { ...withScope(filterOfCallQuery(q), actor.scope), text }, size: q.limit, offset: q.offset });
  return { total: page.total, items: page.items };
}

/** True when the actor may see this call. */
export function visibleTo(actor: Actor, doc: Pick<CallDoc, 'meta'>): boolean {
  return inScope(actor.scope, doc.meta);
}

/** The call, or NOT_FOUND when it does not exist or is outside the actor's scope (the same answer). */
export async function scopedGet(store: CallStore, actor: Actor, id: string): Promise<CallDoc> {
  const doc = await store.get(id);
  if (!doc || !visibleTo(actor, doc)) throw new CallScopeError('NOT_FOUND', `no call with id ${id}`);
  return doc;
}

/** Every call in the actor's scope (backtests over the whole store). */
export async function* scopedAll(store: CallStore, actor: Actor): AsyncIterable<CallDoc> {
  for await (const doc of store.all()) if (visibleTo(actor, doc)) yield doc;
}

/** How many calls (and failed calls) the actor can see. */
export async function scopedCounts(store: CallStore, actor: Actor): Promise<{ calls: number; failed: number }> {
  if (actor.scope.kind === 'all') return store.counts();
  const [calls, failed] = await Promise.all([
    store.query({ filter: withScope({}, actor.scope), size: 0 }),
    store.query({ filter: withScope({ terms: { status: ['failed'] } }, actor.scope), size: 0 }),
  ]);
  return { calls: calls.total, failed: failed.total };
}
