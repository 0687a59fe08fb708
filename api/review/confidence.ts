import type { CallDoc, CheckpointResult } from '../../core/schemas.ts';
import type { QueueRules } from './rules.ts';

/** Why a machine decision is uncertain: the reviewer sees these beside the checkpoint. */
export type Doubt = { checkpointId: string; kind: 'sound_alike' | 'emotion_near_cut' | 'semantic_near_threshold'; detail: string };

const NEGATIVE = new Set(['angry', 'negative']);

/**
 * Doubts about each applicable decision, from its evidence: a lexicon hit found only through a
 * sound-alike character, an angry/negative emotion score within the margin of the cut, or a
 * semantic similarity (when the evidence records one) within the margin of its threshold.
 */
export function doubtsOf(doc: Pick<CallDoc, 'segments'>, items: CheckpointResult[], rules: QueueRules['lowConfidence']): Doubt[] {
  if (!rules.enabled) return [];
  const segments = new Map(doc.segments.map((s) => [s.id, s]));
  const doubts: Doubt[] = [];
  for (const item of items) {
    if (!item.applicable) continue;
    const seen = new Set<string>();
    const add = (d: Doubt) => {
      const key = `${d.kind}:${d.detail}`;
      if (!seen.has(key)) doubts.push(d), seen.add(key);
    };
    for (const ev of item.evidence) {
      const seg = segments.get(ev.segmentId);
      if (rules.soundAlike && seg) {
        for (const h of seg.hits) if (h.soundAlike) add({ checkpointId: item.checkpointId, kind: 'sound_alike', detail: `「${seg.textMasked.slice(h.start, h.end)}」读作「${h.term}」` });
      }
      const e = seg?.emotion;
      if (e && NEGATIVE.has(e.label) && Math.abs(e.score - rules.emotionCut) <= rules.emotionMargin) {
        add({ checkpointId: item.checkpointId, kind: 'emotion_near_cut', detail: `${e.label} ${e.score.toFixed(2)}（阈值 ${rules.emotionCut}）` });
      }
      const sim = ev.values?.['similarity'];
      const threshold = ev.values?.['threshold'];
      if (typeof sim === 'number' && typeof threshold === 'number' && Math.abs(sim - threshold) <= rules.semanticMargin) {
        add({ checkpointId: item.checkpointId, kind: 'semantic_near_threshold', detail: `相似度 ${sim.toFixed(3)}（阈值 ${threshold}）` });
      }
    }
  }
  return doubts;
}
