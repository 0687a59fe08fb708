import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../core/config.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { loadPublishedScorecards, scorecardVersions } from '../../scoring-models/published.ts';
import { parseScorecard, type Scorecard } from '../../scoring-models/scorecard.ts';
import type { AuditLog } from '../actor.ts';
import { Calibrations } from './calibration.ts';
import { openReviewDb } from './review-db.ts';
import { loadQueueRules } from './rules.ts';
import { type ScorecardLookup, ReviewWorkflow } from './workflow.ts';

/** The exact scorecard version that scored a call: the published file, else its archived copy. */
export function scorecardLookup(config: Pick<Config, 'scorecardsDir' | 'dataDir'>): ScorecardLookup {
  const cache = new Map<string, Scorecard | null>();
  return (id, version) => {
    const key = `${id}@${version}`;
    if (!cache.has(key)) {
      const published = loadPublishedScorecards(config.scorecardsDir, config.dataDir, () => {}).find((c) => c.id === id && c.version === version);
      const archived = published ? undefined : scorecardVersions(config.dataDir, id).find((v) => v.version === version);
      cache.set(key, published ?? (archived ? parseScorecard(readFileSync(archived.file, 'utf8'), archived.file) : null));
    }
    return cache.get(key)!;
  };
}

export type Review = { workflow: ReviewWorkflow; calibrations: Calibrations; close(): void };

/** The review workflow over $CALLSCOPE_DATA/review.sqlite, for the API and the CLI. */
export function openReview(config: Config, store: CallStore, audit: AuditLog, now?: () => Date): Review {
  const db = openReviewDb(path.join(config.dataDir, 'review.sqlite'));
  const deps = { db, store, audit, ...(now ? { now } : {}) };
  return {
    workflow: new ReviewWorkflow({ ...deps, rules: loadQueueRules(config.reviewRulesFile), scorecard: scorecardLookup(config) }),
    calibrations: new Calibrations(deps),
    close: () => db.close(),
  };
}
