import type { Filter } from '../indexer/query-model.ts';
import { complaintFilter } from './metrics.ts';

/** What root cause explains: calls matching `target` among the calls matching `base` (default: every call). */
export type Target = { target: Filter; base?: Filter | undefined };

export const complaintTarget = (complaintTags: string[] = []): Target => ({ target: complaintFilter(complaintTags) });

/** Failed among the calls where the checkpoint applied. */
export const failedCheckpointTarget = (checkpointId: string): Target => ({
  target: { checkpoints: [{ checkpointId, outcome: ['failed'] }] },
  base: { checkpoints: [{ checkpointId, outcome: ['passed', 'failed'] }] },
});

/**
 * Scored below `threshold`, among scored calls: the query model has no "field exists", and a range
 * on `score` keeps only calls that have one. (-1e15, not -Number.MAX_VALUE: the embedded store
 * passes integral numbers to DuckDB as int64 and refuses larger ones.)
 */
export const lowScoreTarget = (threshold: number): Target => ({
  target: { ranges: { score: { lt: threshold } } },
  base: { ranges: { score: { gte: -1e15 } } },
});

export const negativeEmotionTarget = (labels: string[] = ['negative', 'angry']): Target => ({ target: { terms: { customerEmotionEnd: labels } } });
