import type { Acoustics, SpeechRegion } from '../core/schemas.ts';
import { charsPerMinute, interruptions, intersect, type RoleSpan, total, TURN_PAUSE_SEC, union } from '../core/timeline.ts';
import { roleOfChannel, type RawSegment } from './transcript.ts';

/** Gaps shorter than this are turn-taking, not silence a QA inspector cares about. */
export const SILENCE_MIN_SEC = 3;
function speechRate(segments: RawSegment[], role: 'agent' | 'customer'): number | null {
  return charsPerMinute(segments.filter((s) => s.role === role));
}

/**
 * Acoustic QA facts. With per-channel VAD regions (stereo audio) talk, overlap and interruptions
 * come from the audio itself; mono audio without a vendor transcript uses the diarised turns;
 * otherwise (mono with a vendor transcript, text-only calls) the transcript's turn timings. Silence always comes from the best timing available.
 */
export function computeAcoustics(input: {
  durationSec: number;
  segments: RawSegment[];
  speech: SpeechRegion[];
  stereo: boolean;
  /** Mono audio without a vendor transcript: who talks when, from diarisation (asr/diarise.ts, asr/roles.ts). */
  diarised?: RoleSpan[];
}): Acoustics {
  const { durationSec, segments, speech, stereo } = input;
  const roleSpans: RoleSpan[] = stereo
    ? speech.map((r) => ({ start: r.start, end: r.end, role: roleOfChannel(r.channel) }))
    : (input.diarised ?? segments.map((s) => ({ start: s.start, end: s.end, role: s.role })));
  const activity = union(speech.length > 0 ? speech : segments);
  const gaps: number[] = [];
  for (let i = 1; i < activity.length; i++) gaps.push(activity[i]!.start - activity[i - 1]!.end);
  const silences = gaps.filter((g) => g >= SILENCE_MIN_SEC);
  const silenceSec = silences.reduce((a, b) => a + b, 0);
  const agent = union(roleSpans.filter((s) => s.role === 'agent'), TURN_PAUSE_SEC);
  const customer = union(roleSpans.filter((s) => s.role === 'customer'), TURN_PAUSE_SEC);
  const talk = total(agent) + total(customer);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    basis: speech.length > 0 ? 'vad' : 'transcript',
    silenceSec: round(silenceSec),
    longestSilenceSec: round(Math.max(0, ...gaps)),
    silenceRatio: durationSec > 0 ? round(silenceSec / durationSec) : 0,
    talkRatio: talk > 0 ? round(total(agent) / talk) : 0,
    speechRateCpm: { agent: speechRate(segments, 'agent'), customer: speechRate(segments, 'customer') },
    overlapSec: round(total(intersect(agent, customer))),
    interruptions: { agent: interruptions(agent, customer).length, customer: interruptions(customer, agent).length },
  };
}
