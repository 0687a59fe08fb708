import { CallScopeError } from '../../core/errors.ts';
import type { DateRange, Filter, LabelSet, Range, TextQuery } from '../query-model.ts';
import { leafOf, type TextLeaf, type Tokenizer } from '../text-terms.ts';
import { instantMs } from '../time-zone.ts';
import { BOOLEAN_COLUMNS, DATE_COLUMNS, KEYWORD_COLUMNS, NUMERIC_COLUMNS } from './schema.ts';

/** A piece of SQL with its positional parameters. */
export type Sql = { sql: string; params: unknown[] };

const and = (parts: Sql[]): Sql =>
  parts.length === 0 ? { sql: '1', params: [] } : { sql: parts.map((p) => `(${p.sql})`).join(' AND '), params: parts.flatMap((p) => p.params) };
const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** A JSON path to a custom key (keys are validated as [A-Za-z][A-Za-z0-9_-]*). */
export const customPath = (key: string) => `$."${key}"`;

/** `expr op ?` for each bound of the range; `exprParams` are repeated when the expression takes parameters. */
function rangeSql(expr: string, r: Range, exprParams: unknown[] = []): Sql {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [op, sym] of [['gte', '>='], ['gt', '>'], ['lte', '<='], ['lt', '<']] as const) {
    const v = r[op];
    if (v === undefined) continue;
    parts.push(`${expr} ${sym} ?`);
    params.push(...exprParams, v);
  }
  return { sql: parts.join(' AND '), params };
}

function dateSql(col: string, r: DateRange): Sql {
  const parts: Sql[] = [];
  if (r.gte !== undefined) parts.push({ sql: `c.${col} >= ?`, params: [instantMs(r.gte)] });
  if (r.lt !== undefined) parts.push({ sql: `c.${col} < ?`, params: [instantMs(r.lt)] });
  return and(parts);
}

/**
 * `c.n IN (all calls with …)` reads the whole set once per statement run: right for a scan of the
 * fact table. `correlated` asks instead, per call, `EXISTS (… AND call_n = c.n)` — one primary-key
 * probe — for statements run on a few calls at a time (the newest-first text scan's batches).
 */
function memberSql(sub: string, correlated: boolean, negate = false): string {
  if (correlated) return `${negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${sub} AND call_n = c.n)`;
  return `c.n ${negate ? 'NOT ' : ''}IN (SELECT call_n FROM ${sub})`;
}

function labelSql(kind: 'tag' | 'flag', set: LabelSet, correlated: boolean): Sql {
  const parts: Sql[] = [];
  const sub = (values: string[]) => `call_labels WHERE kind = ? AND value IN (${placeholders(values.length)})`;
  if (set.any) parts.push({ sql: memberSql(sub(set.any), correlated), params: [kind, ...set.any] });
  for (const v of set.all ?? []) parts.push({ sql: memberSql(sub([v]), correlated), params: [kind, v] });
  if (set.none) parts.push({ sql: memberSql(sub(set.none), correlated, true), params: [kind, ...set.none] });
  return and(parts);
}

/** FTS5 MATCH text of one leaf: the words (all of them, or in order), in the role's column if one is given. */
export function ftsMatch(leaf: ReturnType<typeof leafOf>): string {
  if (leaf.terms.length === 0) throw new CallScopeError('BAD_REQUEST', 'the search text contains no words');
  const words = leaf.kind === 'phrase' ? `"${leaf.terms.join(' ')}"` : `(${leaf.terms.map((t) => `"${t}"`).join(' AND ')})`;
  return leaf.role ? `${leaf.role} : ${words}` : words;
}

/**
 * One text leaf as the index answers it: its FTS5 MATCH text (which says that the call's column
 * holds the words) and, for two or more words that must be in one segment, that check.
 * `key` names the leaf (the same leaf twice in a filter is looked up once).
 */
export type LeafMatch = { key: string; match: string; oneSegment: { role: string | null; terms: string } | null };

export function leafMatch(leaf: TextLeaf): LeafMatch {
  const match = ftsMatch(leaf);
  const oneSegment = leaf.kind === 'words' && leaf.terms.length > 1 ? { role: leaf.role ?? null, terms: leaf.terms.join(' ') } : null;
  return { key: match, match, oneSegment };
}

/** The SQLite function the multi-word check runs as (registered by the store on its connection). */
export const WORDS_IN_ONE_SEGMENT = 'words_in_one_segment';

/**
 * `SELECT n` of the calls a leaf holds for, in call-number order (add ` DESC` for newest first);
 * `below`: only call numbers below it (FTS5 drops the others itself instead of handing them over).
 */
export function leafCallsSql(leaf: LeafMatch, below?: number): Sql {
  const bound = below === undefined ? { sql: '', params: [] } : { sql: ' AND call_fts.rowid < ?', params: [below] };
  if (!leaf.oneSegment) return { sql: `SELECT rowid AS n FROM call_fts WHERE call_fts MATCH ?${bound.sql} ORDER BY rowid`, params: [leaf.match, ...bound.params] };
  return {
    sql: `SELECT call_fts.rowid AS n FROM call_fts JOIN call_words w ON w.n = call_fts.rowid WHERE call_fts MATCH ?${bound.sql} AND ${WORDS_IN_ONE_SEGMENT}(w.words, ?, ?) ORDER BY call_fts.rowid`,
    params: [leaf.match, ...bound.params, leaf.oneSegment.role, leaf.oneSegment.terms],
  };
}

/**
 * The whole text query as one FTS5 expression — the and/or/not of a call are those of its one
 * FTS row since v6, so FTS5 merges the doclists itself and only the matching calls reach
 * JavaScript — or null when it cannot be one: a leaf checked per segment (two or more words), or
 * a `not` that is not subtracted from something (FTS5's NOT is binary: A NOT B).
 */
export function ftsExpression(q: TextQuery, tokenizer: Tokenizer): string | null {
  if ('and' in q) {
    const positive = q.and.filter((c) => !('not' in c)).map((c) => ftsExpression(c, tokenizer));
    const negative = q.and.flatMap((c) => ('not' in c ? [ftsExpression(c.not, tokenizer)] : []));
    if (positive.length === 0 || positive.includes(null) || negative.includes(null)) return null;
    return [`(${positive.map((p) => `(${p})`).join(' AND ')})`, ...negative.map((n) => `(${n})`)].join(' NOT ');
  }
  if ('or' in q) {
    const parts = q.or.map((c) => ftsExpression(c, tokenizer));
    return parts.includes(null) ? null : parts.map((p) => `(${p})`).join(' OR ');
  }
  if ('not' in q) return null;
  const leaf = leafMatch(leafOf(q, tokenizer));
  return leaf.oneSegment ? null : leaf.match;
}

/** SQL of one text leaf: the FTS subquery here, a table of call numbers in the analytics mirror. */
export type TextLeafSql = (leaf: LeafMatch) => Sql;
export const ftsLeafSql: TextLeafSql = (leaf) => {
  const calls = leafCallsSql(leaf);
  return { sql: `c.n IN (${calls.sql})`, params: calls.params };
};

function textSql(q: TextQuery, tokenizer: Tokenizer, leafSql: TextLeafSql): Sql {
  if ('and' in q) return and(q.and.map((c) => textSql(c, tokenizer, leafSql)));
  if ('or' in q) {
    const parts = q.or.map((c) => textSql(c, tokenizer, leafSql));
    return { sql: parts.map((p) => `(${p.sql})`).join(' OR '), params: parts.flatMap((p) => p.params) };
  }
  if ('not' in q) {
    const inner = textSql(q.not, tokenizer, leafSql);
    return { sql: `NOT (${inner.sql})`, params: inner.params };
  }
  return leafSql(leafMatch(leafOf(q, tokenizer)));
}

/** Every text leaf in a filter (and in the filters it nests). */
export function textMatches(f: Filter, tokenizer: Tokenizer): LeafMatch[] {
  const out: LeafMatch[] = [];
  const walk = (q: TextQuery): void => {
    if ('and' in q) q.and.forEach(walk);
    else if ('or' in q) q.or.forEach(walk);
    else if ('not' in q) walk(q.not);
    else out.push(leafMatch(leafOf(q, tokenizer)));
  };
  if (f.text) walk(f.text);
  for (const n of f.not ?? []) out.push(...textMatches(n, tokenizer));
  return out;
}

/** The WHERE condition of a filter over `calls c`. */
export function filterSql(f: Filter, tokenizer: Tokenizer, leafSql: TextLeafSql = ftsLeafSql, correlated = false): Sql {
  const parts: Sql[] = [];
  if (f.ids) parts.push({ sql: `c.id IN (${placeholders(f.ids.length)})`, params: f.ids });
  for (const [field, values] of Object.entries(f.terms ?? {})) {
    const col = KEYWORD_COLUMNS[field as keyof typeof KEYWORD_COLUMNS];
    if (values?.length) parts.push({ sql: `c.${col} IN (${placeholders(values.length)})`, params: values });
  }
  if (f.tags) parts.push(labelSql('tag', f.tags, correlated));
  if (f.flags) parts.push(labelSql('flag', f.flags, correlated));
  for (const cp of f.checkpoints ?? []) {
    parts.push({
      sql: memberSql(`call_checkpoints WHERE checkpoint_id = ? AND outcome IN (${placeholders(cp.outcome.length)})`, correlated),
      params: [cp.checkpointId, ...cp.outcome],
    });
  }
  for (const [field, r] of Object.entries(f.ranges ?? {})) {
    if (r) parts.push(rangeSql(`c.${NUMERIC_COLUMNS[field as keyof typeof NUMERIC_COLUMNS]}`, r));
  }
  for (const [field, r] of Object.entries(f.dates ?? {})) {
    if (r) parts.push(dateSql(DATE_COLUMNS[field as keyof typeof DATE_COLUMNS], r));
  }
  for (const [field, b] of Object.entries(f.booleans ?? {})) {
    if (b !== undefined) parts.push({ sql: `c.${BOOLEAN_COLUMNS[field as keyof typeof BOOLEAN_COLUMNS]} = ?`, params: [b ? 1 : 0] });
  }
  for (const [key, cond] of Object.entries(f.custom ?? {})) {
    const expr = `json_extract(c.custom, ?)`;
    if (Array.isArray(cond)) {
      const values = cond.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
      parts.push({ sql: `${expr} IN (${placeholders(values.length)})`, params: [customPath(key), ...values] });
    } else {
      parts.push(rangeSql(expr, cond, [customPath(key)]));
    }
  }
  if (f.text) parts.push(textSql(f.text, tokenizer, leafSql));
  for (const n of f.not ?? []) {
    const inner = filterSql(n, tokenizer, leafSql, correlated);
    parts.push({ sql: `NOT (${inner.sql})`, params: inner.params });
  }
  return and(parts);
}
