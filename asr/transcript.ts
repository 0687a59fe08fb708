import { readFile } from 'node:fs/promises';
import { CallScopeError, messageOf } from '../core/errors.ts';
import { type Role, TranscriptV1 } from '../core/schemas.ts';
import { clustersOf, fuseRoles } from './role-fusion.ts';
import { GREETING } from './roles.ts';

/** A timed utterance before NLP: what ASR (or the vendor) produced, with a role assigned. */
export type RawSegment = {
  start: number;
  end: number;
  text: string;
  role: Role;
  channel?: number;
  speaker?: string;
};

export async function readTranscriptFile(file: string): Promise<TranscriptV1> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new CallScopeError('TRANSCRIPT_INVALID', `transcript is not valid JSON (${messageOf(err)})`);
  }
  return parseTranscript(json);
}

export function parseTranscript(json: unknown): TranscriptV1 {
  const parsed = TranscriptV1.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? ` at ${first.path.join('.')}` : '';
    throw new CallScopeError('TRANSCRIPT_INVALID', `transcript does not follow callscope-transcript/v1${where}: ${first?.message}`);
  }
  return parsed.data;
}

/** Stereo recordings put the agent on the left channel (0) and the customer on the right (1). */
export const AGENT_CHANNEL = 0;

export function roleOfChannel(channel: number): Role {
  return channel === AGENT_CHANNEL ? 'agent' : 'customer';
}

/**
 * Gives every segment a role. Explicit roles win; then the channel; then, for mono transcripts
 * (role unknown, no channel), what is said fused with who says it (asr/role-fusion.ts): the
 * line classifier's verdict, the greeting / 工号 line, the agent-opens-the-call prior, and the
 * vendor's speaker labels — or, without them, the audio diariser's turns when given. When the text
 * says nothing about the sides, the speaker of the first greeting line (else the first speaker) is the agent.
 */
/** Whether a vendor transcript leaves some segment with no role, channel or speaker: our diariser's voice clusters then help assign roles (mono audio). */
export const vendorNeedsDiarisation = (t: TranscriptV1): boolean => t.segments.some((s) => s.role === 'unknown' && s.channel === undefined && !s.speaker);

export function assignRoles(t: TranscriptV1, diarisation: Array<{ start: number; end: number; speaker: string }> = []): RawSegment[] {
  const ordered = [...t.segments].sort((a, b) => a.start - b.start);
  const mono = ordered.filter((s) => s.role === 'unknown' && s.channel === undefined);
  const fused = fuseRoles(
    mono.map((s) => {
      const clusters = s.speaker ? { [s.speaker]: s.end - s.start } : diarisation.length > 0 ? clustersOf(s, diarisation) : undefined;
      return { start: s.start, end: s.end, text: s.text, ...(clusters ? { clusters } : {}) };
    }),
  );
  const fusedRole = new Map(fused ? mono.map((s, i) => [s, fused.roles[i]!]) : []);
  // Text that says nothing about the sides: the speaker of the first greeting / 工号 line is the agent, else whoever talks first.
  const diarised = mono.filter((s) => s.speaker);
  const firstSpeaker = (diarised.find((s) => GREETING.test(s.text)) ?? diarised[0])?.speaker;
  return ordered.map((s) => {
    let role: Role = s.role;
    if (role === 'unknown' && s.channel !== undefined) role = roleOfChannel(s.channel);
    else if (role === 'unknown') {
      role = fusedRole.get(s) ?? (s.speaker !== undefined && firstSpeaker !== undefined ? (s.speaker === firstSpeaker ? 'agent' : 'customer') : 'unknown');
    }
    const seg: RawSegment = { start: s.start, end: s.end, text: s.text, role };
    if (s.channel !== undefined) seg.channel = s.channel;
    if (s.speaker !== undefined) seg.speaker = s.speaker;
    return seg;
  });
}
