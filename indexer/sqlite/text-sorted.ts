import type Database from 'better-sqlite3';
import type { TextQuery } from '../query-model.ts';
import type { Tokenizer } from '../text-terms.ts';
import { ftsExpression, leafCallsSql } from './filter-sql.ts';
import { compile } from './text-scan.ts';

/**
 * Text-only queries sorted by an indexed column (score, recording time ascending): each leaf's
 * calls come from FTS5 as a sorted list (one row a call since v6: a doclist is cheap to read
 * whole), the text's and/or/not is decided per call on a merge of those lists (an exact count), and
 * the page comes from the column's index walked in sort order, keeping the calls in the matching
 * set, until the page is full and the last sort key's group is complete (ties are ordered by id
 * afterwards). A small matching set is fetched and sorted directly instead.
 */

/** Columns with an index (schema.ts) that this path can walk. */
export const WALKABLE = { score: 'score', recordedAt: 'recorded_ms' } as const;

/** At most this many matching calls are sorted directly (one row look-up each) instead of walking the index. */
export const SORT_DIRECTLY_UP_TO = 4096;

export type SortedTextPage = { counted: number; rows: Array<[n: number, key: number, id: string]>; more: boolean };

export function sortedTextPage(
  db: Database.Database,
  tokenizer: Tokenizer,
  text: TextQuery,
  sort: { column: string; order: 'asc' | 'desc'; missing: number },
  page: { after: [key: number, id: string] | null; offset: number; size: number },
  sortDirectlyUpTo = SORT_DIRECTLY_UP_TO,
): SortedTextPage {
  const expression = ftsExpression(text, tokenizer);
  let hits: number[];
  if (expression !== null) {
    hits = db.prepare('SELECT rowid FROM call_fts WHERE call_fts MATCH ? ORDER BY rowid').pluck().all(expression) as number[];
  } else {
    const { matches, test } = compile(text, tokenizer);
    const lists = matches.map((m) => {
      const s = leafCallsSql(m);
      return db.prepare(s.sql).pluck().all(...s.params) as number[];
    });
    hits = mergeMatching(lists, test);
  }
  const asc = sort.order === 'asc';
  const beyond = (key: number, id: string) => {
    const a = page.after;
    if (!a) return true;
    return asc ? key > a[0] || (key === a[0] && id > a[1]) : key < a[0] || (key === a[0] && id > a[1]);
  };
  const need = page.offset + page.size + 1;
  let picked: Array<[number, number]>;
  if (hits.length <= sortDirectlyUpTo) {
    picked = [];
    const keys = db.prepare(`SELECT n, coalesce(${sort.column}, ${sort.missing}) FROM calls WHERE n = ?`).raw();
    for (const n of hits) picked.push(keys.get(n) as [number, number]);
  } else {
    picked = walkIndex(db, sort, hits, need, page.after?.[0] ?? null);
  }
  const withIds = idsOf(db, picked).filter(([, key, id]) => beyond(key, id));
  withIds.sort((x, y) => (x[1] === y[1] ? (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0) : asc ? x[1] - y[1] : y[1] - x[1]));
  const rows = withIds.slice(page.offset, page.offset + page.size + 1);
  return { counted: hits.length, rows: rows.slice(0, page.size), more: rows.length > page.size };
}

/** The calls (ascending) for which the text holds, from each leaf's ascending list. */
function mergeMatching(lists: number[][], test: (has: boolean[]) => boolean): number[] {
  const at = lists.map(() => 0);
  const has = lists.map(() => false);
  const out: number[] = [];
  for (;;) {
    let cur = Infinity;
    for (let i = 0; i < lists.length; i++) if (at[i]! < lists[i]!.length && lists[i]![at[i]!]! < cur) cur = lists[i]![at[i]!]!;
    if (cur === Infinity) return out;
    for (let i = 0; i < lists.length; i++) {
      has[i] = at[i]! < lists[i]!.length && lists[i]![at[i]!] === cur;
      if (has[i]) at[i]!++;
    }
    if (test(has)) out.push(cur);
  }
}

function contains(sorted: number[], n: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === n) return true;
    if (v < n) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Walks the column's index in sort order (from the cursor's key), keeping matching calls, until
 * `need` calls beyond the cursor's key are kept and the last key's group is complete; then the
 * calls without a value (they sort last either way).
 */
function walkIndex(db: Database.Database, sort: { column: string; order: 'asc' | 'desc'; missing: number }, hits: number[], need: number, afterKey: number | null): Array<[number, number]> {
  const picked: Array<[number, number]> = [];
  let counted = 0;
  let lastKey: number | null = null;
  const op = sort.order === 'asc' ? '>=' : '<=';
  const from = afterKey ?? (sort.order === 'asc' ? -Infinity : Infinity);
  const walk = db.prepare(`SELECT n, ${sort.column} FROM calls WHERE ${sort.column} IS NOT NULL AND ${sort.column} ${op} ? ORDER BY ${sort.column} ${sort.order.toUpperCase()}`).raw();
  for (const [n, key] of walk.iterate(from) as Iterable<[number, number]>) {
    if (counted >= need && key !== lastKey) return picked;
    if (!contains(hits, n)) continue;
    picked.push([n, key]);
    lastKey = key;
    if (key !== afterKey) counted++;
  }
  for (const n of db.prepare(`SELECT n FROM calls WHERE ${sort.column} IS NULL`).pluck().iterate() as Iterable<number>) {
    if (contains(hits, n)) picked.push([n, sort.missing]);
  }
  return picked;
}

function idsOf(db: Database.Database, picked: Array<[number, number]>): Array<[number, number, string]> {
  const out: Array<[number, number, string]> = [];
  const idOf = db.prepare('SELECT id FROM calls WHERE n = ?').pluck();
  for (const [n, key] of picked) out.push([n, key, idOf.get(n) as string]);
  return out;
}
