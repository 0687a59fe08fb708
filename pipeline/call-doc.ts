import { createHash } from 'node:crypto';
import path from 'node:path';
import { stableStringify } from '../core/stable-json.ts';
import type { CallDoc, CallError, Score } from '../core/schemas.ts';
import { callFlags } from '../scoring-models/flags.ts';
import type { Outputs } from './graph.ts';
import type { CallRecord } from './record-store.ts';

function base(call: CallRecord): Omit<CallDoc, 'status' | 'segments' | 'speech' | 'acoustics' | 'nlp' | 'scores' | 'transcriptSource' | 'durationSec' | 'warnings' | 'versions'> {
  return {
    id: call.id,
    ingestedAt: call.ingestedAt,
    recordedAt: call.meta.recordedAt ?? null,
    language: call.meta.language ?? 'zh-CN',
    source: call.source,
    meta: call.meta,
  };
}

/** The indexed document of a call whose stages all succeeded. */
export function buildCallDoc(call: CallRecord, out: Required<Outputs>, warnings: string[], versions: Record<string, string>): CallDoc {
  const t = out.transcribe;
  const source = { ...call.source };
  if (t.audio) Object.assign(source, { channels: t.audio.channels, sampleRate: t.audio.sampleRate, format: t.audio.format });
  return {
    ...base(call),
    source,
    status: 'ok',
    durationSec: t.durationSec,
    transcriptSource: t.transcriptSource,
    segments: out.analyze.segments,
    speech: t.speech,
    acoustics: t.acoustics,
    nlp: out.analyze.nlp,
    scores: out.score as Score[],
    review: {
      status: 'none',
      flags: callFlags({ segments: out.analyze.segments, customerEmotionEnd: out.analyze.nlp.customerEmotion?.end ?? null }),
    },
    warnings,
    versions,
  };
}

/** A failed call stays visible with its error, and nothing half-processed. */
export function buildFailedDoc(call: CallRecord, error: CallError, versions: Record<string, string> = {}): CallDoc {
  return {
    ...base(call),
    status: 'failed',
    durationSec: null,
    transcriptSource: null,
    segments: [],
    speech: [],
    acoustics: null,
    nlp: null,
    scores: [],
    error,
    warnings: [],
    versions,
  };
}

export function displayName(call: CallRecord): string {
  return path.basename(call.origin);
}

/** The index's change detector for a document (key order does not matter: stores may reorder keys). */
export function docFingerprint(doc: CallDoc): string {
  return createHash('sha256').update(stableStringify(doc)).digest('hex');
}
