import { Hono } from 'hono';
import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import { Role } from '../core/schemas.ts';
import { CallQuery, filterOfCallQuery, type CallStore } from '../indexer/call-store.ts';
import { type ApiEnv, withScope } from './actor.ts';
import { scopedGet } from './auth/scoped-store.ts';
import { toSummary } from './summary.ts';
import { CALL_ID, parseRequest } from './validate.ts';

const flag = z.enum(['1', 'true', '0', 'false']).transform((v) => v === '1' || v === 'true');

/** "More like this": the call (and, with `segment`, the utterance) whose neighbours are wanted, and the list filters. */
export const SimilarQuery = CallQuery.pick({ branch: true, team: true, product: true, channel: true, agentId: true, from: true, to: true }).extend({
  call: z.string().regex(CALL_ID, 'call is a call id: 64 hex characters').describe('the call to start from'),
  segment: z.string().trim().min(1).max(64).optional().describe("one of its segment ids: utterances like this one (else calls like this call)"),
  role: Role.optional().describe('with segment: only utterances of this role'),
  k: z.coerce.number().int().min(1).max(50).default(10),
  exact: flag.optional().describe('1: read every vector (slower; the approximate index is the default)'),
});

/**
 * GET /api/search/similar: calls like a call (its call embedding), or utterances like one of its
 * segments (segment embeddings, each hit a call with its nearest segment and time). The starting
 * call must be in the asker's scope (else 404, as if absent); hits are filtered to the scope and
 * never include the starting call itself.
 */
export function similarRoutes(store: CallStore): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/search/similar', async (c) => {
    const q = parseRequest(SimilarQuery, c.req.query());
    const actor = c.get('actor');
    const source = await scopedGet(store, actor, q.call);
    const filter = withScope({ ...filterOfCallQuery({ ...q, limit: q.k, offset: 0 }), not: [{ ids: [q.call] }] }, actor.scope);
    if (q.segment === undefined) {
      const vector = source.nlp?.embedding?.vector;
      if (!vector?.length) throw new CallScopeError('NOT_FOUND', 'this call has no embedding (it failed or has no text)');
      const hits = await store.knn({ vector, k: q.k, filter, ...(q.exact ? { exact: true } : {}) });
      return c.json({ source: { callId: source.id }, items: hits.map((h) => ({ call: toSummary(h.call), similarity: h.similarity })) });
    }
    const segment = source.segments.find((s) => s.id === q.segment);
    if (!segment) throw new CallScopeError('NOT_FOUND', `call ${q.call} has no segment ${q.segment}`);
    const vector = await store.segmentVector(q.call, q.segment);
    if (!vector) throw new CallScopeError('NOT_FOUND', `segment ${q.segment} has no embedding (re-run the analysis to add segment embeddings)`);
    const hits = await store.knnSegments({ vector, k: q.k, filter, ...(q.role ? { role: q.role } : {}), ...(q.exact ? { exact: true } : {}) });
    return c.json({
      source: { callId: source.id, segment: { segmentId: segment.id, role: segment.role, start: segment.start, end: segment.end, text: segment.textMasked } },
      items: hits.map((h) => ({ call: toSummary(h.call), segment: h.segment, similarity: h.similarity })),
    });
  });
  return app;
}
