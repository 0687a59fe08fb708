import { CallScopeError } from '../core/errors.ts';

/**
 * Local calendar dates ('YYYY-MM-DD') in China time. Asia/Shanghai has had one fixed offset
 * (+08:00) since 1991, so date arithmetic on the UTC calendar is exact; the store reads a bare date
 * as midnight in China and its date histograms key buckets by the same local dates.
 */
export type Interval = 'day' | 'week' | 'month';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parse(date: string): Date {
  const d = new Date(`${date}T00:00:00Z`);
  if (!DATE.test(date) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) {
    throw new CallScopeError('BAD_REQUEST', `not a calendar date (YYYY-MM-DD): ${date}`);
  }
  return d;
}

const format = (d: Date) => d.toISOString().slice(0, 10);

/** `date` moved by `steps` intervals (negative: back). */
export function addIntervals(date: string, interval: Interval, steps: number): string {
  const d = parse(date);
  if (interval === 'day') d.setUTCDate(d.getUTCDate() + steps);
  else if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7 * steps);
  else d.setUTCMonth(d.getUTCMonth() + steps);
  return format(d);
}

/** Whether `date` starts a bucket of the store's histogram (weeks start on Monday, months on the 1st). */
export function isBucketStart(date: string, interval: Interval): boolean {
  const d = parse(date);
  if (interval === 'week') return d.getUTCDay() === 1;
  if (interval === 'month') return d.getUTCDate() === 1;
  return true;
}

/** The bucket starts in [from, to). */
export function bucketStarts(from: string, to: string, interval: Interval, max = 1000): string[] {
  const out: string[] = [];
  for (let d = from; d < to; d = addIntervals(d, interval, 1)) {
    out.push(d);
    if (out.length > max) throw new CallScopeError('BAD_REQUEST', `more than ${max} ${interval} buckets between ${from} and ${to}`);
  }
  return out;
}
