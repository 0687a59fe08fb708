// Display formatting shared by the pages. All text shown to users is Chinese.
import type { Role } from './api.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** `2024-05-13T09:41:07+08:00` → `2024-05-13 09:41`, keeping the wall-clock time of the offset given. */
export function formatRecordedAt(iso: string | null | undefined): string {
  if (!iso) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}:${m[3]}` : iso;
}

/** Seconds → `mm:ss` (minutes are not wrapped at 60, so 75:03 is a 75-minute call). */
export function formatClock(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  const s = Math.max(0, Math.floor(sec));
  return `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
}

/** A call's duration, rounded to the nearest second. */
export function formatDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  return formatClock(Math.round(sec));
}

export function formatSeconds(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  return `${formatNumber(sec)} 秒`;
}

/** At most one decimal, no trailing `.0`. */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return String(Math.round(n * 10) / 10);
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${Math.round(ratio * 100)}%`;
}

const FLAG_LABELS: Record<string, string> = {
  standard_greeting: '未标准问候',
  job_id_in_greeting: '未报工号',
  identity_verification: '未核实身份',
  appropriate_upsell: '不当营销',
  no_pii_readout: '读出敏感信息',
  hold_notice: '静音未提示',
  no_interrupting: '抢话',
  no_forbidden_phrases: '服务禁语',
  closing: '未结束语',
  empathy: '未安抚',
  complaint_handling: '投诉未处理',
  risk_disclosure: '未揭示风险',
  speech_rate: '语速过快',
};

/** Chinese label of a failed checkpoint id; unknown ids are shown as they are. */
export function flagLabel(id: string): string {
  return FLAG_LABELS[id] ?? id;
}

const ROLE_LABELS: Record<Role, string> = { agent: '坐席', customer: '客户', unknown: '未知' };

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role] ?? '未知';
}

const TRANSCRIPT_SOURCES: Record<string, string> = {
  asr: '语音识别',
  whisper: '语音识别（Whisper）',
  vendor: '外部转写',
  transcript: '外部转写',
};

export function transcriptSourceLabel(src: string | null | undefined): string {
  if (!src) return '—';
  return TRANSCRIPT_SOURCES[src] ?? src;
}

/** `张敏 (A1023)`, or whichever part is known. */
export function agentLabel(meta: { agentName?: string | undefined; agentId?: string | undefined }): string {
  if (meta.agentName && meta.agentId) return `${meta.agentName} (${meta.agentId})`;
  return meta.agentName || meta.agentId || '—';
}
