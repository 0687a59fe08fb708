// Numbers on the exploration pages: percentages with one decimal, signed changes, p-values.
import { valueOf, type MetricValue } from './explore-api.ts';

export function pct(r: number | null | undefined, digits = 1): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—';
  return `${(r * 100).toFixed(digits)}%`;
}

/** A metric's value as shown: rates in %, means with one decimal, counts whole. */
export function metricText(m: MetricValue | undefined): string {
  const v = valueOf(m);
  if (v === null || !m) return '—';
  if (m.kind === 'rate') return pct(v);
  if (m.kind === 'mean') return v.toFixed(1);
  return v.toLocaleString('en-US');
}

/** The change between two values of a metric: points for rates, relative % for counts and means. */
export function changeText(cur: MetricValue | undefined, prev: MetricValue | undefined): { text: string; sign: number } {
  const a = valueOf(cur);
  const b = valueOf(prev);
  if (a === null || b === null || !cur) return { text: '—', sign: 0 };
  if (cur.kind === 'rate') {
    const d = (a - b) * 100;
    return { text: `${d >= 0 ? '+' : ''}${d.toFixed(1)} pp`, sign: Math.sign(d) };
  }
  if (b === 0) return { text: '—', sign: 0 };
  const r = (a - b) / b;
  return { text: `${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}%`, sign: Math.sign(r) };
}

export function pValueText(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}
