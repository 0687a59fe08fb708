import { createHash } from 'node:crypto';
import type { CallDoc, Score } from '../../core/schemas.ts';
import { doubtsOf } from './confidence.ts';
import type { QueueRules } from './rules.ts';

export type ReasonKind = 'vetoed' | 'failed' | 'low_confidence' | 'complaint' | 'sample';
export type Reason = { kind: ReasonKind; detail: string };

/** The rule-based reasons (everything but the weekly sample) to review this call's score. */
export function reasonsFor(doc: CallDoc, score: Score, rules: QueueRules): Reason[] {
  const reasons: Reason[] = [];
  if (rules.vetoed && score.vetoed) {
    reasons.push({ kind: 'vetoed', detail: score.items.filter((i) => i.veto && i.passed === false).map((i) => i.name).join('、') });
  }
  if (rules.failed && !score.passed && !score.vetoed) reasons.push({ kind: 'failed', detail: `${score.total} 分` });
  const doubts = doubtsOf(doc, score.items, rules.lowConfidence);
  if (doubts.length > 0) reasons.push({ kind: 'low_confidence', detail: doubts.map((d) => `${d.checkpointId}: ${d.detail}`).join('；') });
  const flags = (doc.review?.flags ?? []).filter((f) => rules.complaint.flags.includes(f));
  const tags = rules.complaint.complaintTags ? (doc.nlp?.tags ?? []).filter((t) => t.complaint).map((t) => t.path) : [];
  if (flags.length + tags.length > 0) reasons.push({ kind: 'complaint', detail: [...flags, ...tags].join('、') });
  return reasons;
}

/** ISO 8601 week (e.g. 2026-W09) of an instant, on the calendar of a fixed UTC offset (+08:00). */
export function isoWeek(instant: string, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number) as [number, number];
  const local = new Date(Date.parse(instant) + sign * (h * 60 + m) * 60_000);
  const d = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day); // the Thursday of this week decides its year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * A call's place in its agent's weekly draw: the lowest ranks are sampled. A hash of the seed, agent,
 * week and call id, so the sample is the same whatever order calls arrive in and on every machine.
 */
export function sampleRank(seed: string, agentId: string, week: string, callId: string): string {
  return createHash('sha256').update(`${seed}\u0000${agentId}\u0000${week}\u0000${callId}`).digest('hex');
}

export type SampleCandidate = { callId: string; agentId: string; week: string };

/**
 * Which candidates to sample: per agent and week, the lowest-ranked ones up to the quota, less what
 * earlier syncs already sampled for that agent and week (so a sync never samples twice).
 */
export function drawSample(candidates: SampleCandidate[], alreadySampled: (agentId: string, week: string) => number, rules: QueueRules['sample']): SampleCandidate[] {
  const groups = new Map<string, SampleCandidate[]>();
  for (const c of candidates) {
    const key = `${c.agentId}\u0000${c.week}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const picked: SampleCandidate[] = [];
  for (const group of groups.values()) {
    const { agentId, week } = group[0]!;
    const room = rules.perAgentPerWeek - alreadySampled(agentId, week);
    if (room <= 0) continue;
    const ranked = group
      .map((c) => ({ c, rank: sampleRank(rules.seed, agentId, week, c.callId) }))
      .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    picked.push(...ranked.slice(0, room).map((r) => r.c));
  }
  return picked;
}
