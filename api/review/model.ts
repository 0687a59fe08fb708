import { z } from 'zod';
import type { Score } from '../../core/schemas.ts';
import type { Reason } from './select.ts';

/** Who reviews what: the teams an inspector covers (empty: any) and the products they know. */
export const Inspector = z.object({
  userId: z.string().min(1).max(100),
  name: z.string().min(1).max(100),
  teams: z.array(z.string().min(1)).max(100).default([]),
  skills: z.array(z.string().min(1)).max(100).default([]),
  active: z.boolean().default(true),
});
export type Inspector = z.infer<typeof Inspector>;

/** What a queue item keeps of its call: enough to scope, assign and list it without the store. */
export type ItemMeta = {
  callId?: string | undefined;
  agentId?: string | undefined;
  agentName?: string | undefined;
  team?: string | undefined;
  branch?: string | undefined;
  product?: string | undefined;
  recordedAt: string | null;
};

export type ItemStatus = 'queued' | 'in_review' | 'done' | 'appealed';

/** One checkpoint as reviewed: the machine's decision and the person's, both kept. */
export type HumanDecision = {
  checkpointId: string;
  name: string;
  machinePassed: boolean | null;
  humanPassed: boolean | null;
  verdict: 'confirm' | 'overturn';
  comment: string;
  by: string;
  at: string;
  /** Set when an appeal ruling changed this decision. */
  appealId?: string;
};

export type QueueItem = {
  id: string;
  callId: string;
  scorecardId: string;
  scorecardVersion: string;
  reasons: Reason[];
  meta: ItemMeta;
  machineScore: Score;
  status: ItemStatus;
  assignee: string | null;
  queuedAt: string;
  claimedAt: string | null;
  reviewer: string | null;
  reviewedAt: string | null;
  decisions: HumanDecision[];
  reviewedScore: Score | null;
};

export type AppealStatus = 'filed' | 'recommended' | 'upheld' | 'overturned';
export type AppealStep = { at: string; by: string; role: string; action: 'filed' | 'recommended' | 'ruled'; outcome?: 'uphold' | 'overturn'; comment: string };

export type Appeal = {
  id: string;
  itemId: string;
  callId: string;
  checkpointId: string;
  checkpointName: string;
  agentId: string;
  reason: string;
  status: AppealStatus;
  filedAt: string;
  /** When the current step is due (null once ruled). */
  dueAt: string | null;
  history: AppealStep[];
  meta: ItemMeta;
};

/** A checkpoint decision as a category for agreement statistics. */
export type Category = 'passed' | 'failed' | 'na';
export const categoryOf = (passed: boolean | null): Category => (passed === null ? 'na' : passed ? 'passed' : 'failed');

export type CalibrationSession = {
  id: string;
  name: string;
  scorecardId: string;
  callIds: string[];
  inspectorIds: string[];
  checkpoints: Array<{ id: string; name: string }>;
  status: 'open' | 'closed';
  createdBy: string;
  createdAt: string;
  closedAt: string | null;
};

/** One inspector's blind answers for one call of a session. */
export type CalibrationAnswer = { inspectorId: string; callId: string; decisions: Record<string, Category>; at: string };
