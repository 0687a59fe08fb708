import { Hono } from 'hono';
import { z } from 'zod';
import { addIntervals } from '../analytics/calendar.ts';
import { compare } from '../analytics/compare.ts';
import { hotTopics } from '../analytics/hot-topics.ts';
import { averageOf, checkpointFailureRate, type Metric } from '../analytics/metrics.ts';
import { OVERVIEW_METRICS, overview } from '../analytics/overview.ts';
import { changeDecomposition, overIndexing } from '../analytics/root-cause.ts';
import { complaintTarget, failedCheckpointTarget, lowScoreTarget, negativeEmotionTarget, type Target } from '../analytics/targets.ts';
import { trend } from '../analytics/trend.ts';
import { CallScopeError } from '../core/errors.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { KeywordField } from '../indexer/query-model.ts';
import { type ApiEnv, withScope } from './actor.ts';
import {
  CallsParams,
  ChangeParams,
  CompareParams,
  FilterParams,
  filterOfParams,
  HotTopicsParams,
  OverviewParams,
  prefixed,
  RootCauseParams,
  TargetParams,
  TrendParams,
  unprefixed,
} from './analytics-params.ts';
import { toSummary } from './summary.ts';
import { parseRequest } from './validate.ts';

const ValuesParams = FilterParams.extend({ field: KeywordField, size: z.coerce.number().int().min(1).max(1000).default(200) });

/** One endpoint of this module, described for the OpenAPI document from the same schema that validates it. */
export type Operation = { method: 'get' | 'post' | 'put'; path: string; summary: string; query?: z.ZodObject; tag: string };

export const ANALYTICS_OPERATIONS: Operation[] = [
  { method: 'get', path: '/api/analytics/overview', summary: 'Dashboard: volume, average score, pass, complaint and negative-emotion rates with their trend and previous period; breakdowns by branch/team/product; top failing checkpoints', query: OverviewParams, tag: 'analytics' },
  { method: 'get', path: '/api/analytics/trend', summary: 'Metrics per day/week/month with the previous window overlaid', query: TrendParams, tag: 'analytics' },
  { method: 'get', path: '/api/analytics/compare', summary: 'Two cohorts (a.* and b.* filter parameters; unprefixed ones apply to both) side by side with tests and intervals', query: CompareParams, tag: 'analytics' },
  { method: 'get', path: '/api/analytics/hot-topics', summary: 'Tags, flags, candidate words and (discover=true) discovered terms and phrases rising against a baseline period (G²)', query: HotTopicsParams, tag: 'analytics' },
  { method: 'get', path: '/api/analytics/root-cause', summary: 'Dimension values over-indexing on a target (lift, support, BH-corrected significance)', query: RootCauseParams, tag: 'analytics' },
  { method: 'get', path: '/api/analytics/root-cause/change', summary: 'Contribution of each value of a dimension to the change of a target rate between two periods (mix + rate effects, summing to the change)', query: ChangeParams, tag: 'analytics' },
  { method: 'get', path: '/api/analytics/calls', summary: 'The calls behind any number (drill-down): the same filter parameters, a page of call summaries', query: CallsParams, tag: 'analytics' },
  { method: 'get', path: '/api/analytics/values', summary: 'Values of a dimension with their call counts (filter choices)', query: ValuesParams, tag: 'analytics' },
];

const TREND_METRICS: Record<string, Metric> = {
  ...Object.fromEntries(OVERVIEW_METRICS.map((m) => [m.name, m])),
  avgDuration: averageOf('durationSec', 'avgDuration'),
  avgSilenceRatio: averageOf('silenceRatio', 'avgSilenceRatio'),
};

function targetOf(p: z.infer<typeof TargetParams>): Target {
  switch (p.target) {
    case 'complaint':
      return complaintTarget();
    case 'negativeEmotion':
      return negativeEmotionTarget();
    case 'lowScore':
      return lowScoreTarget(p.threshold);
    case 'failedCheckpoint':
      if (!p.checkpoint) throw new CallScopeError('BAD_REQUEST', 'checkpoint: target=failedCheckpoint needs the checkpoint id');
      return failedCheckpointTarget(p.checkpoint);
  }
}

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * The analysis endpoints under /api/analytics. Handlers only translate: query string → analytics
 * request (every filter narrowed to the actor's data scope) → JSON. The analyses live in analytics/.
 */
export function analyticsRoutes(store: CallStore): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/analytics/overview', async (c) => {
    const p = parseRequest(OverviewParams, c.req.query());
    const { from, to, interval, ...rest } = p;
    const filter = withScope(filterOfParams(rest), c.get('actor').scope);
    return c.json(await overview(store, { filter, interval, from, to }));
  });

  app.get('/analytics/trend', async (c) => {
    const p = parseRequest(TrendParams, c.req.query());
    const { from, to, interval, metrics, checkpoint, ...rest } = p;
    const chosen = (metrics ?? OVERVIEW_METRICS.map((m) => m.name)).map((name) => TREND_METRICS[name]!);
    if (checkpoint) chosen.push(checkpointFailureRate(checkpoint));
    const filter = withScope(filterOfParams(rest), c.get('actor').scope);
    return c.json(await trend(store, { filter, interval, from, to, metrics: chosen }));
  });

  app.get('/analytics/compare', async (c) => {
    const query = c.req.query();
    const p = parseRequest(CompareParams, query);
    const scope = c.get('actor').scope;
    const cohort = (name: 'a' | 'b') => {
      const params = { ...unprefixed(query), ...prefixed(query, name) };
      delete params.label;
      for (const k of ['meanTest', 'confidence']) delete params[k];
      return withScope(filterOfParams(parseRequest(FilterParams.strict(), params, name)), scope);
    };
    return c.json(
      await compare(store, {
        a: { label: p['a.label'], filter: cohort('a') },
        b: { label: p['b.label'], filter: cohort('b') },
        metrics: OVERVIEW_METRICS,
        meanTest: p.meanTest,
        confidence: p.confidence,
      }),
    );
  });

  app.get('/analytics/hot-topics', async (c) => {
    const p = parseRequest(HotTopicsParams, c.req.query());
    const { from, to, baselineFrom, baselineTo, labels, words, wordRole, minCount, discover, phrases, maxCalls, limit, ...rest } = p;
    if (from >= to) throw new CallScopeError('BAD_REQUEST', `from (${from}) must be before to (${to})`);
    const baseline = {
      from: baselineFrom ?? addIntervals(from, 'day', -daysBetween(from, to)),
      to: baselineTo ?? from,
    };
    const filter = withScope(filterOfParams(rest), c.get('actor').scope);
    const result = await hotTopics(store, {
      filter,
      current: { from, to },
      baseline,
      labels: labels ?? ['tags', 'flags'],
      words: (words ?? []).map((word) => ({ word, ...(wordRole ? { role: wordRole } : {}) })),
      minCount,
      ...(discover ? { discover: { ...(wordRole ? { role: wordRole } : {}), phrases, maxCalls, limit } } : {}),
    });
    const sampled = result.sampled ? { sampled: result.sampled } : {};
    return c.json({ current: { from, to, ...result.current }, baseline: { ...baseline, ...result.baseline }, topics: result.topics, ...sampled });
  });

  app.get('/analytics/root-cause', async (c) => {
    const p = parseRequest(RootCauseParams, c.req.query());
    const { target, checkpoint, threshold, dimensions, minCalls, alpha, limit, ...rest } = p;
    const filter = withScope(filterOfParams(rest), c.get('actor').scope);
    const r = await overIndexing(store, { filter, ...targetOf({ target, checkpoint, threshold }), minCalls, alpha, ...(dimensions ? { dimensions } : {}) });
    return c.json({ ...r, rows: r.rows.slice(0, limit) });
  });

  app.get('/analytics/root-cause/change', async (c) => {
    const p = parseRequest(ChangeParams, c.req.query());
    const { target, checkpoint, threshold, dimension, beforeFrom, beforeTo, afterFrom, afterTo, ...rest } = p;
    const filter = withScope(filterOfParams(rest), c.get('actor').scope);
    return c.json(
      await changeDecomposition(store, {
        filter,
        ...targetOf({ target, checkpoint, threshold }),
        dimension,
        before: { from: beforeFrom, to: beforeTo },
        after: { from: afterFrom, to: afterTo },
      }),
    );
  });

  app.get('/analytics/calls', async (c) => {
    const { limit, offset, ...rest } = parseRequest(CallsParams, c.req.query());
    const page = await store.query({ filter: withScope(filterOfParams(rest), c.get('actor').scope), size: limit, offset });
    return c.json({ total: page.total, totalRelation: page.totalRelation, items: page.items.map((h) => toSummary(h.call)) });
  });

  app.get('/analytics/values', async (c) => {
    const { field, size, ...rest } = parseRequest(ValuesParams, c.req.query());
    const r = await store.aggregate({ filter: withScope(filterOfParams(rest), c.get('actor').scope), aggs: { values: { type: 'terms', field, size } } });
    const values = r.aggs.values;
    return c.json({ field, items: values?.type === 'terms' ? values.buckets.map((b) => ({ value: b.key, calls: b.count })) : [] });
  });

  return app;
}
