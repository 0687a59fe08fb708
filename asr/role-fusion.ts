import { roleTextModel } from './role-text/model.ts';
import { GREETING } from './roles.ts';

/**
 * Agent or customer for each text unit of a mono call (a vendor segment, or an ASR segment),
 * from what is said fused with how it sounds:
 *
 * - text: log-odds of the STC-3-trained line classifier (asr/role-text/), plus GREETING_BONUS when
 *   the line is a standard greeting / 工号 line;
 * - sound: which acoustic cluster (the audio diariser's speaker, or the vendor's own S1/S2) the
 *   unit falls in. Which cluster is the agent is the mapping that agrees best with the text; how
 *   much a cluster label is worth is estimated per call from that agreement (a diariser that split
 *   one voice at random agrees half the time and then weighs nothing);
 * - turn-taking: consecutive units change speaker with TURN_SWITCH; the agent opens the call
 *   (AGENT_FIRST).
 * Two-state Viterbi over the units in time order. No parameter was fitted to the sample calls.
 */
export type FusedRole = 'agent' | 'customer';
export type RoleUnit = {
  start: number;
  end: number;
  text: string;
  /** Seconds of this unit in each acoustic cluster (speaker label → seconds); absent when no audio clustering exists. */
  clusters?: Record<string, number>;
};
export type RoleFusion = {
  roles: FusedRole[];
  /** The cluster label taken to be the agent (null without clusters). */
  agentCluster: string | null;
  /** Estimated share of unit time whose cluster label disagrees with the role (0.5 = clusters say nothing). */
  clusterError: number | null;
};

const TURN_SWITCH = 0.7;
const AGENT_FIRST = 0.8;
const GREETING_BONUS = 3;
/** Classifier log-odds are capped: one confident line must not outweigh everything around it. */
const MAX_TEXT_LOG_ODDS = 6;
const MIN_CLUSTER_ERROR = 0.05;
/** A diariser is assumed better than chance until the words say otherwise. */
const PRIOR_CLUSTER_ERROR = 0.2;
const PRIOR_WEIGHT_SEC = 10;
const MAX_CLUSTER_ERROR = 0.5;
/** A diarised stretch this close to a text unit belongs to it (VAD onsets/offsets are that loose). */
const EDGE_SEC = 0.5;
/** Below this share of the text's time on either side, the text is not used (see textIsInformative). */
const MIN_SIDE_SHARE = 0.15;
/**
 * …and at least this share of its speech time in lines the classifier is sure of (|log-odds| ≥
 * SURE_LOG_ODDS, p ≥ 0.88). Real service talk: 70–83 % of lines on the dev transcripts; a
 * weightless engine's 账账银银… babble: none (its lines sit at |log-odds| 0.5–1.9).
 */
const SURE_LOG_ODDS = 2;
const MIN_SURE_SHARE = 0.3;

const logSigmoid = (z: number) => -Math.log1p(Math.exp(-z));

/** Text evidence per unit: log-odds agent vs customer. */
function textLogOdds(text: string): number {
  const raw = roleTextModel().logOdds(text) + (GREETING.test(text) ? GREETING_BONUS : 0);
  return Math.max(-MAX_TEXT_LOG_ODDS, Math.min(MAX_TEXT_LOG_ODDS, raw));
}

/** Share of the unit's clustered time in `label`, or null when the unit has none. */
function shareIn(u: RoleUnit, label: string): number | null {
  if (!u.clusters) return null;
  const total = Object.values(u.clusters).reduce((a, b) => a + b, 0);
  return total > 0 ? (u.clusters[label] ?? 0) / total : null;
}

function viterbi(units: RoleUnit[], lo: number[], agentCluster: string | null, err: number): { roles: FusedRole[]; score: number } {
  const emit = (i: number): [number, number] => {
    const u = units[i]!;
    let agent = logSigmoid(lo[i]!);
    let customer = logSigmoid(-lo[i]!);
    const p = agentCluster === null ? null : shareIn(u, agentCluster);
    if (p !== null) {
      agent += Math.log(err + (1 - 2 * err) * p);
      customer += Math.log(err + (1 - 2 * err) * (1 - p));
    }
    return [agent, customer];
  };
  const n = units.length;
  const [a0, c0] = emit(0);
  let score: [number, number] = [a0 + Math.log(AGENT_FIRST), c0 + Math.log(1 - AGENT_FIRST)];
  const back: Array<[number, number]> = [[0, 1]];
  const stay = Math.log(1 - TURN_SWITCH);
  const sw = Math.log(TURN_SWITCH);
  for (let i = 1; i < n; i++) {
    const e = emit(i);
    const next: [number, number] = [0, 0];
    const from: [number, number] = [0, 0];
    for (const s of [0, 1] as const) {
      const fromSame = score[s] + stay;
      const fromOther = score[1 - s]! + sw;
      next[s] = Math.max(fromSame, fromOther) + e[s];
      from[s] = fromSame >= fromOther ? s : 1 - s;
    }
    score = next;
    back.push(from);
  }
  const states = new Array<number>(n);
  states[n - 1] = score[0] >= score[1] ? 0 : 1;
  for (let i = n - 1; i > 0; i--) states[i - 1] = back[i]![states[i]!]!;
  return { roles: states.map((s) => (s === 0 ? 'agent' : 'customer')), score: Math.max(...score) };
}

/**
 * How often `agentCluster`'s label contradicts what the words say: disagreement weighted by each
 * unit's length and by how sure the text is (|2p − 1|), shrunk towards PRIOR_CLUSTER_ERROR by
 * PRIOR_WEIGHT_SEC of pseudo-evidence, so calls whose lines say little keep a moderate trust in
 * the clusters instead of none.
 */
function clusterError(units: RoleUnit[], pAgent: number[], agentCluster: string): number {
  let wrong = PRIOR_CLUSTER_ERROR * PRIOR_WEIGHT_SEC;
  let total = PRIOR_WEIGHT_SEC;
  units.forEach((u, i) => {
    const share = shareIn(u, agentCluster);
    if (share === null) return;
    const sure = Math.abs(2 * pAgent[i]! - 1) * (u.end - u.start);
    wrong += sure * (pAgent[i]! > 0.5 ? 1 - share : share);
    total += sure;
  });
  return Math.max(MIN_CLUSTER_ERROR, Math.min(MAX_CLUSTER_ERROR, wrong / total));
}

/**
 * A service call has two sides: text whose lines the classifier puts (almost) all on one side, or
 * whose lines it is rarely sure of — no words, or a broken engine's 银银银… — says nothing about who is who.
 */
function textIsInformative(units: RoleUnit[], lo: number[]): boolean {
  const total = units.reduce((n, u) => n + (u.end - u.start), 0);
  const agent = units.reduce((n, u, i) => n + (lo[i]! > 0 ? u.end - u.start : 0), 0);
  const customer = units.reduce((n, u, i) => n + (lo[i]! < 0 ? u.end - u.start : 0), 0);
  const sure = units.reduce((n, u, i) => n + (Math.abs(lo[i]!) >= SURE_LOG_ODDS ? u.end - u.start : 0), 0);
  return total > 0 && agent / total >= MIN_SIDE_SHARE && customer / total >= MIN_SIDE_SHARE && sure / total >= MIN_SURE_SHARE;
}

/** Roles of the units, or null when their text is not informative (then the caller keeps its acoustic / first-speaker rule). */
export function fuseRoles(unitsIn: RoleUnit[]): RoleFusion | null {
  if (unitsIn.length === 0) return null;
  const order = unitsIn.map((_, i) => i).sort((a, b) => unitsIn[a]!.start - unitsIn[b]!.start);
  const units = order.map((i) => unitsIn[i]!);
  const lo = units.map((u) => textLogOdds(u.text));
  if (!textIsInformative(units, lo)) return null;
  const labels = [...new Set(units.flatMap((u) => Object.keys(u.clusters ?? {})))].sort();

  // Each cluster label in turn as the agent (the others are then the customer), with the error
  // rate the text implies for that mapping; the jointly most likely mapping and roles win. With
  // equally mute text the agent-first prior decides.
  const pText = lo.map((z) => 1 / (1 + Math.exp(-z)));
  let best = { ...viterbi(units, lo, null, MAX_CLUSTER_ERROR), agentCluster: null as string | null, err: MAX_CLUSTER_ERROR };
  if (labels.length > 0) best = { ...best, score: -Infinity };
  for (const l of labels) {
    const err = clusterError(units, pText, l);
    const v = viterbi(units, lo, l, err);
    if (v.score > best.score) best = { ...v, agentCluster: l, err };
  }
  const roles = new Array<FusedRole>(units.length);
  order.forEach((orig, k) => (roles[orig] = best.roles[k]!));
  return { roles, agentCluster: best.agentCluster, clusterError: best.agentCluster === null ? null : Math.round(best.err * 1000) / 1000 };
}

/** Seconds of [start, end) each diarised speaker is heard: a unit's clusters from the audio diariser. */
export function clustersOf(unit: { start: number; end: number }, turns: Array<{ start: number; end: number; speaker: string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of turns) {
    const o = Math.min(unit.end, t.end) - Math.max(unit.start, t.start);
    if (o > 0) out[t.speaker] = (out[t.speaker] ?? 0) + o;
  }
  return out;
}

/**
 * Roles for the diarised turns themselves (acoustics are computed on them): the part of a turn
 * under a text unit takes that unit's fused role (a turn the diariser ran across a speaker change
 * is cut there); the rest takes the role of the unit it touches (VAD edges run past the text's
 * times), or, farther than EDGE_SEC from any unit, the role its cluster maps to.
 */
export function rolesOfTurns<T extends { start: number; end: number; speaker: string }>(
  turns: T[],
  units: RoleUnit[],
  fusion: RoleFusion,
): Array<T & { role: FusedRole }> {
  const byStart = units.map((u, i) => ({ ...u, role: fusion.roles[i]! })).sort((a, b) => a.start - b.start);
  const out: Array<T & { role: FusedRole }> = [];
  const push = (t: T, start: number, end: number, role: FusedRole) => {
    if (end - start <= 0) return;
    const last = out.at(-1);
    if (last && last.role === role && last.speaker === t.speaker && Math.abs(last.end - start) < 1e-6) last.end = end;
    else out.push({ ...t, start, end, role });
  };
  const restRole = (t: T, start: number, end: number): FusedRole => {
    let nearest: { role: FusedRole; gap: number } | null = null;
    for (const u of byStart) {
      const gap = Math.max(u.start - end, start - u.end, 0);
      if (gap <= EDGE_SEC && (!nearest || gap < nearest.gap)) nearest = { role: u.role, gap };
    }
    return nearest?.role ?? (t.speaker === fusion.agentCluster ? 'agent' : 'customer');
  };
  for (const t of turns) {
    let at = t.start;
    for (const u of byStart) {
      if (u.end <= at || u.start >= t.end) continue;
      push(t, at, Math.max(at, u.start), restRole(t, at, Math.max(at, u.start)));
      const end = Math.min(t.end, u.end);
      push(t, Math.max(at, u.start), end, u.role);
      at = end;
    }
    push(t, at, t.end, restRole(t, at, t.end));
  }
  return out;
}
