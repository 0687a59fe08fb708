import type { Score } from '../core/schemas.ts';
import type { RecordStore } from './record-store.ts';

/** One scorecard version's grade of a call, as stored when it was computed. */
export type GradedVersion = {
  scorecardId: string;
  version: string;
  /** Content digest of the scorecard file (absent for results stored before digests were recorded). */
  digest: string | null;
  at: string;
  total: number;
  passed: boolean;
  vetoed: boolean;
  items: Array<{ checkpointId: string; applicable: boolean; passed: boolean | null; points: number }>;
};

/** `2+a@3~d1,b@1~d2` → digest by "id@version" (older stage versions carry none). */
function digestsOf(stageVersion: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of stageVersion.slice(stageVersion.indexOf('+') + 1).split(',')) {
    const [key, digest] = part.split('~');
    if (key && digest) out.set(key, digest);
  }
  return out;
}

/** Every version that has graded the call, oldest first; the same result stored twice is listed once. */
export async function scoreHistory(records: RecordStore, callId: string): Promise<GradedVersion[]> {
  const seen = new Map<string, GradedVersion>();
  for (const r of await records.stageRecords(callId, 'score')) {
    const digests = digestsOf(r.version);
    for (const s of r.output as Score[]) {
      const digest = digests.get(`${s.scorecardId}@${s.version}`) ?? null;
      const key = `${s.scorecardId}@${s.version}~${digest}`;
      const prior = seen.get(key);
      if (prior && prior.at <= r.at) continue;
      seen.set(key, {
        scorecardId: s.scorecardId,
        version: s.version,
        digest,
        at: r.at,
        total: s.total,
        passed: s.passed,
        vetoed: s.vetoed,
        items: s.items.map((i) => ({ checkpointId: i.checkpointId, applicable: i.applicable, passed: i.passed, points: i.points })),
      });
    }
  }
  return [...seen.values()].sort((a, b) => a.at.localeCompare(b.at) || a.scorecardId.localeCompare(b.scorecardId));
}

type Outcome = 'passed' | 'failed' | 'n/a' | 'absent';
const outcome = (i: GradedVersion['items'][number] | undefined): Outcome => (!i ? 'absent' : i.passed === null ? 'n/a' : i.passed ? 'passed' : 'failed');

export type VersionDiff = {
  scorecardId: string;
  from: string;
  to: string;
  /** Calls graded by both versions (the others are counted, not compared). */
  compared: number;
  onlyFrom: number;
  onlyTo: number;
  /** Calls whose overall pass/fail changed, with their ids. */
  verdictChanged: { count: number; callIds: string[] };
  meanTotalChange: number | null;
  checkpoints: Array<{ checkpointId: string; changed: number; transitions: Record<string, number>; callIds: string[] }>;
};

/** Latest grade by each version, if the call has one. */
function latest(history: GradedVersion[], id: string, version: string): GradedVersion | undefined {
  return history.filter((h) => h.scorecardId === id && h.version === version).at(-1);
}

/** How two versions of a scorecard grade the same stored calls differently, per checkpoint. */
export async function versionDiff(records: RecordStore, scorecardId: string, from: string, to: string): Promise<VersionDiff> {
  const diff: VersionDiff = { scorecardId, from, to, compared: 0, onlyFrom: 0, onlyTo: 0, verdictChanged: { count: 0, callIds: [] }, meanTotalChange: null, checkpoints: [] };
  const byCheckpoint = new Map<string, VersionDiff['checkpoints'][number]>();
  let totalChange = 0;
  for await (const callId of records.callIds()) {
    const history = await scoreHistory(records, callId);
    const a = latest(history, scorecardId, from);
    const b = latest(history, scorecardId, to);
    if (!a || !b) {
      if (a) diff.onlyFrom++;
      if (b) diff.onlyTo++;
      continue;
    }
    diff.compared++;
    totalChange += b.total - a.total;
    if (a.passed !== b.passed) {
      diff.verdictChanged.count++;
      diff.verdictChanged.callIds.push(callId);
    }
    const ids = new Set([...a.items, ...b.items].map((i) => i.checkpointId));
    for (const cp of ids) {
      const row = byCheckpoint.get(cp) ?? { checkpointId: cp, changed: 0, transitions: {}, callIds: [] };
      byCheckpoint.set(cp, row);
      const was = outcome(a.items.find((i) => i.checkpointId === cp));
      const now = outcome(b.items.find((i) => i.checkpointId === cp));
      if (was === now) continue;
      row.changed++;
      row.transitions[`${was}→${now}`] = (row.transitions[`${was}→${now}`] ?? 0) + 1;
      row.callIds.push(callId);
    }
  }
  diff.meanTotalChange = diff.compared ? Math.round((totalChange / diff.compared) * 100) / 100 : null;
  diff.checkpoints = [...byCheckpoint.values()].sort((x, y) => y.changed - x.changed || x.checkpointId.localeCompare(y.checkpointId));
  return diff;
}
