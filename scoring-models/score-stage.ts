import type { Score } from '../core/schemas.ts';
import { ok, type Stage } from '../core/stage.ts';
import { scoreCall, type ScoringInput } from './evaluate.ts';
import type { Scorecard } from './scorecard.ts';

export type ScoreInput = ScoringInput;

/** The stage version names every scorecard version, so publishing a new one re-scores every call. */
export function createScoreStage(scorecards: Scorecard[]): Stage<ScoreInput, Score[]> {
  return {
    name: 'score',
    version: `1+${scorecards.map((c) => `${c.id}@${c.version}`).join(',')}`,
    async run(input) {
      return ok(scorecards.map((card) => scoreCall(card, input)));
    },
  };
}
