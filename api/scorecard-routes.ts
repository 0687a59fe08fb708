import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Config } from '../core/config.ts';
import { CallScopeError } from '../core/errors.ts';
import type { CallDoc } from '../core/schemas.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { RecordStore } from '../pipeline/record-store.ts';
import { scoreHistory, versionDiff } from '../pipeline/score-history.ts';
import { backtest } from '../scoring-models/backtest.ts';
import { matchLabels } from '../scoring-models/labels.ts';
import { loadPublishedScorecards, scorecardVersions } from '../scoring-models/published.ts';
import { parseScorecard } from '../scoring-models/scorecard.ts';
import { scoreWithCards, scoringInputOf } from '../scoring-models/score-stage.ts';
import type { ApiEnv } from './actor.ts';
import { scopedAll, scopedGet } from './auth/scoped-store.ts';
import { assertCallId, CALL_ID, parseRequest } from './validate.ts';

/** Scorecards in request bodies are YAML text; a label set of a few thousand calls fits well under this. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

const Version = z.string().trim().min(1).max(40);
export const DiffQuery = z.object({ from: Version, to: Version });
export const BacktestBody = z.object({ scorecard: z.string().min(1, 'scorecard (the YAML text) is required'), labels: z.array(z.unknown()).min(1).max(100_000) });
export const ExplainBody = z.object({ scorecard: z.string().min(1, 'scorecard (the YAML text) is required'), callId: z.string().regex(CALL_ID, 'callId is 64 hex characters') });

async function jsonBody(req: { json(): Promise<unknown> }): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new CallScopeError('BAD_REQUEST', 'the body must be JSON');
  }
}

/** A draft scorecard from a request; its problems come back as 400 with the YAML line. */
function draft(text: string) {
  try {
    return parseScorecard(text, 'scorecard');
  } catch (err) {
    throw new CallScopeError('BAD_REQUEST', (err as Error).message);
  }
}

/**
 * Scorecards over HTTP: the published set, a call's score history, the diff between two versions,
 * and — without publishing anything — a draft's backtest against labels and its explanation of a call.
 */
export function scorecardRoutes(store: CallStore, config: Config): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const records = new RecordStore(config.dataDir);
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new CallScopeError('PAYLOAD_TOO_LARGE', `the body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`);
    },
  });

  app.get('/scorecards', (c) => {
    const warnings: string[] = [];
    const cards = loadPublishedScorecards(config.scorecardsDir, config.dataDir, (w) => warnings.push(w));
    return c.json({
      warnings,
      items: cards.map((card) => ({
        id: card.id,
        version: card.version,
        digest: card.digest,
        name: card.name,
        baseScore: card.baseScore,
        passScore: card.passScore,
        scope: card.scope ?? null,
        checkpoints: card.checkpoints.map((cp) => ({
          id: cp.id,
          name: cp.name,
          description: cp.description,
          severity: cp.severity,
          label: cp.label ?? null,
          veto: cp.veto,
          deduct: cp.deduct ?? null,
          points: cp.points ?? null,
          conditional: cp.appliesWhen !== undefined,
        })),
        versions: scorecardVersions(config.dataDir, card.id).map(({ version, digest }) => ({ version, digest })),
      })),
    });
  });

  app.get('/scorecards/:id/diff', async (c) => {
    const { from, to } = parseRequest(DiffQuery, c.req.query(), 'query');
    const diff = await versionDiff(records, c.req.param('id'), from, to);
    if (diff.compared === 0) throw new CallScopeError('NOT_FOUND', `no stored call was graded by both ${c.req.param('id')}@${from} and @${to}`);
    return c.json(diff);
  });

  app.get('/calls/:id/scores', async (c) => {
    const id = c.req.param('id');
    assertCallId(id);
    await scopedGet(store, c.get('actor'), id);
    return c.json({ callId: id, history: await scoreHistory(records, id) });
  });

  app.post('/scorecards/backtest', limit, async (c) => {
    const body = parseRequest(BacktestBody, await jsonBody(c.req), 'body');
    const card = draft(body.scorecard);
    if (!card.checkpoints.some((cp) => cp.label)) throw new CallScopeError('BAD_REQUEST', 'no checkpoint names the violation label it detects (label: …)');
    const docs: CallDoc[] = [];
    for await (const d of scopedAll(store, c.get('actor'))) docs.push(d);
    const { calls, problems } = matchLabels(body.labels.map((value, i) => ({ where: `labels[${i}]`, value })), docs);
    if (calls.length === 0) throw new CallScopeError('BAD_REQUEST', `no label matches an ingested call${problems[0] ? ` (${problems[0]})` : ''}`);
    return c.json({ scorecard: `${card.id}@${card.version}`, calls: calls.length, problems, checkpoints: await backtest(card, calls, config.modelsDir) });
  });

  app.post('/scorecards/explain', limit, async (c) => {
    const body = parseRequest(ExplainBody, await jsonBody(c.req), 'body');
    const card = draft(body.scorecard);
    const doc = await scopedGet(store, c.get('actor'), body.callId);
    if (doc.status !== 'ok') throw new CallScopeError('BAD_REQUEST', `the call failed at ${doc.error?.stage}: nothing to grade`);
    const [score] = await scoreWithCards([card], scoringInputOf(doc), config.modelsDir);
    return c.json({ callId: doc.id, scorecard: `${card.id}@${card.version}`, inScope: Boolean(score), score: score ?? null });
  });

  return app;
}
