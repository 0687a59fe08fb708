import { z } from 'zod';
import { CallDoc, Role } from '../core/schemas.ts';
import { CallQuery, SearchQuery } from '../indexer/call-store.ts';
import { FilterParams } from './analytics-params.ts';
import { ANALYTICS_OPERATIONS, type Operation } from './analytics-routes.ts';
import { JobsQuery } from './jobs-routes.ts';
import { BacktestBody, DiffQuery, ExplainBody } from './scorecard-routes.ts';

/**
 * The OpenAPI 3.1 document of the HTTP API, built from the zod schemas that validate each request
 * (query parameters one by one, bodies whole) so the document cannot drift from the validation.
 * Responses are described in words, except the CallDoc, whose schema is the store's own.
 */
type Described = Operation & { pathParams?: Record<string, string>; body?: z.ZodType; response?: string | z.ZodType };

const callId = { id: 'call id: 64 hex characters (sha256 of the audio or transcript)' };

/**
 * Query of the cluster endpoints, as api/cluster-routes.ts (clustering branch) validates it. When
 * both branches are merged, import its ClusterFilters / ClusterCallsQuery here instead of this copy.
 */
const text = z.string().trim().min(1).max(200);
const ClustersParams = FilterParams.pick({ from: true, to: true }).extend({
  branch: text.optional(),
  team: text.optional(),
  product: text.optional(),
  channel: text.optional(),
  agentId: text.optional(),
  role: Role.default('customer').describe('whose utterances are clustered'),
  k: z.coerce.number().int().min(2).max(200).optional().describe('number of clusters; chosen by silhouette when absent'),
});
const ClusterCallsParams = ClustersParams.extend({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(/^\d{1,9}$/).optional().describe('the `next` of the previous page'),
});

const CORE_OPERATIONS: Described[] = [
  { method: 'get', path: '/api/health', summary: 'Service status and call counts: { status, calls, failed }', tag: 'calls' },
  { method: 'get', path: '/api/calls', summary: 'Calls, newest recording first: { total, items: CallSummary[] }', query: CallQuery, tag: 'calls' },
  { method: 'get', path: '/api/calls/{id}', summary: 'One call, masked text only', pathParams: callId, response: CallDoc, tag: 'calls' },
  { method: 'get', path: '/api/search', summary: 'Full-text search: the jieba words of q in one segment (of role): { total, items: [{ call, matches }] }', query: SearchQuery, tag: 'calls' },
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
    summary: 'Pain-point clusters: { method, total, clusters: [{ id, label, terms, size, share, trend: [{ period, count }], quotes: [{ callId, segmentId, text }] }] }',
    query: ClustersParams,
    tag: 'clusters',
  },
  {
    method: 'get',
    path: '/api/clusters/{id}/calls',
    summary: 'The calls of one cluster: { total, items: CallSummary[], next }',
    pathParams: { id: 'cluster id: c<number> or other' },
    query: ClusterCallsParams,
    tag: 'clusters',
  },
];

export const OPERATIONS: Described[] = [...CORE_OPERATIONS, ...ANALYTICS_OPERATIONS, ...CLUSTER_OPERATIONS];

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
