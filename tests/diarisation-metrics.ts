/**
 * Diarisation error rate (NIST style, no collar, overlap counted) and role accuracy on a 10 ms
 * grid, against reference turns with roles. Hypothesis speakers are mapped to roles by the
 * better of the two one-to-one mappings (DER), or by the role the system assigned (role accuracy).
 */
export type RefTurn = { role: 'agent' | 'customer'; start: number; end: number };
export type HypTurn = { start: number; end: number; speaker: string };
export type DerResult = { der: number; missed: number; falseAlarm: number; confusion: number; refSec: number };

const STEP = 0.01;

function activeAt<T extends { start: number; end: number }>(spans: T[], n: number): T[][] {
  const grid: T[][] = Array.from({ length: n }, () => []);
  for (const s of spans) for (let i = Math.max(0, Math.round(s.start / STEP)); i < Math.min(n, Math.round(s.end / STEP)); i++) grid[i]!.push(s);
  return grid;
}

function derWith(ref: RefTurn[], hyp: HypTurn[], map: Record<string, string>, durationSec: number): DerResult {
  const n = Math.ceil(durationSec / STEP) + 1;
  const r = activeAt(ref, n);
  const h = activeAt(hyp, n);
  let missed = 0, fa = 0, conf = 0, refN = 0;
  for (let i = 0; i < n; i++) {
    const rs = new Set(r[i]!.map((x) => x.role));
    const hs = new Set(h[i]!.map((x) => map[x.speaker] ?? x.speaker));
    refN += rs.size;
    missed += Math.max(0, rs.size - hs.size);
    fa += Math.max(0, hs.size - rs.size);
    conf += Math.min(rs.size, hs.size) - [...hs].filter((x) => rs.has(x as RefTurn['role'])).length;
  }
  const sec = (x: number) => x * STEP;
  return { der: refN ? (missed + fa + conf) / refN : 0, missed: sec(missed), falseAlarm: sec(fa), confusion: sec(conf), refSec: sec(refN) };
}

export function diarisationError(ref: RefTurn[], hyp: HypTurn[], durationSec: number): DerResult {
  const a = derWith(ref, hyp, { S1: 'agent', S2: 'customer' }, durationSec);
  const b = derWith(ref, hyp, { S1: 'customer', S2: 'agent' }, durationSec);
  return a.der <= b.der ? a : b;
}

/** Share of single-speaker reference time whose hypothesis role (from the system's own assignment) is right. */
export function roleAccuracy(ref: RefTurn[], hyp: Array<{ start: number; end: number; role: string }>, durationSec: number): number {
  const n = Math.ceil(durationSec / STEP) + 1;
  const r = activeAt(ref, n);
  const h = activeAt(hyp, n);
  let total = 0, right = 0;
  for (let i = 0; i < n; i++) {
    if (r[i]!.length !== 1) continue;
    total++;
    if (h[i]!.some((x) => x.role === r[i]![0]!.role)) right++;
  }
  return total ? right / total : 0;
}
