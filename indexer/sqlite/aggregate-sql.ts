import type { Agg, AggResult, Bucket, DateBucket, Filter } from '../query-model.ts';
import { bucketLabel, bucketStart, fixedOffsetMs } from '../time-zone.ts';
import { customPath, type Sql } from './filter-sql.ts';
import { DATE_COLUMNS, KEYWORD_COLUMNS, NUMERIC_COLUMNS } from './schema.ts';

const DAY = 86_400_000;

/**
 * Aggregations over `calls`: one GROUP BY query per node of the tree, grouped by the keys of the
 * bucket aggregations above it. Date histograms group by local day in SQL (integer arithmetic)
 * and fold days into weeks, months, quarters or years here, so every interval costs the same.
 * The same SQL runs on SQLite and on the DuckDB analytics mirror; the dialect differs in integer
 * division and in how a filter's text leaves are expressed.
 */
export type Dialect = {
  /** Integer division of a date column plus a bound offset by one day. */
  dayKey(column: string): string;
  /** The WHERE condition of a filter over `calls c`. */
  filter(f: Filter): Sql;
  rows(sql: string, params: unknown[]): Promise<unknown[][]>;
  /** An aggregate giving the list of these percentiles (0–100) of an expression, when the engine has one. */
  quantiles?: (expr: string, percents: number[]) => string;
};

type Level = {
  /** SQL of the raw key, and the join it needs (labels, checkpoints). */
  key: Sql;
  join: Sql | null;
  /** Raw key from SQLite → bucket key (string for terms, epoch ms for histograms). */
  toKey: (raw: unknown) => string | number;
  /** Several raw keys fold into one bucket (weeks, months… from days): per-group quantiles cannot be merged. */
  folds?: boolean;
};
type Scope = { levels: Level[]; conditions: Sql[] };
type Row = { path: Array<string | number>; count: number; stats?: StatsAcc; values?: number[]; quantiles?: unknown[] };
type StatsAcc = { count: number; min: number | null; max: number | null; sum: number; sumSq: number };

/** A node's place in the request: the names from the root, joined (names cannot hold '/'). */
type NodeId = string;
const childId = (parent: NodeId, name: string): NodeId => `${parent}/${name}`;

const pathKey = (path: Array<string | number>) => JSON.stringify(path);

function termsLevel(field: string, alias: string): Level {
  if (field === 'tags' || field === 'flags') {
    return {
      key: { sql: `${alias}.value`, params: [] },
      join: { sql: `JOIN call_labels ${alias} ON ${alias}.call_n = c.n AND ${alias}.kind = ?`, params: [field === 'tags' ? 'tag' : 'flag'] },
      toKey: String,
    };
  }
  if (field.startsWith('checkpoint:')) {
    return {
      key: { sql: `${alias}.outcome`, params: [] },
      join: { sql: `JOIN call_checkpoints ${alias} ON ${alias}.call_n = c.n AND ${alias}.checkpoint_id = ?`, params: [field.slice('checkpoint:'.length)] },
      toKey: String,
    };
  }
  if (field.startsWith('custom:')) {
    const p = customPath(field.slice('custom:'.length));
    return {
      key: { sql: `CASE json_type(c.custom, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(c.custom, ?) AS TEXT) END`, params: [p, p] },
      join: null,
      toKey: String,
    };
  }
  return { key: { sql: `c.${KEYWORD_COLUMNS[field as keyof typeof KEYWORD_COLUMNS]}`, params: [] }, join: null, toKey: String };
}

function histogramLevel(agg: Extract<Agg, { type: 'date_histogram' }>, dialect: Dialect): Level {
  const offset = fixedOffsetMs(agg.timeZone);
  return {
    key: { sql: dialect.dayKey(DATE_COLUMNS[agg.field]), params: [offset] },
    join: null,
    toKey: (raw) => bucketStart(Number(raw) * DAY - offset, agg.interval, offset),
    folds: agg.interval !== 'day',
  };
}

export class SqlAggregator {
  private aliasCounter = 0;

  constructor(
    private readonly dialect: Dialect,
    private readonly base: Filter,
  ) {}

  run(aggs: Record<string, Agg>): Promise<Record<string, AggResult>> {
    return this.children(aggs, { levels: [], conditions: [this.dialect.filter(this.base)] }, [], '');
  }

  private async children(aggs: Record<string, Agg> | undefined, scope: Scope, path: Array<string | number>, parent: NodeId): Promise<Record<string, AggResult>> {
    const out: Record<string, AggResult> = {};
    for (const [name, agg] of Object.entries(aggs ?? {})) out[name] = await this.node(agg, scope, path, childId(parent, name));
    return out;
  }

  /**
   * Results of a node for every path, computed once and reused by each parent bucket. Keyed by the
   * node's place in the tree (its names from the root), not by the object: a request may reuse one
   * sub-aggregation object (or name) under several parents, and each place has its own scope.
   */
  private readonly cache = new Map<NodeId, Map<string, Row[]>>();

  /**
   * `folded`: leaf filter aggregations under this bucket aggregation, counted in the same scan
   * (`sum(CASE WHEN …)`) instead of a query each — a root-cause request is one scan per dimension.
   */
  private async rowsFor(
    id: NodeId,
    scope: Scope,
    own: Level | null,
    what: 'count' | { stats: string } | { values: string } | { quantiles: string },
    folded: Array<{ id: NodeId; cond: Sql }> = [],
  ): Promise<Map<string, Row[]>> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const levels = own ? [...scope.levels, own] : scope.levels;
    const keys = levels.map((l, i) => ({ sql: `${l.key.sql} AS k${i}`, params: l.key.params }));
    let metric = ['count(*) AS n', ...folded.map((f, i) => `sum(CASE WHEN (${f.cond.sql}) THEN 1 ELSE 0 END) AS f${i}`)].join(', ');
    let extraWhere: Sql | null = null;
    if (typeof what === 'object' && 'stats' in what) metric = `count(${what.stats}) AS n, min(${what.stats}) AS mn, max(${what.stats}) AS mx, coalesce(sum(${what.stats}), 0) AS sm, coalesce(sum(${what.stats} * ${what.stats}), 0) AS sq`;
    if (typeof what === 'object' && 'quantiles' in what) metric = `${what.quantiles} AS q`;
    if (typeof what === 'object' && 'values' in what) {
      metric = `${what.values} AS v`;
      extraWhere = { sql: `${what.values} IS NOT NULL`, params: [] };
    }
    const joins = levels.flatMap((l) => (l.join ? [l.join] : []));
    const where = [...scope.conditions, ...levels.map((l, i) => ({ sql: `k${i} IS NOT NULL`, params: [] }) satisfies Sql), ...(extraWhere ? [extraWhere] : [])];
    const grouped = typeof what === 'object' && 'values' in what ? '' : keys.length ? `GROUP BY ${keys.map((_, i) => i + 1).join(', ')}` : '';
    const sql = `SELECT ${[...keys.map((k) => k.sql), metric].join(', ')} FROM calls c ${joins.map((j) => j.sql).join(' ')}
      WHERE ${where.map((w) => `(${w.sql})`).join(' AND ')} ${grouped}`;
    const params = [...keys.flatMap((k) => k.params), ...folded.flatMap((f) => f.cond.params), ...joins.flatMap((j) => j.params), ...where.flatMap((w) => w.params)];
    const byPath = new Map<string, Map<string, Row>>();
    const foldedCounts = folded.map(() => new Map<string, Row>());
    for (const r of await this.dialect.rows(sql, params)) {
      const rawKeys = r.slice(0, levels.length);
      const full = levels.map((l, i) => l.toKey(rawKeys[i]));
      const parent = pathKey(full.slice(0, scope.levels.length));
      const own = pathKey(full);
      let rows = byPath.get(parent);
      if (!rows) byPath.set(parent, (rows = new Map()));
      let row = rows.get(own);
      if (!row) rows.set(own, (row = { path: full, count: 0 }));
      const rest = r.slice(levels.length);
      if (typeof what === 'object' && 'quantiles' in what) {
        // One row per group: histogram days folded into a longer interval cannot merge quantiles.
        if (row.quantiles) throw new Error('quantiles of merged buckets');
        row.quantiles = rest[0] as unknown[];
      } else if (typeof what === 'object' && 'values' in what) {
        (row.values ??= []).push(Number(rest[0]));
        row.count++;
      } else if (typeof what === 'object' && 'stats' in what) {
        const [n, mn, mx, sm, sq] = rest as [number, number | null, number | null, number, number];
        const s = (row.stats ??= { count: 0, min: null, max: null, sum: 0, sumSq: 0 });
        s.count += Number(n);
        s.sum += Number(sm);
        s.sumSq += Number(sq);
        if (mn !== null) s.min = s.min === null ? mn : Math.min(s.min, mn);
        if (mx !== null) s.max = s.max === null ? mx : Math.max(s.max, mx);
        row.count += Number(n);
      } else {
        row.count += Number(rest[0]);
        folded.forEach((_, i) => {
          const counts = foldedCounts[i]!;
          const c = counts.get(own) ?? { path: full, count: 0 };
          c.count += Number(rest[1 + i] ?? 0);
          counts.set(own, c);
        });
      }
    }
    // A folded filter's count for bucket path P is what its own query would have returned under P.
    folded.forEach((f, i) => this.cache.set(f.id, new Map([...foldedCounts[i]!.entries()].map(([k, row]) => [k, [row]]))));
    const result = new Map([...byPath.entries()].map(([k, v]) => [k, [...v.values()]]));
    this.cache.set(id, result);
    return result;
  }

  private async node(agg: Agg, scope: Scope, path: Array<string | number>, id: NodeId): Promise<AggResult> {
    const here = pathKey(path);
    if (agg.type === 'stats') {
      const s = (await this.rowsFor(id, scope, null, { stats: `c.${NUMERIC_COLUMNS[agg.field]}` })).get(here)?.[0]?.stats;
      const count = s?.count ?? 0;
      return { type: 'stats', count, min: count ? s!.min : null, max: count ? s!.max : null, avg: count ? s!.sum / count : null, sum: s?.sum ?? 0, sumOfSquares: s?.sumSq ?? 0 };
    }
    if (agg.type === 'percentiles' && this.dialect.quantiles && !scope.levels.some((l) => l.folds)) {
      const rows = (await this.rowsFor(id, scope, null, { quantiles: this.dialect.quantiles(`c.${NUMERIC_COLUMNS[agg.field]}`, agg.percents) })).get(here);
      const list = (rows?.[0]?.quantiles ?? []) as Array<number | null>;
      return { type: 'percentiles', values: Object.fromEntries(agg.percents.map((p, i) => [String(p), list[i] ?? null])) };
    }
    if (agg.type === 'percentiles') {
      const values = ((await this.rowsFor(id, scope, null, { values: `c.${NUMERIC_COLUMNS[agg.field]}` })).get(here)?.[0]?.values ?? []).sort((a, b) => a - b);
      return { type: 'percentiles', values: Object.fromEntries(agg.percents.map((p) => [String(p), percentile(values, p)])) };
    }
    if (agg.type === 'filter') {
      const inner: Scope = { levels: scope.levels, conditions: [...scope.conditions, this.dialect.filter(agg.filter)] };
      const count = (await this.rowsFor(id, inner, null, 'count')).get(here)?.[0]?.count ?? 0;
      return { type: 'filter', count, aggs: await this.children(agg.aggs, inner, path, id) };
    }
    const level = agg.type === 'terms' ? termsLevel(agg.field, `j${this.aliasCounter++}`) : histogramLevel(agg, this.dialect);
    const memo = (this.levelOf.get(id) ?? (this.levelOf.set(id, level), level)) as Level;
    const inner: Scope = { levels: [...scope.levels, memo], conditions: scope.conditions };
    const folded = Object.entries(agg.aggs ?? {})
      .filter(([, child]) => child.type === 'filter' && (!child.aggs || Object.keys(child.aggs).length === 0))
      .map(([name, child]) => ({ id: childId(id, name), cond: this.dialect.filter((child as Extract<Agg, { type: 'filter' }>).filter) }));
    const rows = (await this.rowsFor(id, scope, memo, 'count', folded)).get(here) ?? [];
    if (agg.type === 'date_histogram') {
      const offset = fixedOffsetMs(agg.timeZone);
      const sorted = rows.map((r) => ({ key: r.path[r.path.length - 1] as number, count: r.count, path: r.path })).sort((a, b) => a.key - b.key);
      const buckets: DateBucket[] = [];
      for (const b of sorted) buckets.push({ key: b.key, keyAsString: bucketLabel(b.key, offset), count: b.count, aggs: await this.children(agg.aggs, inner, b.path, id) });
      return { type: 'date_histogram', buckets };
    }
    const sorted = rows
      .map((r) => ({ key: String(r.path[r.path.length - 1]), count: r.count, path: r.path }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const kept = sorted.slice(0, agg.size);
    const buckets: Bucket[] = [];
    for (const b of kept) buckets.push({ key: b.key, count: b.count, aggs: await this.children(agg.aggs, inner, b.path, id) });
    return { type: 'terms', buckets, otherCount: sorted.slice(agg.size).reduce((a, b) => a + b.count, 0) };
  }

  /** One level object per aggregation node, so its join alias is the same for all its descendants. */
  private readonly levelOf = new Map<NodeId, Level>();
}

/** Linear interpolation between the closest ranks (rank = p/100 × (n−1)). */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}
