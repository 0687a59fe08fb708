import type { CallDoc } from '../core/schemas.ts';

export type Line = readonly ['agent' | 'customer', string];

/**
 * A CallDoc shaped like core/schemas.ts with only what the analyses read: one segment per line, 5 s
 * apart, text already masked. `over` replaces whole top-level fields (meta, nlp, …).
 */
export function textCall(id: string, recordedAt: string, lines: readonly Line[], over: Partial<CallDoc> = {}): CallDoc {
  return {
    id,
    status: 'ok',
    ingestedAt: '2026-05-02T00:00:00.000Z',
    recordedAt,
    durationSec: 60,
    language: 'zh',
    source: { file: `${id}.wav`, sha256: id, kind: 'audio' },
    meta: { branch: '上海分行', custom: {} },
    transcriptSource: 'vendor:test',
    segments: lines.map(([role, text], i) => ({ id: `s${i}`, role, start: i * 5, end: i * 5 + 4, text, textMasked: text, tokens: [], hits: [] })),
    speech: [],
    acoustics: null,
    nlp: { tags: [], forbiddenHits: 0, sensitiveHits: 0, piiFound: [], customerEmotion: null },
    scores: [],
    review: { status: 'none', flags: [] },
    warnings: [],
    versions: {},
    ...over,
  } as CallDoc;
}
