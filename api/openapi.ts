import { z } from 'zod';
import { CallDoc, Role } from '../core/schemas.ts';
import { CallQuery, SearchQuery } from '../indexer/call-store.ts';
import { FilterParams } from './analytics-params.ts';
import { ANALYTICS_OPERATIONS, type Operation } from './analytics-routes.ts';
import { JobsQuery } from './jobs-routes.ts';
import { BacktestBody, DiffQuery, ExplainBody } from './scorecard-routes.ts';
import { LoginBody } from './auth/auth-routes.ts';
import { RawParam } from './auth/unmask.ts';
import { ClusterCallsQuery, ClusterFilters } from './cluster-routes.ts';
import { SimilarQuery } from './similar-routes.ts';
import {
  AnswerBody,
  AppealBody,
  AppealsQuery,
  AssignBody,
  BatchBody,
  CalibrationBody,
  ExportQuery,
  LabelsQuery,
  QueueQuery,
  ReviewBody,
  StepBody,
} from './review/routes.ts';

/**
 * The OpenAPI 3.1 document of the HTTP API, built from the zod schemas that validate each request
 * (query parameters one by one, bodies whole) so the document cannot drift from the validation.
 * Responses are described in words, except the CallDoc, whose schema is the store's own.
 */
type Described = Operation & { pathParams?: Record<string, string>; body?: z.ZodType; response?: string | z.ZodType };

const callId = { id: 'call id: 64 hex characters (sha256 of the audio or transcript)' };


const CORE_OPERATIONS: Described[] = [
  { method: 'get', path: '/api/health', summary: 'Service status and call counts: { status, calls, failed }', tag: 'calls' },
  { method: 'get', path: '/api/calls', summary: 'Calls, newest recording first: { total, items: CallSummary[] }', query: CallQuery, tag: 'calls' },
  { method: 'get', path: '/api/calls/{id}', summary: 'One call, masked text only', pathParams: callId, response: CallDoc, tag: 'calls' },
  { method: 'get', path: '/api/search', summary: 'Full-text search: the jieba words of q in one segment (of role): { total, items: [{ call, matches }] }', query: SearchQuery, tag: 'calls' },
  {
    method: 'get',
    path: '/api/search/similar',
    summary:
      'More like this: calls like a call, or (segment=…) utterances like one of its segments: { source, items: [{ call, segment: { segmentId, role, start, end, text }, similarity }] }, nearest first, the starting call excluded',
    query: SimilarQuery,
    tag: 'calls',
  },
  { method: 'get', path: '/api/jobs', summary: 'Pipeline jobs (BullMQ runner): { counts, items }', query: JobsQuery, tag: 'jobs' },
  { method: 'post', path: '/api/jobs/retry-failed', summary: 'Queue every failed job again: { retried }', tag: 'jobs' },
  { method: 'get', path: '/api/jobs/{id}', summary: 'One job', pathParams: { id: 'job id = call id' }, tag: 'jobs' },
  { method: 'post', path: '/api/jobs/{id}/retry', summary: 'Queue one failed job again', pathParams: { id: 'job id = call id' }, tag: 'jobs' },
  { method: 'get', path: '/api/scorecards', summary: 'Published scorecards with checkpoints and versions', tag: 'scorecards' },
  { method: 'get', path: '/api/scorecards/{id}/diff', summary: 'Per-checkpoint differences between two versions over the stored calls', pathParams: { id: 'scorecard id' }, query: DiffQuery, tag: 'scorecards' },
  { method: 'get', path: '/api/calls/{id}/scores', summary: "A call's score history across scorecard versions", pathParams: callId, tag: 'scorecards' },
  { method: 'post', path: '/api/scorecards/backtest', summary: 'Backtest a draft scorecard (YAML) against labelled calls, without publishing', body: BacktestBody, tag: 'scorecards' },
  { method: 'post', path: '/api/scorecards/explain', summary: 'Grade one call with a draft scorecard, with evidence', body: ExplainBody, tag: 'scorecards' },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', tag: 'meta' },
];

const CLUSTER_OPERATIONS: Described[] = [
  {
    method: 'get',
    path: '/api/clusters',
    summary: 'Pain-point clusters: { method, total, clusters: [{ id, label, terms, size, share, trend: [{ period, count }], quotes: [{ callId, segmentId, text }] }] }; 202 { status: computing, stage, done, total, k } while the model is first fitted in the background',
    query: ClusterFilters,
    tag: 'clusters',
  },
  {
    method: 'get',
    path: '/api/clusters/{id}/calls',
    summary: 'The calls of one cluster: { total, items: CallSummary[], next }; 202 computing (as /api/clusters) while the model is first fitted',
    pathParams: { id: 'cluster id: c<number> or other' },
    query: ClusterCallsQuery,
    tag: 'clusters',
  },
];

const AUTH_OPERATIONS: Described[] = [
  { method: 'post', path: '/api/auth/login', summary: 'Sign in: { token, expiresAt, user }, and the session cookie (docs/security.md)', body: LoginBody, tag: 'auth' },
  { method: 'post', path: '/api/auth/logout', summary: 'End the session', tag: 'auth' },
  { method: 'get', path: '/api/auth/me', summary: 'The signed-in user: { user: { username, name, role, scope, canUnmask } }', tag: 'auth' },
  { method: 'get', path: '/api/calls/{id}/audio', summary: 'The recording, PII spans beeped; raw=1 the original (unmask right, audited). Range requests', pathParams: callId, query: z.object({ raw: RawParam }), tag: 'calls' },
];

const item = { id: 'review item id (UUID)' };
const appeal = { id: 'appeal id (UUID)' };
const session = { id: 'calibration session id (UUID)' };
const REVIEW_OPERATIONS: Described[] = [
  { method: 'get', path: '/api/review/me', summary: 'What the signed-in user may do in the review workflow', tag: 'review' },
  { method: 'get', path: '/api/review/queue', summary: 'Review queue items in scope, with reasons, assignee and SLA deadlines', query: QueueQuery, tag: 'review' },
  { method: 'post', path: '/api/review/sync', summary: 'Queue the calls the review rules select and assign them: { examined, added, byReason }', tag: 'review' },
  { method: 'get', path: '/api/review/items/{id}', summary: 'One review item with its call (masked), machine and human decisions, appeals', pathParams: item, tag: 'review' },
  { method: 'post', path: '/api/review/items/{id}/claim', summary: 'Claim an item', pathParams: item, tag: 'review' },
  { method: 'post', path: '/api/review/items/{id}/release', summary: 'Release a claimed item', pathParams: item, tag: 'review' },
  { method: 'post', path: '/api/review/items/{id}/assign', summary: 'Assign an item to an inspector', pathParams: item, body: AssignBody, tag: 'review' },
  { method: 'post', path: '/api/review/items/{id}/review', summary: 'Confirm or overturn each checkpoint decision; the reviewed score becomes final', pathParams: item, body: ReviewBody, tag: 'review' },
  { method: 'post', path: '/api/review/reviews', summary: 'Batch review: several items in one request, all or none', body: BatchBody, tag: 'review' },
  { method: 'get', path: '/api/review/inspectors', summary: 'Inspectors with teams, skills and open load', tag: 'review' },
  { method: 'put', path: '/api/review/inspectors/{userId}', summary: "Set an inspector's teams, skills and availability", pathParams: { userId: 'user name' }, tag: 'review' },
  { method: 'get', path: '/api/review/appeals', summary: 'Appeals in scope with their steps and SLA deadlines', query: AppealsQuery, tag: 'review' },
  { method: 'post', path: '/api/review/items/{id}/appeals', summary: 'The agent appeals a reviewed decision with a reason', pathParams: item, body: AppealBody, tag: 'review' },
  { method: 'post', path: '/api/review/appeals/{id}/recommend', summary: "The team supervisor's recommendation", pathParams: appeal, body: StepBody, tag: 'review' },
  { method: 'post', path: '/api/review/appeals/{id}/rule', summary: "The QA supervisor's final ruling", pathParams: appeal, body: StepBody, tag: 'review' },
  { method: 'get', path: '/api/review/calibrations', summary: 'Calibration sessions visible to the user', tag: 'review' },
  { method: 'post', path: '/api/review/calibrations', summary: 'Create a blind calibration session', body: CalibrationBody, tag: 'review' },
  { method: 'get', path: '/api/review/calibrations/{id}', summary: 'One session (blind until closed)', pathParams: session, tag: 'review' },
  { method: 'put', path: '/api/review/calibrations/{id}/answers', summary: "An inspector's answers for one call", pathParams: session, body: AnswerBody, tag: 'review' },
  { method: 'post', path: '/api/review/calibrations/{id}/close', summary: 'Close a session: answers become visible, κ computed', pathParams: session, tag: 'review' },
  { method: 'get', path: '/api/review/calibrations/{id}/report', summary: "Cohen's κ per pair and machine ↔ inspector, Fleiss' κ, per checkpoint (JSON or CSV)", pathParams: session, query: ExportQuery, tag: 'review' },
  { method: 'get', path: '/api/review/labels', summary: 'Reviewed decisions as backtest labels (JSON lines for `callscope scorecard test --labels`)', query: LabelsQuery, tag: 'review' },
];

export const OPERATIONS: Described[] = [...CORE_OPERATIONS, ...AUTH_OPERATIONS, ...ANALYTICS_OPERATIONS, ...CLUSTER_OPERATIONS, ...REVIEW_OPERATIONS];

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
};

function operationObject(op: Described): Record<string, unknown> {
  const parameters: Array<Record<string, unknown>> = [];
  for (const [name, description] of Object.entries(op.pathParams ?? {})) parameters.push({ name, in: 'path', required: true, description, schema: { type: 'string' } });
  for (const [name, field] of Object.entries(op.query?.shape ?? {})) {
    const schema = jsonSchema(field as z.ZodType, 'input');
    const { description, ...rest } = schema;
    parameters.push({
      name,
      in: 'query',
      required: !(field as z.ZodType).safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    });
  }
  const ok =
    op.response && typeof op.response !== 'string'
      ? { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/CallDoc' } } } }
      : { description: typeof op.response === 'string' ? op.response : 'OK', content: { 'application/json': { schema: { type: 'object' } } } };
  return {
    operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_m, ch: string) => ch.toUpperCase())}`,
    summary: op.summary,
    tags: [op.tag],
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } } : {}),
    responses: {
      '200': ok,
      '400': { description: 'Bad request (the message names the parameter)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    },
  };
}

let cached: Record<string, unknown> | null = null;

export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationObject(op);
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'CallScope API',
      version: '0.1.0',
      description: 'Speech & semantic QA analytics for bank contact centres. Text is masked; every list and aggregation is limited to the data scope of the signed-in user. Errors: { error: { code, message } }.',
    },
    servers: [{ url: '/' }],
    tags: ['calls', 'analytics', 'clusters', 'scorecards', 'jobs', 'meta'].map((name) => ({ name })),
    paths,
    components: { schemas: { Error: ErrorBody, CallDoc: jsonSchema(CallDoc, 'output') } },
  };
  return cached;
}

/** `/api/calls/:id` (Hono) → `/api/calls/{id}` (OpenAPI). */
export const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
