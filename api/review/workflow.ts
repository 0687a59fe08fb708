import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { CallScopeError } from '../../core/errors.ts';
import type { CallDoc, CheckpointResult, Score } from '../../core/schemas.ts';
import type { CallStore } from '../../indexer/call-store.ts';
import type { Filter } from '../../indexer/query-model.ts';
import { scoreOfItems } from '../../scoring-models/evaluate.ts';
import type { Scorecard } from '../../scoring-models/scorecard.ts';
import { type Actor, type AuditLog, type DataScope, inScope, withScope } from '../actor.ts';
import { pickInspector } from './assign.ts';
import { doubtsOf, type Doubt } from './confidence.ts';
import type { Appeal, AppealStep, HumanDecision, Inspector, ItemMeta, ItemStatus, QueueItem } from './model.ts';
import type { QueueRules } from './rules.ts';
import { drawSample, isoWeek, type Reason, reasonsFor, type SampleCandidate } from './select.ts';

/** The scorecard (exact version) that produced a score: its points, veto items and pass mark. */
export type ScorecardLookup = (id: string, version: string) => Scorecard | null;

export type WorkflowDeps = {
  db: Database.Database;
  store: CallStore;
  audit: AuditLog;
  rules: QueueRules;
  scorecard: ScorecardLookup;
  now?: () => Date;
};

/** A queue item as listed: with its SLA clock and its appeals. */
export type ItemView = QueueItem & { dueAt: string | null; overdue: boolean; appeals: Array<Appeal & { overdue: boolean }>; doubts: Doubt[] };

export type QueueFilter = {
  status?: ItemStatus | undefined;
  assignee?: string | undefined;
  reason?: Reason['kind'] | undefined;
  overdue?: boolean | undefined;
  callId?: string | undefined;
  /** Only reviewed items (done or under appeal): what an agent sees of the queue. */
  reviewedOnly?: boolean | undefined;
  limit: number;
  offset: number;
};

export type DecisionInput = { checkpointId: string; verdict: 'confirm' | 'overturn'; comment: string };
export type ReviewInput = { itemId: string; decisions: DecisionInput[] };

type ItemRow = {
  id: string;
  call_id: string;
  scorecard_id: string;
  scorecard_version: string;
  reasons: string;
  meta: string;
  machine_score: string;
  status: ItemStatus;
  assignee: string | null;
  queued_at: string;
  claimed_at: string | null;
  reviewer: string | null;
  reviewed_at: string | null;
  decisions: string;
  reviewed_score: string | null;
};

type AppealRow = { id: string; item_id: string; checkpoint_id: string; agent_id: string; reason: string; status: Appeal['status']; filed_at: string; due_at: string | null; history: string };

const OPEN_APPEAL = `status IN ('filed', 'recommended')`;
const hours = (h: number) => h * 3_600_000;

function itemOf(r: ItemRow): QueueItem {
  return {
    id: r.id,
    callId: r.call_id,
    scorecardId: r.scorecard_id,
    scorecardVersion: r.scorecard_version,
    reasons: JSON.parse(r.reasons),
    meta: JSON.parse(r.meta),
    machineScore: JSON.parse(r.machine_score),
    status: r.status,
    assignee: r.assignee,
    queuedAt: r.queued_at,
    claimedAt: r.claimed_at,
    reviewer: r.reviewer,
    reviewedAt: r.reviewed_at,
    decisions: JSON.parse(r.decisions),
    reviewedScore: r.reviewed_score ? JSON.parse(r.reviewed_score) : null,
  };
}

function metaOf(doc: CallDoc): ItemMeta {
  const m = doc.meta;
  return { callId: m.callId, agentId: m.agentId, agentName: m.agentName, team: m.team, branch: m.branch, product: m.product, recordedAt: doc.recordedAt };
}

/**
 * The review workflow over its own SQLite file: queue population, assignment, reviews and the
 * reviewed score, and appeals. Data scope is applied to every read (a call out of scope is not
 * found); which role may call what is checked by the routes (permissions.ts).
 */
export class ReviewWorkflow {
  readonly db: Database.Database;
  private readonly deps: WorkflowDeps;

  constructor(deps: WorkflowDeps) {
    this.deps = deps;
    this.db = deps.db;
    // Lists filter in SQL with the one scope predicate every route uses (inScope), so paging and totals are
    // right; it reads the item's branch/team/agent columns, and each request's scope is parsed once.
    const scopes = new Map<string, DataScope>();
    this.db.function('in_scope', { deterministic: true }, (scope: unknown, branch: unknown, team: unknown, agentId: unknown) => {
      const key = String(scope);
      let parsed = scopes.get(key);
      if (!parsed) {
        if (scopes.size > 1000) scopes.clear();
        scopes.set(key, (parsed = JSON.parse(key) as DataScope));
      }
      return inScope(parsed, { branch: branch as string | null, team: team as string | null, agentId: agentId as string | null }) ? 1 : 0;
    });
  }

  get rules(): QueueRules {
    return this.deps.rules;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  // ── inspectors ──────────────────────────────────────────────────────────────────────────────

  inspectors(): Inspector[] {
    const rows = this.db.prepare('SELECT * FROM inspectors ORDER BY user_id').all() as Array<{ user_id: string; name: string; teams: string; skills: string; active: number }>;
    return rows.map((r) => ({ userId: r.user_id, name: r.name, teams: JSON.parse(r.teams), skills: JSON.parse(r.skills), active: r.active === 1 }));
  }

  saveInspector(i: Inspector): Inspector {
    this.db
      .prepare('INSERT INTO inspectors (user_id, name, teams, skills, active) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, teams = excluded.teams, skills = excluded.skills, active = excluded.active')
      .run(i.userId, i.name, JSON.stringify(i.teams), JSON.stringify(i.skills), i.active ? 1 : 0);
    return i;
  }

  private openLoad(): (userId: string) => number {
    const rows = this.db.prepare(`SELECT assignee, COUNT(*) AS n FROM items WHERE status IN ('queued', 'in_review') AND assignee IS NOT NULL GROUP BY assignee`).all() as Array<{ assignee: string; n: number }>;
    const load = new Map(rows.map((r) => [r.assignee, r.n]));
    return (u) => load.get(u) ?? 0;
  }

  // ── queue population ────────────────────────────────────────────────────────────────────────

  /**
   * Queues every scored call in the actor's scope that a rule selects, plus each agent's weekly
   * sample, and assigns new items. Idempotent: a call is queued once per scorecard version.
   */
  async sync(actor: Actor): Promise<{ examined: number; added: number; byReason: Record<string, number> }> {
    const rules = this.deps.rules;
    const known = this.db.prepare('SELECT 1 FROM items WHERE call_id = ? AND scorecard_id = ? AND scorecard_version = ?');
    const selected: Array<{ doc: CallDoc; score: Score; reasons: Reason[]; week: string | null }> = [];
    const candidates = new Map<string, { doc: CallDoc; score: Score; week: string }>();
    const pool: SampleCandidate[] = [];
    let examined = 0;
    const filter: Filter = withScope({ terms: { status: ['ok'] } }, actor.scope);
    let after: string | undefined;
    for (;;) {
      const page = await this.deps.store.query({ filter, size: 500, ...(after ? { after } : {}) });
      for (const { call: doc } of page.items) {
        examined++;
        const week = isoWeek(doc.recordedAt ?? doc.ingestedAt, rules.sample.timeZoneOffset);
        for (const score of doc.scores) {
          if (known.get(doc.id, score.scorecardId, score.version)) continue;
          const reasons = reasonsFor(doc, score, rules);
          if (reasons.length > 0) selected.push({ doc, score, reasons, week });
          else if (doc.meta.agentId) {
            const key = `${doc.id}\u0000${score.scorecardId}\u0000${score.version}`;
            candidates.set(key, { doc, score, week });
            pool.push({ callId: key, agentId: `${score.scorecardId}\u0000${doc.meta.agentId}`, week });
          }
        }
      }
      if (!page.next) break;
      after = page.next;
    }
    const sampledCount = this.db.prepare('SELECT COUNT(*) AS n FROM items WHERE sampled = 1 AND scorecard_id = ? AND agent_id = ? AND week = ?');
    const sample = drawSample(
      pool,
      (agentKey, week) => {
        const [scorecardId, agentId] = agentKey.split('\u0000') as [string, string];
        return (sampledCount.get(scorecardId, agentId, week) as { n: number }).n;
      },
      rules.sample,
    ).map((c) => {
      const { doc, score, week } = candidates.get(c.callId)!;
      return { doc, score, week, reasons: [{ kind: 'sample' as const, detail: `${week} 随机抽检` }] };
    });

    const insert = this.db.prepare(
      `INSERT INTO items (id, call_id, scorecard_id, scorecard_version, reasons, meta, agent_id, team, branch, week, sampled, machine_score, status, assignee, queued_at, decisions)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, '[]') ON CONFLICT DO NOTHING`,
    );
    const byReason: Record<string, number> = {};
    let added = 0;
    const queuedAt = this.now().toISOString();
    this.db.transaction(() => {
      const inspectors = this.inspectors();
      const load = this.openLoad();
      const extra = new Map<string, number>();
      for (const s of [...selected, ...sample]) {
        const meta = metaOf(s.doc);
        const who = pickInspector(meta, inspectors, (u) => load(u) + (extra.get(u) ?? 0));
        const r = insert.run(
          randomUUID(),
          s.doc.id,
          s.score.scorecardId,
          s.score.version,
          JSON.stringify(s.reasons),
          JSON.stringify(meta),
          meta.agentId ?? null,
          meta.team ?? null,
          meta.branch ?? null,
          s.week,
          s.reasons[0]!.kind === 'sample' ? 1 : 0,
          JSON.stringify(s.score),
          who?.userId ?? null,
          queuedAt,
        );
        if (r.changes === 0) continue;
        added++;
        if (who) extra.set(who.userId, (extra.get(who.userId) ?? 0) + 1);
        for (const reason of s.reasons) byReason[reason.kind] = (byReason[reason.kind] ?? 0) + 1;
      }
    })();
    return { examined, added, byReason };
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────────

  private row(id: string, scope: DataScope): ItemRow {
    const r = this.db.prepare('SELECT * FROM items WHERE id = ? AND in_scope(?, branch, team, agent_id)').get(id, JSON.stringify(scope)) as ItemRow | undefined;
    if (!r) throw new CallScopeError('NOT_FOUND', `no review item ${id}`);
    return r;
  }

  private appealsOf(itemIds: string[]): Map<string, Appeal[]> {
    const out = new Map<string, Appeal[]>();
    if (itemIds.length === 0) return out;
    const rows = this.db.prepare(`SELECT * FROM appeals WHERE item_id IN (${itemIds.map(() => '?').join(',')}) ORDER BY filed_at, id`).all(...itemIds) as AppealRow[];
    const metas = new Map(
      (this.db.prepare(`SELECT id, call_id, meta, machine_score FROM items WHERE id IN (${itemIds.map(() => '?').join(',')})`).all(...itemIds) as Array<{ id: string; call_id: string; meta: string; machine_score: string }>).map((r) => [r.id, r]),
    );
    for (const r of rows) {
      const item = metas.get(r.item_id)!;
      const a: Appeal = {
        id: r.id,
        itemId: r.item_id,
        callId: item.call_id,
        checkpointId: r.checkpoint_id,
        checkpointName: (JSON.parse(item.machine_score) as Score).items.find((i) => i.checkpointId === r.checkpoint_id)?.name ?? r.checkpoint_id,
        agentId: r.agent_id,
        reason: r.reason,
        status: r.status,
        filedAt: r.filed_at,
        dueAt: r.due_at,
        history: JSON.parse(r.history),
        meta: JSON.parse(item.meta),
      };
      out.set(r.item_id, [...(out.get(r.item_id) ?? []), a]);
    }
    return out;
  }

  private view(item: QueueItem, appeals: Appeal[], doc: CallDoc | null = null): ItemView {
    const now = this.now().getTime();
    const open = item.status === 'queued' || item.status === 'in_review';
    const dueAt = open ? new Date(Date.parse(item.queuedAt) + hours(this.deps.rules.slaHours.review)).toISOString() : null;
    const withDue = appeals.map((a) => ({ ...a, overdue: a.dueAt !== null && Date.parse(a.dueAt) < now }));
    return {
      ...item,
      dueAt,
      overdue: (dueAt !== null && Date.parse(dueAt) < now) || withDue.some((a) => a.overdue),
      appeals: withDue,
      doubts: doc ? doubtsOf(doc, item.machineScore.items, this.deps.rules.lowConfidence) : [],
    };
  }

  list(scope: DataScope, f: QueueFilter): { total: number; items: ItemView[] } {
    const now = this.now();
    const where = ['in_scope(@scope, branch, team, agent_id)'];
    const params: Record<string, unknown> = { scope: JSON.stringify(scope) };
    if (f.status) where.push('status = @status'), (params.status = f.status);
    if (f.assignee) where.push(f.assignee === 'none' ? 'assignee IS NULL' : 'assignee = @assignee'), (params.assignee = f.assignee);
    if (f.callId) where.push('call_id = @callId'), (params.callId = f.callId);
    if (f.reviewedOnly) where.push(`status IN ('done', 'appealed')`);
    if (f.reason) where.push(`EXISTS (SELECT 1 FROM json_each(reasons) WHERE json_extract(value, '$.kind') = @reason)`), (params.reason = f.reason);
    if (f.overdue) {
      // Unary + keeps SQLite reading in queue order (items_queue) rather than OR-ing two indexes and sorting.
      where.push(`((+status IN ('queued', 'in_review') AND queued_at < @reviewCut) OR +id IN (SELECT a.item_id FROM appeals a WHERE a.${OPEN_APPEAL} AND a.due_at < @now))`);
      params.reviewCut = new Date(now.getTime() - hours(this.deps.rules.slaHours.review)).toISOString();
      params.now = now.toISOString();
    }
    const sql = `FROM items WHERE ${where.join(' AND ')}`;
    const total = (this.db.prepare(`SELECT COUNT(*) AS n ${sql}`).get(params) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * ${sql} ORDER BY queued_at, id LIMIT @limit OFFSET @offset`).all({ ...params, limit: f.limit, offset: f.offset }) as ItemRow[];
    const appeals = this.appealsOf(rows.map((r) => r.id));
    return { total, items: rows.map((r) => this.view(itemOf(r), appeals.get(r.id) ?? [])) };
  }

  /** An item with its call (for the review screen); not found when out of the actor's scope. */
  async get(id: string, scope: DataScope): Promise<{ item: ItemView; call: CallDoc | null }> {
    const item = itemOf(this.row(id, scope));
    const call = await this.deps.store.get(item.callId);
    return { item: this.view(item, this.appealsOf([id]).get(id) ?? [], call), call };
  }

  // ── claim, release, assign ──────────────────────────────────────────────────────────────────

  private mustBeOpen(r: ItemRow): void {
    if (r.status !== 'queued' && r.status !== 'in_review') throw new CallScopeError('CONFLICT', `review item ${r.id} is already reviewed (${r.status})`);
  }

  claim(id: string, actor: Actor): ItemView {
    return this.db.transaction(() => {
      const r = this.row(id, actor.scope);
      this.mustBeOpen(r);
      if (r.status === 'in_review' && r.assignee !== actor.userId) throw new CallScopeError('CONFLICT', `review item ${id} is being reviewed by ${r.assignee}`);
      this.db.prepare(`UPDATE items SET status = 'in_review', assignee = ?, claimed_at = ? WHERE id = ?`).run(actor.userId, this.now().toISOString(), id);
      return this.view(itemOf(this.row(id, actor.scope)), []);
    })();
  }

  release(id: string, actor: Actor, supervisor: boolean): ItemView {
    return this.db.transaction(() => {
      const r = this.row(id, actor.scope);
      this.mustBeOpen(r);
      if (r.assignee !== actor.userId && !supervisor) throw new CallScopeError('FORBIDDEN', `review item ${id} is not yours to release`);
      this.db.prepare(`UPDATE items SET status = 'queued', assignee = NULL, claimed_at = NULL WHERE id = ?`).run(id);
      return this.view(itemOf(this.row(id, actor.scope)), []);
    })();
  }

  assign(id: string, userId: string, actor: Actor): ItemView {
    return this.db.transaction(() => {
      const r = this.row(id, actor.scope);
      this.mustBeOpen(r);
      if (!this.inspectors().some((i) => i.userId === userId && i.active)) throw new CallScopeError('BAD_REQUEST', `${userId} is not an active inspector`);
      this.db.prepare(`UPDATE items SET status = 'queued', assignee = ?, claimed_at = NULL WHERE id = ?`).run(userId, id);
      return this.view(itemOf(this.row(id, actor.scope)), []);
    })();
  }

  // ── review ──────────────────────────────────────────────────────────────────────────────────

  private card(item: QueueItem): Scorecard {
    const card = this.deps.scorecard(item.scorecardId, item.scorecardVersion);
    if (!card) throw new CallScopeError('SCORECARD_INVALID', `scorecard ${item.scorecardId} version ${item.scorecardVersion}, which scored this call, is not archived: it cannot be re-scored`);
    return card;
  }

  /** The call's score from the human decisions: the scorecard's own points, veto and pass logic. */
  private reviewedScore(item: QueueItem, decisions: HumanDecision[]): Score {
    const card = this.card(item);
    const human = new Map(decisions.map((d) => [d.checkpointId, d]));
    const items: CheckpointResult[] = card.checkpoints.map((cp) => {
      const m = item.machineScore.items.find((i) => i.checkpointId === cp.id);
      if (!m) throw new CallScopeError('SCORECARD_INVALID', `checkpoint ${cp.id} is missing from the machine score of ${item.callId}`);
      const d = human.get(cp.id)!;
      if (d.humanPassed === m.passed) return m;
      // An overturned decision earns all or nothing: the reviewer judges the checkpoint, not each occurrence.
      const reason = `人工改判：${d.comment}`;
      if (d.humanPassed === null) return { ...m, applicable: false, passed: null, points: m.maxPoints, reason };
      return { ...m, applicable: true, passed: d.humanPassed, points: d.humanPassed ? m.maxPoints : 0, reason };
    });
    return scoreOfItems(card, items);
  }

  private decisionsOf(item: QueueItem, input: DecisionInput[], actor: Actor, at: string): HumanDecision[] {
    const given = new Map<string, DecisionInput>();
    for (const d of input) {
      if (given.has(d.checkpointId)) throw new CallScopeError('BAD_REQUEST', `checkpoint ${d.checkpointId} is decided twice`);
      given.set(d.checkpointId, d);
    }
    const decisions = item.machineScore.items.map((m): HumanDecision => {
      const d = given.get(m.checkpointId);
      if (!d) throw new CallScopeError('BAD_REQUEST', `checkpoint ${m.checkpointId} (${m.name}) needs a decision: confirm or overturn`);
      given.delete(m.checkpointId);
      if (d.verdict === 'overturn' && d.comment.trim() === '') throw new CallScopeError('BAD_REQUEST', `overturning ${m.checkpointId} (${m.name}) needs a comment`);
      // Overturning "not applicable" means the checkpoint applied and failed.
      const humanPassed = d.verdict === 'confirm' ? m.passed : m.passed === null ? false : !m.passed;
      return { checkpointId: m.checkpointId, name: m.name, machinePassed: m.passed, humanPassed, verdict: d.verdict, comment: d.comment.trim(), by: actor.userId, at };
    });
    const unknown = [...given.keys()];
    if (unknown.length > 0) throw new CallScopeError('BAD_REQUEST', `no checkpoint ${unknown[0]} in scorecard ${item.scorecardId}`);
    return decisions;
  }

  /** Submits reviews of one or more items: all are saved, or none (one transaction). */
  review(actor: Actor, reviews: ReviewInput[], supervisor: boolean): ItemView[] {
    const at = this.now().toISOString();
    const done = this.db.transaction(() =>
      reviews.map(({ itemId, decisions: input }) => {
        const r = this.row(itemId, actor.scope);
        this.mustBeOpen(r);
        if (r.assignee !== null && r.assignee !== actor.userId && !supervisor) throw new CallScopeError('FORBIDDEN', `review item ${itemId} is assigned to ${r.assignee}`);
        const item = itemOf(r);
        const decisions = this.decisionsOf(item, input, actor, at);
        const score = this.reviewedScore(item, decisions);
        this.db
          .prepare(`UPDATE items SET status = 'done', assignee = ?, reviewer = ?, reviewed_at = ?, decisions = ?, reviewed_score = ? WHERE id = ?`)
          .run(r.assignee ?? actor.userId, actor.userId, at, JSON.stringify(decisions), JSON.stringify(score), itemId);
        return { item: itemOf(this.row(itemId, actor.scope)), before: item.machineScore, after: score, decisions };
      }),
    )();
    for (const d of done) {
      const overturned = d.decisions.filter((x) => x.verdict === 'overturn').map((x) => x.checkpointId);
      this.deps.audit.append({ actor: actor.userId, action: 'review.submitted', target: d.item.callId, details: { itemId: d.item.id, overturned, total: d.after.total } });
      this.auditOverride(actor, d.item, d.before, d.after, null);
    }
    const appeals = this.appealsOf(done.map((d) => d.item.id));
    return done.map((d) => this.view(d.item, appeals.get(d.item.id) ?? []));
  }

  private auditOverride(actor: Actor, item: QueueItem, before: Score, after: Score, appealId: string | null): void {
    const changed = before.items.filter((b) => after.items.find((a) => a.checkpointId === b.checkpointId)?.passed !== b.passed).map((b) => b.checkpointId);
    if (changed.length === 0 && before.total === after.total && before.passed === after.passed) return;
    this.deps.audit.append({
      actor: actor.userId,
      action: 'score.override',
      target: item.callId,
      details: { itemId: item.id, scorecardId: item.scorecardId, version: item.scorecardVersion, from: { total: before.total, passed: before.passed }, to: { total: after.total, passed: after.passed }, checkpoints: changed, ...(appealId ? { appealId } : {}) },
    });
  }

  // ── appeals ─────────────────────────────────────────────────────────────────────────────────

  private appealRow(id: string, scope: DataScope): AppealRow {
    const r = this.db
      .prepare('SELECT a.* FROM appeals a JOIN items i ON i.id = a.item_id WHERE a.id = ? AND in_scope(?, i.branch, i.team, i.agent_id)')
      .get(id, JSON.stringify(scope)) as AppealRow | undefined;
    if (!r) throw new CallScopeError('NOT_FOUND', `no appeal ${id}`);
    return r;
  }

  private appealView(id: string, scope: DataScope): Appeal & { overdue: boolean } {
    const r = this.appealRow(id, scope);
    const a = this.appealsOf([r.item_id]).get(r.item_id)!.find((x) => x.id === id)!;
    return { ...a, overdue: a.dueAt !== null && Date.parse(a.dueAt) < this.now().getTime() };
  }

  /** An agent appeals a failed reviewed decision on one of their own calls. */
  fileAppeal(actor: Actor, itemId: string, checkpointId: string, reason: string): Appeal & { overdue: boolean } {
    if (actor.scope.kind !== 'own') throw new CallScopeError('FORBIDDEN', 'only an agent appeals, for their own calls');
    const agentId = actor.scope.agentId;
    const now = this.now();
    const id = randomUUID();
    this.db.transaction(() => {
      const r = this.row(itemId, actor.scope);
      const item = itemOf(r);
      if (item.meta.agentId !== agentId) throw new CallScopeError('NOT_FOUND', `no review item ${itemId}`);
      if (item.status !== 'done' && item.status !== 'appealed') throw new CallScopeError('CONFLICT', 'this call has not been reviewed yet');
      const d = item.decisions.find((x) => x.checkpointId === checkpointId);
      if (!d) throw new CallScopeError('BAD_REQUEST', `no reviewed decision on ${checkpointId}`);
      if (d.humanPassed !== false) throw new CallScopeError('BAD_REQUEST', `${d.name} was not failed: only a failed decision can be appealed`);
      const deadline = Date.parse(item.reviewedAt!) + hours(this.deps.rules.slaHours.appealWindow);
      if (now.getTime() > deadline) throw new CallScopeError('CONFLICT', `the appeal window (${this.deps.rules.slaHours.appealWindow} h after the review) has closed`);
      if (this.db.prepare('SELECT 1 FROM appeals WHERE item_id = ? AND checkpoint_id = ?').get(itemId, checkpointId)) {
        throw new CallScopeError('CONFLICT', `${d.name} has already been appealed`);
      }
      const step: AppealStep = { at: now.toISOString(), by: actor.userId, role: actor.role, action: 'filed', comment: reason };
      this.db
        .prepare(`INSERT INTO appeals (id, item_id, checkpoint_id, agent_id, reason, status, filed_at, due_at, history) VALUES (?, ?, ?, ?, ?, 'filed', ?, ?, ?)`)
        .run(id, itemId, checkpointId, agentId, reason, step.at, new Date(now.getTime() + hours(this.deps.rules.slaHours.recommend)).toISOString(), JSON.stringify([step]));
      this.db.prepare(`UPDATE items SET status = 'appealed' WHERE id = ?`).run(itemId);
      this.deps.audit.append({ actor: actor.userId, action: 'appeal.filed', target: item.callId, details: { appealId: id, itemId, checkpointId } });
    })();
    return this.appealView(id, actor.scope);
  }

  /** The agent's team supervisor recommends upholding or overturning the decision. */
  recommend(actor: Actor, appealId: string, outcome: 'uphold' | 'overturn', comment: string): Appeal & { overdue: boolean } {
    const now = this.now();
    this.db.transaction(() => {
      const a = this.appealRow(appealId, actor.scope);
      if (a.status !== 'filed') throw new CallScopeError('CONFLICT', `appeal ${appealId} is ${a.status}, not waiting for a recommendation`);
      const history: AppealStep[] = [...JSON.parse(a.history), { at: now.toISOString(), by: actor.userId, role: actor.role, action: 'recommended', outcome, comment }];
      this.db
        .prepare(`UPDATE appeals SET status = 'recommended', due_at = ?, history = ? WHERE id = ?`)
        .run(new Date(now.getTime() + hours(this.deps.rules.slaHours.ruling)).toISOString(), JSON.stringify(history), appealId);
      this.deps.audit.append({ actor: actor.userId, action: 'appeal.recommended', target: appealId, details: { outcome } });
    })();
    return this.appealView(appealId, actor.scope);
  }

  /** The QA supervisor's final ruling; overturning changes the decision and the reviewed score. */
  rule(actor: Actor, appealId: string, outcome: 'uphold' | 'overturn', comment: string): Appeal & { overdue: boolean } {
    const now = this.now().toISOString();
    this.db.transaction(() => {
      const a = this.appealRow(appealId, actor.scope);
      if (a.status !== 'recommended') throw new CallScopeError('CONFLICT', a.status === 'filed' ? `appeal ${appealId} waits for the team supervisor's recommendation` : `appeal ${appealId} is already ruled (${a.status})`);
      const history: AppealStep[] = [...JSON.parse(a.history), { at: now, by: actor.userId, role: actor.role, action: 'ruled', outcome, comment }];
      this.db.prepare(`UPDATE appeals SET status = ?, due_at = NULL, history = ? WHERE id = ?`).run(outcome === 'overturn' ? 'overturned' : 'upheld', JSON.stringify(history), appealId);
      const item = itemOf(this.row(a.item_id, actor.scope));
      let score = item.reviewedScore!;
      let decisions = item.decisions;
      if (outcome === 'overturn') {
        decisions = item.decisions.map((d) =>
          d.checkpointId === a.checkpoint_id ? { ...d, humanPassed: true, verdict: d.machinePassed === true ? 'confirm' : 'overturn', comment: `申诉改判：${comment}`, by: actor.userId, at: now, appealId } : d,
        );
        score = this.reviewedScore(item, decisions);
      }
      const open = this.db.prepare(`SELECT COUNT(*) AS n FROM appeals WHERE item_id = ? AND ${OPEN_APPEAL}`).get(a.item_id) as { n: number };
      this.db
        .prepare(`UPDATE items SET status = ?, decisions = ?, reviewed_score = ? WHERE id = ?`)
        .run(open.n > 0 ? 'appealed' : 'done', JSON.stringify(decisions), JSON.stringify(score), a.item_id);
      this.deps.audit.append({ actor: actor.userId, action: 'appeal.ruled', target: item.callId, details: { appealId, outcome, checkpointId: a.checkpoint_id } });
      if (outcome === 'overturn') this.auditOverride(actor, item, item.reviewedScore!, score, appealId);
    })();
    return this.appealView(appealId, actor.scope);
  }

  appeals(scope: DataScope, status: Appeal['status'] | 'open' | undefined): Array<Appeal & { overdue: boolean }> {
    const where = status === 'open' ? `a.${OPEN_APPEAL}` : status ? 'a.status = @status' : '1';
    const ids = (
      this.db.prepare(`SELECT DISTINCT a.item_id FROM appeals a JOIN items i ON i.id = a.item_id WHERE in_scope(@scope, i.branch, i.team, i.agent_id) AND ${where}`).all({ scope: JSON.stringify(scope), status }) as Array<{ item_id: string }>
    ).map((r) => r.item_id);
    const now = this.now().getTime();
    return [...this.appealsOf(ids).values()]
      .flat()
      .filter((a) => (status === 'open' ? a.status === 'filed' || a.status === 'recommended' : !status || a.status === status))
      .sort((x, y) => (x.filedAt < y.filedAt ? -1 : 1))
      .map((a) => ({ ...a, overdue: a.dueAt !== null && Date.parse(a.dueAt) < now }));
  }

  // ── backtest labels ─────────────────────────────────────────────────────────────────────────

  /**
   * Reviewed calls as backtest labels (scoring-models/labels.ts LabelLine): the violation codes of the
   * checkpoints people finally judged failed. Checkpoints without a `label` cannot be named.
   */
  labels(actor: Actor, scorecardId: string): Array<{ id: string; callId?: string; scorecardId: string; version: string; violations: string[] }> {
    const rows = this.db.prepare(`SELECT * FROM items WHERE scorecard_id = ? AND status IN ('done', 'appealed') AND in_scope(?, branch, team, agent_id) ORDER BY reviewed_at, id`).all(scorecardId, JSON.stringify(actor.scope)) as ItemRow[];
    this.deps.audit.append({ actor: actor.userId, action: 'review.labels.exported', target: scorecardId, details: { calls: rows.length } });
    return rows.map((r) => {
      const item = itemOf(r);
      const card = this.card(item);
      const label = new Map(card.checkpoints.map((cp) => [cp.id, cp.label]));
      const violations = item.decisions.filter((d) => d.humanPassed === false).flatMap((d) => (label.get(d.checkpointId) ? [label.get(d.checkpointId)!] : []));
      return { id: item.callId, ...(item.meta.callId ? { callId: item.meta.callId } : {}), scorecardId, version: item.scorecardVersion, violations };
    });
  }
}
