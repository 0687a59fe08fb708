import type { Config } from '../../core/config.ts';
import type { KeywordHit, Role } from '../../core/schemas.ts';
import { asrHost, asrTimeoutMs } from '../asr-host-client.ts';
import { type KeywordSpec, keywordsFromLexicons, parseKeywordList } from './keywords.ts';
import { findKwsModel } from './model.ts';
import type { KwsHit } from './spotter.ts';

/**
 * Keyword spotting as part of the transcribe stage: the lexicon terms (CALLSCOPE_KWS_LEXICONS, with
 * their `kwsThreshold`) plus CALLSCOPE_KWS_KEYWORDS (`投诉#0.3`), spotted in every channel of the
 * call and stored on the CallDoc as `acoustics.keywordHits` — audio evidence for scorecard
 * conditions with `source: audio|auto` when a call has no transcript.
 */
export function callKeywords(config: Pick<Config, 'kws'>): KeywordSpec[] {
  const fromLexicons = keywordsFromLexicons(config.kws.lexicons);
  return [...fromLexicons, ...parseKeywordList(config.kws.keywords, fromLexicons)];
}

/** Whether this call gets keyword spotting: `always`, or `auto` and no transcript text. */
export function wantsKeywordSpotting(config: Pick<Config, 'kws'>, hasTranscriptText: boolean): boolean {
  return config.kws.mode === 'always' || (config.kws.mode === 'auto' && !hasTranscriptText);
}

/** Hits of one term on one channel that overlap in time are one hit (two forms of the same word), best score kept. */
export function mergeOverlapping<T extends Pick<KwsHit, 'term' | 'channel' | 'start' | 'end' | 'score'>>(hits: T[]): T[] {
  const out: T[] = [];
  for (const h of [...hits].sort((a, b) => a.start - b.start)) {
    const prev = out.find((o) => o.term === h.term && o.channel === h.channel && h.start < o.end && o.start < h.end);
    if (prev) {
      prev.score = Math.max(prev.score, h.score);
      prev.end = Math.max(prev.end, h.end);
    } else out.push({ ...h });
  }
  return out;
}

type Turn = { start: number; end: number; role: Role };

/** A mono hit takes the role of the diarised turn it overlaps most (unknown outside every turn). */
function roleAt(hit: { start: number; end: number }, turns: Turn[]): Role {
  let best: Role = 'unknown';
  let most = 0;
  for (const t of turns) {
    const o = Math.min(hit.end, t.end) - Math.max(hit.start, t.start);
    if (o > most) {
      most = o;
      best = t.role;
    }
  }
  return best;
}

/**
 * Spots the configured keywords in `file` (in the ASR host child: native code). Null when no KWS
 * model is installed. Mono hits get their role from `monoTurns` (the call's diarised, role-labelled turns).
 */
export async function spotCallKeywords(
  file: string,
  config: Pick<Config, 'kws' | 'modelsDir' | 'asrThreads' | 'asr'>,
  durationSec: number,
  monoTurns: Turn[] = [],
): Promise<KeywordHit[] | null> {
  const model = findKwsModel(config.modelsDir);
  if (!model) return null;
  const res = await asrHost().spotKeywords(
    { file, model, keywords: callKeywords(config), threshold: config.kws.threshold, threads: config.asrThreads },
    { timeoutMs: asrTimeoutMs(durationSec, config.asr.timeoutFactor) },
  );
  return mergeOverlapping(res.hits).map(({ tokens: _tokens, ...h }) => ({ ...h, role: res.channels === 1 ? roleAt(h, monoTurns) : h.role }));
}
