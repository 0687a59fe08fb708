import type Database from 'better-sqlite3';
import type { Filter, TextQuery } from '../query-model.ts';
import { leafOf, type Tokenizer } from '../text-terms.ts';
import { instantMs } from '../time-zone.ts';
import { filterSql, ftsExpression, leafCallsSql, leafMatch, textMatches, type LeafMatch } from './filter-sql.ts';
import { CALLS_PER_MINUTE, minuteOfCall, recordingMinute } from './schema.ts';

/**
 * Text queries sorted newest first, without reading whole doclists. Call numbers follow the
 * recording minute (schema.ts), so each text leaf's FTS5 doclist read backwards (ORDER BY rowid
 * DESC) yields its calls newest first. The leaves are merged in that order, the text's and/or/not
 * is decided per call, the other conditions of the filter are checked on the candidates, and the
 * scan stops once the page is complete (to the end of its minute: calls of one minute are ordered
 * by their exact time and id afterwards) and the total is counted up to its cap.
 */

/** A compiled text query: its leaves and a test over "which leaves hold this call". */
type Compiled = { matches: LeafMatch[]; test: (has: boolean[]) => boolean };

export function compile(q: TextQuery, tokenizer: Tokenizer): Compiled {
  const matches: LeafMatch[] = [];
  const build = (t: TextQuery): ((has: boolean[]) => boolean) => {
    if ('and' in t) {
      const parts = t.and.map(build);
      return (has) => parts.every((p) => p(has));
    }
    if ('or' in t) {
      const parts = t.or.map(build);
      return (has) => parts.some((p) => p(has));
    }
    if ('not' in t) {
      const inner = build(t.not);
      return (has) => !inner(has);
    }
    const match = leafMatch(leafOf(t, tokenizer));
    let i = matches.findIndex((m) => m.key === match.key);
    if (i < 0) i = matches.push(match) - 1;
    return (has) => has[i]!;
  };
  const test = build(q);
  return { matches, test };
}

/**
 * Can this filter be answered by the scan? Not when a call holding none of its words matches its
 * text (a bare `not`), nor when its `not` filters hold text (a whole doclist per batch).
 */
export function scannable(f: Filter & { text: TextQuery }, tokenizer: Tokenizer): boolean {
  const c = compile(f.text, tokenizer);
  return !c.test(c.matches.map(() => false)) && !(f.not ?? []).some((n) => textMatches(n, tokenizer).length > 0);
}

/** The calls of one leaf, newest first (its doclist read backwards: one FTS row a call since v6). */
class LeafCalls {
  private readonly rows: IterableIterator<number>;
  head = Infinity;
  constructor(db: Database.Database, leaf: LeafMatch, below: number | undefined) {
    const calls = leafCallsSql(leaf, below);
    this.rows = db.prepare(`${calls.sql} DESC`).pluck().iterate(...calls.params) as IterableIterator<number>;
    this.advance();
  }
  /** Moves to the next call (-Infinity at the end; numbers may be negative). */
  advance(): void {
    const r = this.rows.next();
    this.head = r.done ? -Infinity : r.value;
  }
  close(): void {
    this.rows.return?.();
  }
}

export type ScanResult = {
  /** Matches counted (all of them, or `cap + 1` when there are more than the cap). */
  counted: number;
  /** Call numbers that may be on the page, newest minute first (a minute's calls in any order). */
  page: number[];
};

/**
 * Walks the text query's matches newest first. `pageFrom`: the minute of the cursor (calls of
 * later minutes are before it); `need`: matches wanted at or after it (offset + size + 1).
 */
export function scanNewestFirst(
  db: Database.Database,
  tokenizer: Tokenizer,
  filter: Filter & { text: TextQuery },
  opts: { cap: number; need: number; pageFrom: number | null },
): ScanResult {
  // One FTS5 expression when the text can be one (FTS5 merges the doclists); else a doclist a leaf, merged here.
  const expression = ftsExpression(filter.text, tokenizer);
  const { matches, test } = expression !== null ? { matches: [{ key: expression, match: expression, oneSegment: null }], test: (has: boolean[]) => has[0]! } : compile(filter.text, tokenizer);
  const { text: _text, ...rest } = filter;
  // A recording-time range bounds the call numbers: skip above it, stop below it.
  const range = rest.dates?.recordedAt;
  // (A range excludes calls without a recording time, the negative numbers: they are below loN.)
  const hiMinute = range?.lt !== undefined ? recordingMinute(instantMs(range.lt)) : Infinity;
  const loN = range?.gte !== undefined ? recordingMinute(instantMs(range.gte)) * CALLS_PER_MINUTE : -Infinity;
  const others = Object.keys(rest).length > 0 ? othersCheck(db, tokenizer, rest) : null;

  // Calls recorded after the range are dropped by FTS5 already (not those before a cursor: they are counted).
  const below = Number.isFinite(hiMinute) ? (hiMinute + 1) * CALLS_PER_MINUTE : undefined;
  const leaves = matches.map((m) => new LeafCalls(db, m, below));
  const has = matches.map(() => false);
  let counted = 0;
  const page: number[] = [];
  let onPage = 0;
  let pageMinute = -1;
  let pageDone = false;
  try {
    // Candidates of the text, newest first, checked against the other conditions in batches.
    const pending: number[] = [];
    const take = (n: number): boolean => {
      counted++;
      const minute = minuteOfCall(n);
      if (!pageDone && (opts.pageFrom === null || minute <= opts.pageFrom)) {
        if (onPage >= opts.need && minute !== pageMinute) pageDone = true;
        else {
          page.push(n);
          // Calls in the cursor's own minute may be before it: they do not fill the page.
          if (opts.pageFrom === null || minute < opts.pageFrom) onPage++;
          pageMinute = minute;
        }
      }
      return pageDone && counted > opts.cap;
    };
    const flush = (): boolean => {
      const kept = others ? others(pending) : [...pending];
      pending.length = 0;
      for (const n of kept) if (take(n)) return true;
      return false;
    };
    for (;;) {
      let cur = -Infinity;
      for (const l of leaves) if (l.head > cur) cur = l.head;
      if (cur === -Infinity || cur < loN) break;
      leaves.forEach((l, i) => (has[i] = l.head === cur));
      for (const l of leaves) if (l.head === cur) l.advance();
      if (minuteOfCall(cur) > hiMinute || !test(has)) continue;
      pending.push(cur);
      if (pending.length >= BATCH && flush()) return { counted, page };
    }
    flush();
    return { counted, page };
  } finally {
    for (const l of leaves) l.close();
  }
}

const BATCH = 256;

/**
 * The filter's other conditions over a batch of candidates (kept in order). A selective keyword
 * condition (branch, agent, team, ids…) is read once from its index as a set; otherwise each batch
 * is one `n IN (…)` query on the fact table.
 */
const SELECTIVE_KEYWORDS = ['branch', 'agentId', 'team', 'callId', 'customerId', 'agentName'] as const;
const isSelective = (rest: Filter) => rest.ids !== undefined || SELECTIVE_KEYWORDS.some((f) => rest.terms?.[f] !== undefined);

/**
 * Are the filter's other conditions cheap for the scan: none, a recording-time range, or a
 * selective keyword (read once as a set)? Others are checked per batch of candidates, which costs
 * about twice the DuckDB mirror's semi-join when few candidates pass (text + a checkpoint outcome:
 * 213 against 98 ms of CPU at 200k calls), so the store sends those to the mirror when it has one.
 */
export function cheapForScan(f: Filter): boolean {
  const { text: _text, ...rest } = f;
  if (isSelective(rest)) return true;
  const keys = Object.keys(rest);
  return keys.every((k) => k === 'dates') && Object.keys(rest.dates ?? {}).every((d) => d === 'recordedAt');
}

function othersCheck(db: Database.Database, tokenizer: Tokenizer, rest: Filter): (ns: number[]) => number[] {
  const where = filterSql(rest, tokenizer, undefined, true);
  if (isSelective(rest)) {
    const whole = filterSql(rest, tokenizer);
    const set = new Set(db.prepare(`SELECT n FROM calls c WHERE ${whole.sql}`).pluck().all(...whole.params) as number[]);
    return (ns) => ns.filter((n) => set.has(n));
  }
  const stmt = db.prepare(`SELECT n FROM calls c WHERE c.n IN (${Array.from({ length: BATCH }, () => '?').join(', ')}) AND (${where.sql})`).pluck();
  return (ns) => {
    const args = ns.length === BATCH ? ns : [...ns, ...Array.from({ length: BATCH - ns.length }, () => -1)];
    const kept = new Set(stmt.all(...args, ...where.params) as number[]);
    return ns.filter((n) => kept.has(n));
  };
}
