// Hash routes: `#/` (list; optional ?q=&status=&page= and drill-down filters), `#/calls/<id>` (detail;
// optional ?seg=<segmentId>), and `#/<page>?<params>` for the pages of ui/src/pages/index.ts.

/** Filters a drill-down puts on the call list (the parameters of /api/analytics/calls, plus a cluster id). */
export const DRILL_KEYS = [
  'from', 'to', 'branch', 'team', 'product', 'channel', 'agentId', 'region', 'customerSegment', 'tag', 'flag',
  'failedCheckpoint', 'passed', 'complaint', 'negativeEmotion', 'maxScore', 'word', 'role', 'cluster', 'k',
] as const;
export type DrillFilters = Partial<Record<(typeof DRILL_KEYS)[number], string>>;

export type Route =
  | { name: 'list'; q: string; status: '' | 'ok' | 'failed'; page: number; filters: DrillFilters }
  | { name: 'detail'; id: string; seg: string }
  | { name: 'page'; path: string; params: Record<string, string> }
  | { name: 'reviewQueue'; status: string; reason: string; overdue: boolean; mine: boolean }
  | { name: 'reviewItem'; id: string }
  | { name: 'appeals' }
  | { name: 'calibrations' }
  | { name: 'calibration'; id: string }
  | { name: 'notFound' };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const qi = raw.indexOf('?');
  const path = qi >= 0 ? raw.slice(0, qi) : raw;
  const params = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : '');

  if (path === '/' || path === '') {
    const status = params.get('status');
    const page = Number.parseInt(params.get('page') ?? '1', 10);
    const filters: DrillFilters = {};
    for (const k of DRILL_KEYS) {
      const v = params.get(k);
      if (v) filters[k] = v;
    }
    return {
      name: 'list',
      q: (params.get('q') ?? '').trim(),
      status: status === 'ok' || status === 'failed' ? status : '',
      page: Number.isFinite(page) && page > 0 ? page : 1,
      filters,
    };
  }
  const review = reviewRoute(path, params);
  if (review) return review;
  const m = /^\/calls\/(.+)$/.exec(path);
  if (m?.[1]) {
    let id = m[1];
    try {
      id = decodeURIComponent(id);
    } catch {
      // keep the raw id
    }
    return { name: 'detail', id, seg: params.get('seg') ?? '' };
  }
  if (/^\/[a-z][a-z0-9-]*$/.test(path)) return { name: 'page', path, params: Object.fromEntries(params) };
  return { name: 'notFound' };
}

/** A page with its parameters (empty values left out), e.g. pageHref('/overview', { from, to }). */
export function pageHref(path: string, params: Record<string, string | undefined> = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, v);
  const s = qs.toString();
  return s ? `#${path}?${s}` : `#${path}`;
}

export function listHref(opts: { q?: string; status?: string; page?: number; filters?: DrillFilters } = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(opts.filters ?? {})) if (v) params.set(k, v);
  if (opts.q) params.set('q', opts.q);
  if (opts.status) params.set('status', opts.status);
  if (opts.page && opts.page > 1) params.set('page', String(opts.page));
  const s = params.toString();
  return s ? `#/?${s}` : '#/';
}

export function callHref(id: string, segmentId?: string): string {
  const base = `#/calls/${encodeURIComponent(id)}`;
  return segmentId ? `${base}?seg=${encodeURIComponent(segmentId)}` : base;
}

/** The review workflow's pages: `#/review` (queue), `#/review/items/<id>`, `#/review/appeals`, `#/review/calibrations[/<id>]`. */
function reviewRoute(path: string, params: URLSearchParams): Route | null {
  if (path === '/review') {
    return { name: 'reviewQueue', status: params.get('status') ?? '', reason: params.get('reason') ?? '', overdue: params.get('overdue') === '1', mine: params.get('mine') === '1' };
  }
  if (path === '/review/appeals') return { name: 'appeals' };
  if (path === '/review/calibrations') return { name: 'calibrations' };
  const item = /^\/review\/items\/([0-9a-f-]{36})$/.exec(path);
  if (item?.[1]) return { name: 'reviewItem', id: item[1] };
  const cal = /^\/review\/calibrations\/([0-9a-f-]{36})$/.exec(path);
  if (cal?.[1]) return { name: 'calibration', id: cal[1] };
  return null;
}

export function reviewQueueHref(f: { status?: string; reason?: string; overdue?: boolean; mine?: boolean } = {}): string {
  const params = new URLSearchParams();
  if (f.status) params.set('status', f.status);
  if (f.reason) params.set('reason', f.reason);
  if (f.overdue) params.set('overdue', '1');
  if (f.mine) params.set('mine', '1');
  const s = params.toString();
  return s ? `#/review?${s}` : '#/review';
}
