// The review workflow's API (/api/review, docs/review.md). Types come from the server's modules (type-only: nothing is bundled).
import type { CalibrationReport } from '../../../api/review/calibration-report.ts';
import type { BlindView } from '../../../api/review/calibration.ts';
import type { Appeal, CalibrationSession, Category, Inspector } from '../../../api/review/model.ts';
import type { ReviewPermission } from '../../../api/review/permissions.ts';
import type { ItemView } from '../../../api/review/workflow.ts';
import { requestJson, type CallDoc } from './api.ts';

export type { Appeal, BlindView, CalibrationReport, CalibrationSession, Category, Inspector, ItemView };
export type AppealView = Appeal & { overdue: boolean };
export type Me = { userId: string; name: string; role: string; permissions: ReviewPermission[] };
export type QueueFilters = { status?: string; reason?: string; overdue?: boolean; assignee?: string; limit?: number; offset?: number };
export type Decision = { checkpointId: string; verdict: 'confirm' | 'overturn'; comment: string };

const base = '/api/review';
const post = <T>(path: string, body?: unknown) => requestJson<T>(`${base}${path}`, { method: 'POST', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

function qs(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Who is signed in, loaded for a page's lifetime: `$effect(() => watchMe((m) => (me = m)))`. A failed load leaves it unset (the page's own request shows the error). */
/** Does the signed-in user (null while not known yet) hold this permission? */
export const allowed = (me: Me | null, permission: ReviewPermission): boolean => me?.permissions.includes(permission) ?? false;

export function watchMe(onMe: (me: Me) => void): () => void {
  const ctrl = new AbortController();
  reviewApi.me(ctrl.signal).then(onMe).catch(() => {});
  return () => ctrl.abort();
}

export const reviewApi = {
  me: (signal?: AbortSignal) => requestJson<Me>(`${base}/me`, { signal: signal ?? null }),
  queue: (f: QueueFilters, signal?: AbortSignal) => requestJson<{ total: number; items: ItemView[] }>(`${base}/queue${qs(f)}`, { signal: signal ?? null }),
  sync: () => post<{ examined: number; added: number; byReason: Record<string, number> }>('/sync'),
  item: (id: string, signal?: AbortSignal) => requestJson<{ item: ItemView; call: CallDoc | null }>(`${base}/items/${encodeURIComponent(id)}`, { signal: signal ?? null }),
  claim: (id: string) => post<ItemView>(`/items/${encodeURIComponent(id)}/claim`),
  release: (id: string) => post<ItemView>(`/items/${encodeURIComponent(id)}/release`),
  review: (id: string, decisions: Decision[]) => post<ItemView>(`/items/${encodeURIComponent(id)}/review`, { decisions }),
  batch: (reviews: Array<{ itemId: string; decisions: Decision[] }>) => post<{ items: ItemView[] }>('/reviews', { reviews }),
  appeal: (id: string, checkpointId: string, reason: string) => post<AppealView>(`/items/${encodeURIComponent(id)}/appeals`, { checkpointId, reason }),
  appeals: (status?: string, signal?: AbortSignal) => requestJson<{ items: AppealView[] }>(`${base}/appeals${qs({ status })}`, { signal: signal ?? null }),
  recommend: (id: string, outcome: 'uphold' | 'overturn', comment: string) => post<AppealView>(`/appeals/${encodeURIComponent(id)}/recommend`, { outcome, comment }),
  rule: (id: string, outcome: 'uphold' | 'overturn', comment: string) => post<AppealView>(`/appeals/${encodeURIComponent(id)}/rule`, { outcome, comment }),
  calibrations: (signal?: AbortSignal) => requestJson<{ items: CalibrationSession[] }>(`${base}/calibrations`, { signal: signal ?? null }),
  calibration: (id: string, signal?: AbortSignal) => requestJson<BlindView>(`${base}/calibrations/${encodeURIComponent(id)}`, { signal: signal ?? null }),
  answer: (id: string, callId: string, decisions: Record<string, Category>) =>
    requestJson(`${base}/calibrations/${encodeURIComponent(id)}/answers`, { method: 'PUT', body: JSON.stringify({ callId, decisions }) }),
  close: (id: string) => post<CalibrationSession>(`/calibrations/${encodeURIComponent(id)}/close`),
  report: (id: string, signal?: AbortSignal) => requestJson<CalibrationReport>(`${base}/calibrations/${encodeURIComponent(id)}/report`, { signal: signal ?? null }),
  inspectors: (signal?: AbortSignal) => requestJson<{ items: Inspector[] }>(`${base}/inspectors`, { signal: signal ?? null }),
  createCalibration: (body: { name: string; callIds: string[]; inspectorIds: string[] }) => post<CalibrationSession>('/calibrations', body),
  reportCsvHref: (id: string) => `${base}/calibrations/${encodeURIComponent(id)}/report?format=csv`,
};

export const REASON_ZH: Record<string, string> = { vetoed: '否决', failed: '未通过', low_confidence: '低置信', complaint: '投诉意向', sample: '随机抽检' };
export const STATUS_ZH: Record<string, string> = { queued: '待复核', in_review: '复核中', done: '已复核', appealed: '申诉中' };
export const APPEAL_ZH: Record<string, string> = { filed: '待组长建议', recommended: '待质检主管裁定', upheld: '维持原判', overturned: '已改判' };
export const OUTCOME_ZH: Record<string, string> = { uphold: '维持', overturn: '改判' };
export const CATEGORY_ZH: Record<Category, string> = { passed: '通过', failed: '不通过', na: '不适用' };
