import { createHash } from 'node:crypto';
import type { CallDoc, Score } from '../../core/schemas.ts';
import type { CheckpointOutcome } from '../query-model.ts';
import { FACT_COLUMNS, toList } from './schema.ts';

/**
 * What a call's full-text rows are built from, flat: id, role, masked text of each segment in turn
 * (what the prepare threads receive instead of the document: short strings clone cheaply).
 */
export type SegmentTriples = string[];
export function segmentTriples(doc: Pick<CallDoc, 'segments'>): SegmentTriples {
  const out: string[] = [];
  for (const s of doc.segments) out.push(s.id, s.role, s.textMasked);
  return out;
}

/** When a call's segment text is unchanged, a re-score leaves its full-text rows alone. */
export function segmentTextHash(doc: Pick<CallDoc, 'segments'>): string {
  return textHashOf(segmentTriples(doc));
}
export function textHashOf(triples: SegmentTriples): string {
  const h = createHash('sha1');
  for (let i = 0; i < triples.length; i += 3) h.update(`${triples[i]}\u0000${triples[i + 1]}\u0000${triples[i + 2]}\u0001`);
  return h.digest('hex');
}

const ms = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
};
const bool = (b: boolean | undefined | null): number | null => (b === undefined || b === null ? null : b ? 1 : 0);

export function checkpointOutcome(item: { applicable: boolean; passed: boolean | null }): CheckpointOutcome {
  if (!item.applicable || item.passed === null) return 'not_applicable';
  return item.passed ? 'passed' : 'failed';
}

/** The fact-table values of a call, in FACT_COLUMNS order. */
/** The fact columns a call's grades decide (the first scorecard's): a re-score changes only these. */
export function gradeValues(scores: Score[]) {
  const score = scores[0];
  return { scorecard_id: score?.scorecardId ?? null, score: score?.total ?? null, passed: bool(score?.passed), vetoed: bool(score?.vetoed) };
}

export function factValues(doc: CallDoc, docHash: string, textHash: string): unknown[] {
  const a = doc.acoustics;
  const nlp = doc.nlp;
  const grade = gradeValues(doc.scores);
  const byColumn: Record<(typeof FACT_COLUMNS)[number], unknown> = {
    scorecard_id: grade.scorecard_id,
    score: grade.score,
    passed: grade.passed,
    vetoed: grade.vetoed,
    status: doc.status,
    call_id: doc.meta.callId ?? null,
    agent_id: doc.meta.agentId ?? null,
    agent_name: doc.meta.agentName ?? null,
    team: doc.meta.team ?? null,
    branch: doc.meta.branch ?? null,
    region: doc.meta.region ?? null,
    product: doc.meta.product ?? null,
    channel: doc.meta.channel ?? null,
    direction: doc.meta.direction ?? null,
    customer_id: doc.meta.customerId ?? null,
    customer_segment: doc.meta.customerSegment ?? null,
    language: doc.language,
    category: nlp?.category?.id ?? null,
    review_status: doc.review?.status ?? null,
    customer_emotion_start: nlp?.customerEmotion?.start ?? null,
    customer_emotion_end: nlp?.customerEmotion?.end ?? null,
    customer_emotion_worst: nlp?.customerEmotion?.worst.label ?? null,
    agent_emotion_start: nlp?.agentEmotion?.start ?? null,
    agent_emotion_end: nlp?.agentEmotion?.end ?? null,
    agent_emotion_worst: nlp?.agentEmotion?.worst.label ?? null,
    duration_sec: doc.durationSec,
    silence_ratio: a?.silenceRatio ?? null,
    talk_ratio: a?.talkRatio ?? null,
    longest_silence_sec: a?.longestSilenceSec ?? null,
    overlap_sec: a?.overlapSec ?? null,
    agent_speech_rate: a?.speechRateCpm.agent ?? null,
    customer_speech_rate: a?.speechRateCpm.customer ?? null,
    agent_interruptions: a?.interruptions.agent ?? null,
    customer_interruptions: a?.interruptions.customer ?? null,
    sensitive_hits: nlp?.sensitiveHits ?? null,
    forbidden_hits: nlp?.forbiddenHits ?? null,
    complaint_escalated: bool(doc.meta.complaintEscalated),
    recorded_ms: ms(doc.recordedAt),
    ingested_ms: ms(doc.ingestedAt),
    custom: Object.keys(doc.meta.custom).length ? JSON.stringify(doc.meta.custom) : null,
    segment_count: doc.segments.length,
    text_hash: textHash,
    doc_hash: docHash,
    labels: toList(labelsOf(doc)),
    checkpoints: toList(checkpointsOf(doc)),
  };
  return FACT_COLUMNS.map((c) => byColumn[c]);
}

export function labelsOf(doc: CallDoc): Array<[kind: 'tag' | 'flag', value: string]> {
  const tags = new Set((doc.nlp?.tags ?? []).map((t) => t.id));
  const flags = new Set(doc.review?.flags ?? []);
  return [...[...tags].map((v) => ['tag', v] as ['tag', string]), ...[...flags].map((v) => ['flag', v] as ['flag', string])];
}

/** Outcome of each checkpoint of the first scorecard (the one `score` refers to). */
export function checkpointsOf(doc: Pick<CallDoc, 'scores'>): Array<[checkpointId: string, outcome: CheckpointOutcome]> {
  const seen = new Map<string, CheckpointOutcome>();
  for (const item of doc.scores[0]?.items ?? []) seen.set(item.checkpointId, checkpointOutcome(item));
  return [...seen.entries()];
}

export function vectorBlob(vector: number[]): Buffer {
  return Buffer.from(new Float32Array(vector).buffer);
}
