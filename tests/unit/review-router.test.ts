import { describe, expect, it } from 'vitest';
import { parseRoute, reviewQueueHref } from '../../ui/src/lib/router.ts';

const ID = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

describe('review pages in the hash router', () => {
  it.each([
    ['#/review', { name: 'reviewQueue', status: '', reason: '', overdue: false, mine: false }],
    ['#/review?status=queued&reason=vetoed&overdue=1&mine=1', { name: 'reviewQueue', status: 'queued', reason: 'vetoed', overdue: true, mine: true }],
    [`#/review/items/${ID}`, { name: 'reviewItem', id: ID }],
    ['#/review/appeals', { name: 'appeals' }],
    ['#/review/calibrations', { name: 'calibrations' }],
    [`#/review/calibrations/${ID}`, { name: 'calibration', id: ID }],
    ['#/review/items/../../etc', { name: 'notFound' }],
    ['#/', { name: 'list', q: '', status: '', page: 1, filters: {} }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('queue links round-trip through the parser', () => {
    const href = reviewQueueHref({ status: 'appealed', overdue: true });
    expect(href).toBe('#/review?status=appealed&overdue=1');
    expect(parseRoute(href)).toMatchObject({ name: 'reviewQueue', status: 'appealed', overdue: true, mine: false });
  });
});
