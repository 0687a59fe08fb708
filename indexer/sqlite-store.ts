import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CallScopeError } from '../core/errors.ts';
import { CallDoc } from '../core/schemas.ts';
import type { CallQuery, CallStore, Page, SearchHit, SearchQuery, SegmentMatch } from './call-store.ts';

export type Tokenizer = { index(text: string): string[]; query(text: string): string[] };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS calls (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  recorded_at TEXT,
  ingested_at TEXT NOT NULL,
  duration_sec REAL,
  agent_id TEXT, agent_name TEXT, team TEXT, branch TEXT, product TEXT, channel TEXT,
  score_total REAL, score_passed INTEGER,
  doc_hash TEXT NOT NULL,
  doc TEXT NOT NULL,
  text_hash TEXT
);
CREATE INDEX IF NOT EXISTS calls_recorded ON calls(recorded_at);
CREATE VIRTUAL TABLE IF NOT EXISTS segments_fts USING fts5(
  call_id UNINDEXED, segment_id UNINDEXED, role UNINDEXED, tokens, tokenize = 'unicode61'
);
`;

/** What the full-text rows of a call are built from: when it is unchanged, a re-score leaves them alone. */
function segmentTextHash(doc: CallDoc): string {
  const h = createHash('sha1');
  for (const s of doc.segments) h.update(`${s.id}\u0000${s.role}\u0000${s.textMasked}\u0001`);
  return h.digest('hex');
}

/** FTS5 sees jieba words as space-separated tokens; a quoted token is matched literally. */
function ftsQuery(tokens: string[]): string {
  return tokens.map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND ');
}

function filters(q: CallQuery, alias = 'c'): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  const eq = (col: string, key: keyof CallQuery) => {
    if (q[key] !== undefined) {
      clauses.push(`${alias}.${col} = @${key}`);
      params[key] = q[key];
    }
  };
  eq('status', 'status');
  eq('agent_id', 'agentId');
  eq('team', 'team');
  eq('branch', 'branch');
  eq('product', 'product');
  eq('channel', 'channel');
  if (q.minScore !== undefined) (clauses.push(`${alias}.score_total >= @minScore`), (params.minScore = q.minScore));
  if (q.maxScore !== undefined) (clauses.push(`${alias}.score_total <= @maxScore`), (params.maxScore = q.maxScore));
  if (q.passed !== undefined) (clauses.push(`${alias}.score_passed = @passed`), (params.passed = q.passed ? 1 : 0));
  if (q.from !== undefined) (clauses.push(`${alias}.recorded_at >= @from`), (params.from = q.from));
  if (q.to !== undefined) (clauses.push(`${alias}.recorded_at < @to`), (params.to = q.to));
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** The embedded store: one SQLite file, FTS5 over jieba tokens of the masked text. */
export class SqliteCallStore implements CallStore {
  private readonly db: Database.Database;
  private readonly statements: Record<'textHashOf' | 'upsertCall' | 'deleteSegments' | 'insertSegment', Database.Statement>;

  constructor(
    file: string,
    private readonly tokenizer: Tokenizer,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const columns = this.db.prepare('SELECT name FROM pragma_table_info(?)').all('calls') as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'text_hash')) this.db.exec('ALTER TABLE calls ADD COLUMN text_hash TEXT');
    this.statements = {
      textHashOf: this.db.prepare('SELECT text_hash FROM calls WHERE id = ?'),
      upsertCall: this.db.prepare(
        `INSERT OR REPLACE INTO calls (id, status, recorded_at, ingested_at, duration_sec, agent_id, agent_name, team, branch,
           product, channel, score_total, score_passed, doc_hash, doc, text_hash)
         VALUES (@id, @status, @recorded_at, @ingested_at, @duration_sec, @agent_id, @agent_name, @team, @branch, @product,
           @channel, @score_total, @score_passed, @doc_hash, @doc, @text_hash)`,
      ),
      deleteSegments: this.db.prepare('DELETE FROM segments_fts WHERE call_id = ?'),
      insertSegment: this.db.prepare('INSERT INTO segments_fts (call_id, segment_id, role, tokens) VALUES (?, ?, ?, ?)'),
    };
  }

  async put(doc: CallDoc, docHash: string): Promise<void> {
    this.db.transaction(() => this.write(doc, docHash))();
  }

  /** Puts many calls in one transaction (bulk load, re-score): all land or none. */
  async putMany(docs: ReadonlyArray<{ doc: CallDoc; docHash: string }>): Promise<void> {
    this.db.transaction(() => {
      for (const { doc, docHash } of docs) this.write(doc, docHash);
    })();
  }

  /** Writes one call; its full-text rows are rebuilt only when its segment text changed. */
  private write(doc: CallDoc, docHash: string): void {
    const score = doc.scores[0];
    const textHash = segmentTextHash(doc);
    const previous = this.statements.textHashOf.get(doc.id) as { text_hash: string | null } | undefined;
    this.statements.upsertCall.run({
      id: doc.id,
      status: doc.status,
      recorded_at: doc.recordedAt,
      ingested_at: doc.ingestedAt,
      duration_sec: doc.durationSec,
      agent_id: doc.meta.agentId ?? null,
      agent_name: doc.meta.agentName ?? null,
      team: doc.meta.team ?? null,
      branch: doc.meta.branch ?? null,
      product: doc.meta.product ?? null,
      channel: doc.meta.channel ?? null,
      score_total: score?.total ?? null,
      score_passed: score ? (score.passed ? 1 : 0) : null,
      doc_hash: docHash,
      doc: JSON.stringify(doc),
      text_hash: textHash,
    });
    if (previous?.text_hash === textHash) return;
    if (previous) this.statements.deleteSegments.run(doc.id);
    for (const s of doc.segments) {
      this.statements.insertSegment.run(doc.id, s.id, s.role, this.tokenizer.index(s.textMasked).join(' '));
    }
  }

  async get(id: string): Promise<CallDoc | null> {
    const row = this.db.prepare('SELECT doc FROM calls WHERE id = ?').get(id) as { doc: string } | undefined;
    return row ? CallDoc.parse(JSON.parse(row.doc)) : null;
  }

  async docHash(id: string): Promise<string | null> {
    const row = this.db.prepare('SELECT doc_hash FROM calls WHERE id = ?').get(id) as { doc_hash: string } | undefined;
    return row?.doc_hash ?? null;
  }

  async delete(id: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM calls WHERE id = ?').run(id);
      this.db.prepare('DELETE FROM segments_fts WHERE call_id = ?').run(id);
    })();
  }

  async list(query: CallQuery): Promise<Page<CallDoc>> {
    const { where, params } = filters(query);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM calls c ${where}`).get(params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT doc FROM calls c ${where} ORDER BY c.recorded_at DESC, c.id LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: query.limit, offset: query.offset }) as Array<{ doc: string }>;
    return { total, items: rows.map((r) => CallDoc.parse(JSON.parse(r.doc))) };
  }

  async search(query: SearchQuery): Promise<Page<SearchHit>> {
    const tokens = this.tokenizer.query(query.q);
    if (tokens.length === 0) throw new CallScopeError('BAD_REQUEST', 'the search text contains no words');
    const { where, params } = filters(query);
    const roleClause = query.role ? 'AND f.role = @role' : '';
    const rows = this.db
      .prepare(
        `SELECT f.call_id AS callId, f.segment_id AS segmentId, bm25(segments_fts) AS rank
         FROM segments_fts f JOIN calls c ON c.id = f.call_id
         ${where ? `${where} AND` : 'WHERE'} segments_fts MATCH @match ${roleClause}
         ORDER BY rank`,
      )
      .all({ ...params, match: ftsQuery(tokens), ...(query.role ? { role: query.role } : {}) }) as Array<{
      callId: string;
      segmentId: string;
    }>;
    const byCall = new Map<string, string[]>();
    for (const r of rows) byCall.set(r.callId, [...(byCall.get(r.callId) ?? []), r.segmentId]);
    const page = [...byCall.entries()].slice(query.offset, query.offset + query.limit);
    const items: SearchHit[] = [];
    for (const [callId, segmentIds] of page) {
      const call = await this.get(callId);
      if (!call) continue;
      const matches: SegmentMatch[] = call.segments
        .filter((s) => segmentIds.includes(s.id))
        .map((s) => ({ segmentId: s.id, role: s.role, start: s.start, end: s.end, text: s.textMasked }));
      items.push({ call, matches });
    }
    return { total: byCall.size, items };
  }

  async counts(): Promise<{ calls: number; failed: number }> {
    const r = this.db
      .prepare(`SELECT count(*) AS calls, coalesce(sum(status = 'failed'), 0) AS failed FROM calls`)
      .get() as { calls: number; failed: number };
    return r;
  }

  async *all(): AsyncIterable<CallDoc> {
    for (const row of this.db.prepare('SELECT doc FROM calls ORDER BY recorded_at, id').iterate() as Iterable<{ doc: string }>) {
      yield CallDoc.parse(JSON.parse(row.doc));
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
