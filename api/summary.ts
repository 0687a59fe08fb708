import path from 'node:path';
import type { CallDoc } from '../core/schemas.ts';

/** One row of the call list: what an inspector scans before opening a call. */
export type CallSummary = {
  id: string;
  status: CallDoc['status'];
  fileName: string;
  recordedAt: string | null;
  durationSec: number | null;
  meta: Pick<CallDoc['meta'], 'callId' | 'agentId' | 'agentName' | 'team' | 'branch' | 'product' | 'channel'>;
  score: { scorecardId: string; total: number; maxTotal: number; passed: boolean; vetoed: boolean } | null;
  flags: string[];
  error: CallDoc['error'] | null;
};

export function toSummary(doc: CallDoc): CallSummary {
  const s = doc.scores[0];
  const { callId, agentId, agentName, team, branch, product, channel } = doc.meta;
  return {
    id: doc.id,
    status: doc.status,
    fileName: path.basename(doc.source.file),
    recordedAt: doc.recordedAt,
    durationSec: doc.durationSec,
    meta: { callId, agentId, agentName, team, branch, product, channel },
    score: s ? { scorecardId: s.scorecardId, total: s.total, maxTotal: s.maxTotal, passed: s.passed, vetoed: s.vetoed } : null,
    flags: s ? s.items.filter((i) => i.passed === false).map((i) => i.checkpointId) : [],
    error: doc.error ?? null,
  };
}
