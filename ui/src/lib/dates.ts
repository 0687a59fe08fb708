// Calendar dates (YYYY-MM-DD, China time) for the page filters: defaults, and snapping a window to whole buckets.
export type Interval = 'day' | 'week' | 'month';

const parse = (d: string) => new Date(`${d}T00:00:00Z`);
const fmt = (d: Date) => d.toISOString().slice(0, 10);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const isDate = (d: string | undefined): d is string => !!d && DATE.test(d) && !Number.isNaN(parse(d).getTime());

export function addDays(d: string, n: number): string {
  const x = parse(d);
  x.setUTCDate(x.getUTCDate() + n);
  return fmt(x);
}

export function addMonths(d: string, n: number): string {
  const x = parse(d);
  x.setUTCMonth(x.getUTCMonth() + n);
  return fmt(x);
}

/** Today in China time. */
export function today(): string {
  return fmt(new Date(Date.now() + 8 * 3_600_000));
}

export const daysBetween = (from: string, to: string) => Math.round((parse(to).getTime() - parse(from).getTime()) / 86_400_000);

/** The window widened to whole buckets: weeks start on Monday, months on the 1st. */
export function snap(from: string, to: string, interval: Interval): { from: string; to: string } {
  if (interval === 'day') return { from, to };
  if (interval === 'week') {
    const back = (parse(from).getUTCDay() + 6) % 7;
    const fwd = (7 - ((parse(to).getUTCDay() + 6) % 7)) % 7;
    return { from: addDays(from, -back), to: addDays(to, fwd) };
  }
  const f = `${from.slice(0, 7)}-01`;
  const t = to.endsWith('-01') ? to : addMonths(`${to.slice(0, 7)}-01`, 1);
  return { from: f, to: t };
}

/** The start of the bucket after `bucket`. */
export function nextBucket(bucket: string, interval: Interval): string {
  return interval === 'day' ? addDays(bucket, 1) : interval === 'week' ? addDays(bucket, 7) : addMonths(bucket, 1);
}

/** The window of a page: from the URL when valid, else the 30 days up to today. */
export function windowOf(params: Record<string, string>): { from: string; to: string; interval: Interval } {
  const interval: Interval = params.interval === 'week' || params.interval === 'month' ? params.interval : 'day';
  const to = isDate(params.to) ? params.to : addDays(today(), 1);
  const from = isDate(params.from) && params.from < to ? params.from : addDays(to, -30);
  return { ...snap(from, to, interval), interval };
}
