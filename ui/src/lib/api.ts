// Typed helpers for the CallScope JSON API (same origin).
// CallDoc and its parts are the zod-defined shapes from core/schemas.ts (type-only import: nothing is bundled).
import type {
  Acoustics,
  CallDoc,
  CheckpointResult,
  Evidence,
  Hit,
  Role,
  Score,
  Segment,
} from '../../../core/schemas.ts';

export type { Acoustics, CallDoc, CheckpointResult, Evidence, Hit, Role, Score, Segment };

export type CallSummary = {
  id: string;
  status: 'ok' | 'failed';
  fileName: string;
  recordedAt: string | null;
  durationSec: number | null;
  meta: {
    callId?: string;
    agentId?: string;
    agentName?: string;
    team?: string;
    branch?: string;
    product?: string;
    channel?: string;
  };
  score: { scorecardId: string; total: number; maxTotal: number; passed: boolean; vetoed: boolean } | null;
  flags: string[];
  error: { stage: string; code: string; message: string } | null;
};

export type Health = { status: 'ok'; calls: number; failed: number };
/** `totalRelation` 'gte': at least `total` calls (the store stops counting at 10,000). */
export type TotalRelation = 'eq' | 'gte';
export type CallPage = { total: number; totalRelation?: TotalRelation; items: CallSummary[] };
export type SearchMatch = { segmentId: string; role: Role; start: number; end: number; text: string };
export type SearchResult = { total: number; totalRelation?: TotalRelation; items: Array<{ call: CallSummary; matches: SearchMatch[] }> };
/** GET /api/search/similar with a segment: the nearest utterances of other calls (docs/knn.md). */
export type SimilarUtterances = { items: Array<{ call: CallSummary; segment?: SearchMatch; similarity: number }> };

export type CallFilters = {
  limit?: number;
  offset?: number;
  status?: 'ok' | 'failed';
  branch?: string;
  product?: string;
  agentId?: string;
  minScore?: number;
  maxScore?: number;
};

/** An error with a message fit to show to the user (in Chinese when it comes from the client itself). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function query(params: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}

/** Sent on window when the API answers 401 (no session, or it expired): the app shows the login page. */
export const UNAUTHORIZED_EVENT = 'callscope:unauthorized';

export type Me = {
  username: string;
  name: string;
  role: 'admin' | 'qa_supervisor' | 'qa_inspector' | 'supervisor' | 'analyst' | 'agent' | 'trainer';
  canUnmask: boolean;
};

export function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return requestJson<T>(path, { signal: signal ?? null });
}

/** Any JSON request to the API (a body is sent as JSON); errors as ApiError with the server's message. */
export async function requestJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    const headers = { Accept: 'application/json', ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) };
    res = await fetch(path, { ...init, headers });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError('无法连接服务器，请检查网络或服务状态', 0, 'NETWORK');
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // fall through: handled below
  }
  if (res.status === 401) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
  if (!res.ok) {
    const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const message = typeof err?.message === 'string' && err.message ? err.message : `请求失败（HTTP ${res.status}）`;
    const code = typeof err?.code === 'string' ? err.code : `HTTP_${res.status}`;
    throw new ApiError(message, res.status, code);
  }
  if (body === null || typeof body !== 'object') {
    throw new ApiError('服务器返回了无法识别的数据', res.status, 'BAD_RESPONSE');
  }
  return body as T;
}

export const api = {
  health: (signal?: AbortSignal) => getJson<Health>('/api/health', signal),
  calls: (f: CallFilters = {}, signal?: AbortSignal) => getJson<CallPage>(`/api/calls${query(f)}`, signal),
  search: (q: string, limit = 100, signal?: AbortSignal) =>
    getJson<SearchResult>(`/api/search${query({ q, limit })}`, signal),
  call: (id: string, signal?: AbortSignal) => getJson<CallDoc>(`/api/calls/${encodeURIComponent(id)}`, signal),
  similarUtterances: (callId: string, segmentId: string, signal?: AbortSignal) =>
    getJson<SimilarUtterances>(`/api/search/similar${query({ call: callId, segment: segmentId, k: 8 })}`, signal),
  /** The signed-in user; 401 (and the unauthorized event) when there is no session. */
  me: (signal?: AbortSignal) => getJson<{ user: Me }>('/api/auth/me', signal).then((r) => r.user),
  login: (username: string, password: string) =>
    requestJson<{ user: Me }>('/api/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) }).then((r) => r.user),
  logout: () => fetch('/api/auth/logout', { method: 'POST' }).then(() => undefined),
};

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error && e.message) return e.message;
  return '未知错误';
}
