import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { CallScopeError } from '../../core/errors.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import { type Actor, type AuditLog, withScope } from '../actor.ts';
import { calibrationReport, type CalibrationReport } from './calibration-report.ts';
import { type CalibrationAnswer, type CalibrationSession, type Category, categoryOf } from './model.ts';

type SessionRow = {
  id: string;
  name: string;
  scorecard_id: string;
  call_ids: string;
  inspector_ids: string;
  checkpoints: string;
  machine: string;
  status: 'open' | 'closed';
  created_by: string;
  created_at: string;
  closed_at: string | null;
};

const sessionOf = (r: SessionRow): CalibrationSession => ({
  id: r.id,
  name: r.name,
  scorecardId: r.scorecard_id,
  callIds: JSON.parse(r.call_ids),
  inspectorIds: JSON.parse(r.inspector_ids),
  checkpoints: JSON.parse(r.checkpoints),
  status: r.status,
  createdBy: r.created_by,
  createdAt: r.created_at,
  closedAt: r.closed_at,
});

/** What an inspector sees of an open session: the calls and checkpoints, and only their own answers. */
export type BlindView = { session: CalibrationSession; answers: CalibrationAnswer[]; progress: Record<string, number> };

/**
 * Calibration sessions: the same calls reviewed blind by several inspectors. Until the session is
 * closed nobody sees another inspector's answers or the machine's; then the κ report is open.
 */
export class Calibrations {
  private readonly db: Database.Database;
  private readonly deps: { db: Database.Database; store: CallStore; audit: AuditLog; now?: () => Date };

  constructor(deps: { db: Database.Database; store: CallStore; audit: AuditLog; now?: () => Date }) {
    this.deps = deps;
    this.db = deps.db;
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }

  async create(actor: Actor, input: { name: string; callIds: string[]; inspectorIds: string[]; scorecardId?: string | undefined }): Promise<CalibrationSession> {
    const callIds = [...new Set(input.callIds)];
    const inspectorIds = [...new Set(input.inspectorIds)];
    if (inspectorIds.length < 2) throw new CallScopeError('BAD_REQUEST', 'a calibration needs at least two inspectors');
    const page = await this.deps.store.query({ filter: withScope({ ids: callIds }, actor.scope), size: Math.min(500, callIds.length) });
    const docs = new Map(page.items.map((h) => [h.call.id, h.call]));
    const missing = callIds.find((c) => !docs.has(c));
    if (missing) throw new CallScopeError('NOT_FOUND', `no call ${missing}`);
    const scorecardId = input.scorecardId ?? docs.get(callIds[0]!)!.scores[0]?.scorecardId;
    const machine: Record<string, Record<string, Category>> = {};
    let checkpoints: CalibrationSession['checkpoints'] | null = null;
    for (const id of callIds) {
      const score = docs.get(id)!.scores.find((s) => s.scorecardId === scorecardId);
      if (!score) throw new CallScopeError('BAD_REQUEST', `call ${id} has no score of scorecard ${scorecardId ?? '(none)'}`);
      machine[id] = Object.fromEntries(score.items.map((i) => [i.checkpointId, categoryOf(i.passed)]));
      checkpoints ??= score.items.map((i) => ({ id: i.checkpointId, name: i.name }));
    }
    const id = randomUUID();
    const at = this.now();
    this.db
      .prepare(`INSERT INTO calibrations (id, name, scorecard_id, call_ids, inspector_ids, checkpoints, machine, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`)
      .run(id, input.name, scorecardId!, JSON.stringify(callIds), JSON.stringify(inspectorIds), JSON.stringify(checkpoints), JSON.stringify(machine), actor.userId, at);
    this.deps.audit.append({ actor: actor.userId, action: 'calibration.created', target: id, details: { name: input.name, calls: callIds.length, inspectors: inspectorIds } });
    return this.session(id);
  }

  private row(id: string): SessionRow {
    const r = this.db.prepare('SELECT * FROM calibrations WHERE id = ?').get(id) as SessionRow | undefined;
    if (!r) throw new CallScopeError('NOT_FOUND', `no calibration session ${id}`);
    return r;
  }

  session(id: string): CalibrationSession {
    return sessionOf(this.row(id));
  }

  /** Sessions the actor takes part in (inspectors) or all (supervisors). */
  list(actor: Actor, all: boolean): CalibrationSession[] {
    const rows = this.db.prepare('SELECT * FROM calibrations ORDER BY created_at DESC, id').all() as SessionRow[];
    return rows.map(sessionOf).filter((s) => all || s.inspectorIds.includes(actor.userId));
  }

  private answersOf(id: string): CalibrationAnswer[] {
    const rows = this.db.prepare('SELECT * FROM calibration_answers WHERE session_id = ? ORDER BY inspector_id, call_id').all(id) as Array<{ inspector_id: string; call_id: string; decisions: string; at: string }>;
    return rows.map((r) => ({ inspectorId: r.inspector_id, callId: r.call_id, decisions: JSON.parse(r.decisions), at: r.at }));
  }

  /** The blind view: an inspector sees their own answers; a supervisor sees only how far each inspector is. */
  view(actor: Actor, id: string, supervisor: boolean): BlindView {
    const session = this.session(id);
    if (!supervisor && !session.inspectorIds.includes(actor.userId)) throw new CallScopeError('NOT_FOUND', `no calibration session ${id}`);
    const answers = this.answersOf(id);
    const progress = Object.fromEntries(session.inspectorIds.map((i) => [i, answers.filter((a) => a.inspectorId === i).length]));
    return { session, answers: answers.filter((a) => a.inspectorId === actor.userId), progress };
  }

  answer(actor: Actor, id: string, callId: string, decisions: Record<string, Category>): CalibrationAnswer {
    const session = this.session(id);
    if (!session.inspectorIds.includes(actor.userId)) throw new CallScopeError('FORBIDDEN', 'you are not an inspector of this calibration session');
    if (session.status !== 'open') throw new CallScopeError('CONFLICT', 'this calibration session is closed');
    if (!session.callIds.includes(callId)) throw new CallScopeError('BAD_REQUEST', `call ${callId} is not in this session`);
    const missing = session.checkpoints.find((cp) => decisions[cp.id] === undefined);
    if (missing) throw new CallScopeError('BAD_REQUEST', `checkpoint ${missing.id} (${missing.name}) needs a decision`);
    const extra = Object.keys(decisions).find((k) => !session.checkpoints.some((cp) => cp.id === k));
    if (extra) throw new CallScopeError('BAD_REQUEST', `no checkpoint ${extra} in this session`);
    const at = this.now();
    this.db
      .prepare('INSERT INTO calibration_answers (session_id, inspector_id, call_id, decisions, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET decisions = excluded.decisions, at = excluded.at')
      .run(id, actor.userId, callId, JSON.stringify(decisions), at);
    return { inspectorId: actor.userId, callId, decisions, at };
  }

  close(actor: Actor, id: string): CalibrationSession {
    const s = this.session(id);
    if (s.status === 'closed') throw new CallScopeError('CONFLICT', 'this calibration session is already closed');
    this.db.prepare(`UPDATE calibrations SET status = 'closed', closed_at = ? WHERE id = ?`).run(this.now(), id);
    this.deps.audit.append({ actor: actor.userId, action: 'calibration.closed', target: id });
    return this.session(id);
  }

  /** The κ report, once the session is closed (before that, answers stay blind). */
  report(actor: Actor, id: string, supervisor: boolean, exported = false): CalibrationReport {
    const r = this.row(id);
    const session = sessionOf(r);
    if (!supervisor && !session.inspectorIds.includes(actor.userId)) throw new CallScopeError('NOT_FOUND', `no calibration session ${id}`);
    if (session.status !== 'closed') throw new CallScopeError('CONFLICT', 'the report opens when the session is closed: answers stay blind until then');
    const report = calibrationReport(session, JSON.parse(r.machine), this.answersOf(id));
    if (exported) this.deps.audit.append({ actor: actor.userId, action: 'calibration.exported', target: id });
    return report;
  }
}
