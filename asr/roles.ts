import type { DiarSegment, Speaker } from './diarise.ts';

/**
 * Which diarised speaker is the agent. In order:
 * 1. greeting: the vendor transcript (when there is one) has a greeting or 工号 line — whoever
 *    the audio says is talking during it is the agent;
 * 2. first speaker: contact-centre agents open the call (inbound and outbound alike in our data);
 * 3. more talk: when the first stretch is too short to trust (a click, a breath).
 */
export type RoleBasis = 'greeting' | 'first-speaker' | 'more-talk';
export const GREETING = /工号|很高兴为您服务|请问有什么可以帮您|有什么可以帮您|(您好|你好)[，,]?\s*\S{0,6}(银行|客服)/;
const MIN_FIRST_SEC = 1.0;

type Timed = { start: number; end: number };

function overlap(a: Timed, b: Timed): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

export function agentSpeaker(segs: DiarSegment[], vendor: Array<Timed & { text: string }> = []): { agent: Speaker; basis: RoleBasis } | null {
  if (segs.length === 0) return null;
  const greeting = [...vendor].sort((a, b) => a.start - b.start).find((v) => GREETING.test(v.text));
  if (greeting) {
    const talk = (s: Speaker) => segs.filter((x) => x.speaker === s).reduce((n, x) => n + overlap(x, greeting), 0);
    const [s1, s2] = [talk('S1'), talk('S2')];
    if (s1 + s2 > 0) return { agent: s1 >= s2 ? 'S1' : 'S2', basis: 'greeting' };
  }
  const first = segs[0]!;
  if (first.end - first.start >= MIN_FIRST_SEC) return { agent: first.speaker, basis: 'first-speaker' };
  const total = (s: Speaker) => segs.filter((x) => x.speaker === s).reduce((n, x) => n + x.end - x.start, 0);
  return { agent: total('S1') >= total('S2') ? 'S1' : 'S2', basis: 'more-talk' };
}
