import { CallScopeError } from '../core/errors.ts';

const DAY = 86_400_000;

/**
 * The offset (ms east of UTC) of a time zone that has kept one offset since 1992 (Asia/Shanghai,
 * Asia/Hong_Kong, UTC, "+08:00"). The embedded store buckets dates with integer arithmetic, which
 * is exact only for such zones; zones with daylight saving are refused rather than bucketed wrong.
 */
export function fixedOffsetMs(timeZone: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(timeZone);
  if (m) return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  } catch {
    throw new CallScopeError('BAD_REQUEST', `unknown time zone: ${timeZone}`);
  }
  const offsetAt = (t: number) => {
    const name = format.formatToParts(t).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const o = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    return o ? (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3])) * 60_000 : 0;
  };
  const offsets = new Set<number>();
  for (let year = 1992; year <= 2050; year++) for (const month of [0, 3, 6, 9]) offsets.add(offsetAt(Date.UTC(year, month, 15)));
  if (offsets.size !== 1) {
    throw new CallScopeError('BAD_REQUEST', `time zone ${timeZone} changes its offset (daylight saving); the embedded store buckets only fixed-offset zones such as Asia/Shanghai`);
  }
  return [...offsets][0]!;
}

export type CalendarInterval = 'day' | 'week' | 'month' | 'quarter' | 'year';

/** Start (epoch ms) of the calendar bucket holding `t`, in a zone `offset` ms east of UTC. Weeks start on Monday. */
export function bucketStart(t: number, interval: CalendarInterval, offset: number): number {
  const local = t + offset;
  const day = Math.floor(local / DAY);
  if (interval === 'day') return day * DAY - offset;
  if (interval === 'week') return (day - ((day + 3) % 7)) * DAY - offset;
  const d = new Date(day * DAY);
  const y = d.getUTCFullYear();
  if (interval === 'month') return Date.UTC(y, d.getUTCMonth(), 1) - offset;
  if (interval === 'quarter') return Date.UTC(y, Math.floor(d.getUTCMonth() / 3) * 3, 1) - offset;
  return Date.UTC(y, 0, 1) - offset;
}

/** The local date (YYYY-MM-DD) a bucket starts on. */
export function bucketLabel(start: number, offset: number): string {
  return new Date(start + offset).toISOString().slice(0, 10);
}

/** An instant of a query: a timestamp with its offset, or a bare date meaning midnight in China (the bank's day). */
export function instantMs(s: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00+08:00` : s);
  if (!Number.isFinite(t)) throw new CallScopeError('BAD_REQUEST', `not a date: ${s}`);
  return t;
}
