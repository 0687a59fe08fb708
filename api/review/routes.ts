import { Hono } from 'hono';
import { z } from 'zod';
import { CallScopeError } from '../../core/errors.ts';
import type { ApiEnv } from '../actor.ts';
import { maskedDoc } from '../app.ts';
import { CALL_ID, parseRequest } from '../validate.ts';
import type { Calibrations } from './calibration.ts';
import { reportCsv } from './calibration-report.ts';
import { Inspector } from './model.ts';
import { isQaLead, may, REVIEW_PERMISSIONS, type ReviewPermission, requirePermission } from './permissions.ts';
import type { ReviewWorkflow } from './workflow.ts';

const ItemId = z.uuid('an item id is a UUID');
const comment = z.string().trim().max(2000);

export const QueueQuery = z.object({
  status: z.enum(['queued', 'in_review', 'done', 'appealed']).optional(),
  assignee: z.string().min(1).max(100).optional(),
  reason: z.enum(['vetoed', 'failed', 'low_confidence', 'complaint', 'sample']).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  callId: z.string().regex(CALL_ID, 'a call id is 64 hex characters').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

const Decisions = z
  .array(z.object({ checkpointId: z.string().min(1).max(100), verdict: z.enum(['confirm', 'overturn']), comment: comment.default('') }).strict())
  .min(1)
  .max(200);
export const ReviewBody = z.object({ decisions: Decisions }).strict();
export const BatchBody = z.object({ reviews: z.array(z.object({ itemId: ItemId, decisions: Decisions }).strict()).min(1).max(100) }).strict();
export const AssignBody = z.object({ userId: z.string().min(1).max(100) }).strict();
export const AppealBody = z.object({ checkpointId: z.string().min(1).max(100), reason: z.string().trim().min(1, 'an appeal needs a reason').max(2000) }).strict();
export const StepBody = z.object({ outcome: z.enum(['uphold', 'overturn']), comment: z.string().trim().min(1, 'a comment is required').max(2000) }).strict();
export const AppealsQuery = z.object({ status: z.enum(['open', 'filed', 'recommended', 'upheld', 'overturned']).optional() });
export const CalibrationBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    callIds: z.array(z.string().regex(CALL_ID, 'a call id is 64 hex characters')).min(1).max(500),
    inspectorIds: z.array(z.string().min(1).max(100)).min(2).max(50),
    scorecardId: z.string().min(1).max(100).optional(),
  })
  .strict();
export const AnswerBody = z
  .object({ callId: z.string().regex(CALL_ID, 'a call id is 64 hex characters'), decisions: z.record(z.string().min(1).max(100), z.enum(['passed', 'failed', 'na'])) })
  .strict();
export const ExportQuery = z.object({ format: z.enum(['json', 'csv']).default('json') });
export const LabelsQuery = z.object({ scorecardId: z.string().min(1).max(100) });

async function body(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new CallScopeError('BAD_REQUEST', 'the body must be JSON');
  }
}

/**
 * The review workflow's HTTP routes (docs/review.md), mounted under /api/review. Each route checks
 * the actor's role (permissions.ts); the workflow applies the actor's data scope to every read.
 */
export function reviewRoutes(workflow: ReviewWorkflow, calibrations: Calibrations): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  /** Who is asking and which review actions their role allows (the UI shows only those buttons). */
  app.get('/me', (c) => {
    const actor = c.get('actor');
    const allowed = (Object.keys(REVIEW_PERMISSIONS) as ReviewPermission[]).filter((p) => may(actor, p));
    return c.json({ userId: actor.userId, name: actor.name, role: actor.role, permissions: allowed });
  });

  // ── queue ──
  app.get('/queue', (c) => {
    const actor = c.get('actor');
    if (actor.role === 'agent') requirePermission(actor, 'review.item.read');
    else requirePermission(actor, 'review.queue.read');
    const q = parseRequest(QueueQuery, c.req.query());
    const assignee = q.assignee === 'me' ? actor.userId : q.assignee;
    return c.json(workflow.list(actor.scope, { ...q, assignee, reviewedOnly: actor.role === 'agent' }));
  });

  app.post('/sync', async (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'review.sync');
    return c.json(await workflow.sync(actor));
  });

  app.get('/items/:id', async (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'review.item.read');
    const { item, call } = await workflow.get(parseRequest(ItemId, c.req.param('id'), 'id'), actor.scope);
    if (actor.role === 'agent' && item.status !== 'done' && item.status !== 'appealed') throw new CallScopeError('NOT_FOUND', `no review item ${item.id}`);
    return c.json({ item, call: call ? maskedDoc(call) : null });
  });

  app.post('/items/:id/claim', (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'review.claim');
    return c.json(workflow.claim(parseRequest(ItemId, c.req.param('id'), 'id'), actor));
  });

  app.post('/items/:id/release', (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'review.claim');
    return c.json(workflow.release(parseRequest(ItemId, c.req.param('id'), 'id'), actor, isQaLead(actor)));
  });

  app.post('/items/:id/assign', async (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'review.assign');
    const { userId } = parseRequest(AssignBody, await body(c), 'body');
    return c.json(workflow.assign(parseRequest(ItemId, c.req.param('id'), 'id'), userId, actor));
  });

  app.post('/items/:id/review', async (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'review.submit');
    const { decisions } = parseRequest(ReviewBody, await body(c), 'body');
    const [item] = workflow.review(actor, [{ itemId: parseRequest(ItemId, c.req.param('id'), 'id'), decisions }], isQaLead(actor));
    return c.json(item);
  });

  app.post('/reviews', async (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'review.submit');
    const { reviews } = parseRequest(BatchBody, await body(c), 'body');
    return c.json({ items: workflow.review(actor, reviews, isQaLead(actor)) });
  });

  // ── inspectors ──
  app.get('/inspectors', (c) => {
    requirePermission(c.get('actor'), 'review.inspectors.read');
    return c.json({ items: workflow.inspectors() });
  });

  app.put('/inspectors/:userId', async (c) => {
    requirePermission(c.get('actor'), 'review.inspectors.write');
    const input = parseRequest(Inspector.omit({ userId: true }).strict(), await body(c), 'body');
    return c.json(workflow.saveInspector({ ...input, userId: parseRequest(z.string().min(1).max(100), c.req.param('userId'), 'userId') }));
  });

  // ── appeals ──
  app.get('/appeals', (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'appeal.read');
    const { status } = parseRequest(AppealsQuery, c.req.query());
    return c.json({ items: workflow.appeals(actor.scope, status) });
  });

  app.post('/items/:id/appeals', async (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'appeal.file');
    const { checkpointId, reason } = parseRequest(AppealBody, await body(c), 'body');
    return c.json(workflow.fileAppeal(actor, parseRequest(ItemId, c.req.param('id'), 'id'), checkpointId, reason), 201);
  });

  app.post('/appeals/:id/recommend', async (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'appeal.recommend');
    const { outcome, comment } = parseRequest(StepBody, await body(c), 'body');
    return c.json(workflow.recommend(actor, parseRequest(z.uuid(), c.req.param('id'), 'id'), outcome, comment));
  });

  app.post('/appeals/:id/rule', async (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'appeal.rule');
    const { outcome, comment } = parseRequest(StepBody, await body(c), 'body');
    return c.json(workflow.rule(actor, parseRequest(z.uuid(), c.req.param('id'), 'id'), outcome, comment));
  });

  // ── calibration ──
  app.get('/calibrations', (c) => {
    const actor = c.get('actor');
    if (!isQaLead(actor)) requirePermission(actor, 'calibration.take');
    return c.json({ items: calibrations.list(actor, isQaLead(actor)) });
  });

  app.post('/calibrations', async (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'calibration.manage');
    return c.json(await calibrations.create(actor, parseRequest(CalibrationBody, await body(c), 'body')), 201);
  });

  app.get('/calibrations/:id', (c) => {
    const actor = c.get('actor');
    if (!isQaLead(actor)) requirePermission(actor, 'calibration.take');
    return c.json(calibrations.view(actor, parseRequest(z.uuid(), c.req.param('id'), 'id'), isQaLead(actor)));
  });

  app.put('/calibrations/:id/answers', async (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'calibration.take');
    const { callId, decisions } = parseRequest(AnswerBody, await body(c), 'body');
    return c.json(calibrations.answer(actor, parseRequest(z.uuid(), c.req.param('id'), 'id'), callId, decisions));
  });

  app.post('/calibrations/:id/close', (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'calibration.manage');
    return c.json(calibrations.close(actor, parseRequest(z.uuid(), c.req.param('id'), 'id')));
  });

  app.get('/calibrations/:id/report', (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'calibration.report');
    const { format } = parseRequest(ExportQuery, c.req.query());
    const id = parseRequest(z.uuid(), c.req.param('id'), 'id');
    const report = calibrations.report(actor, id, isQaLead(actor) || actor.role === 'analyst' || actor.role === 'trainer', format === 'csv');
    if (format === 'json') return c.json(report);
    c.header('Content-Disposition', `attachment; filename="calibration-${id}.csv"`);
    return c.body(reportCsv(report), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  // ── backtest labels ──
  app.get('/labels', (c) => {
    const actor = c.get('actor');
    requirePermission(actor, 'review.labels.export');
    const { scorecardId } = parseRequest(LabelsQuery, c.req.query());
    const lines = workflow.labels(actor, scorecardId);
    c.header('Content-Disposition', `attachment; filename="labels-${scorecardId}.jsonl"`);
    return c.body(lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''), 200, { 'Content-Type': 'application/x-ndjson; charset=utf-8' });
  });

  return app;
}
