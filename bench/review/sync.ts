/**
 * How long the review queue's sync and list take over a store of N calls, beside the store's own
 * read of the same calls (the floor: sync reads every call once). The calls are the ten dev calls
 * through the real pipeline, cloned N/10 times with new ids, 200 agents and 12 weeks.
 *
 *   node --import tsx bench/review/sync.ts [N=20000]
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { openReview } from '../../api/review/open-review.ts';
import type { CallDoc } from '../../core/schemas.ts';
import { tempDir, testPipeline } from '../../tests/helpers.ts';
import { MemoryAuditLog } from '../../tests/memory-audit.ts';
import { REVIEW_ACTORS } from '../../tests/review-actors.ts';
import { ingestDevTranscripts } from '../../tests/review-calls.ts';

const N = Number(process.argv[2] ?? 20_000);
const data = tempDir('callscope-bench-review-');
const p = testPipeline(path.join(data.dir, 'data'));
const ms = (t0: number) => Math.round(performance.now() - t0);

try {
  mkdirSync(path.join(data.dir, 'in'));
  await ingestDevTranscripts(p, path.join(data.dir, 'in'));
  const dev: CallDoc[] = [];
  for await (const d of p.store.all()) dev.push(d);
  const clones: Array<{ doc: CallDoc; docHash: string }> = [];
  for (let i = 0; i < N; i++) {
    const d = dev[i % dev.length]!;
    const id = createHash('sha256').update(`clone-${i}`).digest('hex');
    const recordedAt = new Date(Date.parse('2026-01-05T09:00:00+08:00') + (i % 84) * 86_400_000).toISOString();
    clones.push({ doc: { ...d, id, recordedAt, meta: { ...d.meta, agentId: `A${i % 200}`, callId: `C${i}` } }, docHash: id });
  }
  for (const { id } of dev) await p.store.delete(id);
  for (let i = 0; i < clones.length; i += 1000) await p.store.putMany(clones.slice(i, i + 1000));

  let t0 = performance.now();
  let read = 0;
  let after: string | undefined;
  for (;;) {
    const page = await p.store.query({ filter: { terms: { status: ['ok'] } }, size: 500, ...(after ? { after } : {}) });
    read += page.items.length;
    if (!page.next) break;
    after = page.next;
  }
  const readMs = ms(t0);

  const review = openReview(p.config, p.store, new MemoryAuditLog());
  for (const u of ['u-i1', 'u-i2', 'u-i3', 'u-i4']) review.workflow.saveInspector({ userId: u, name: u, teams: [], skills: [], active: true });
  t0 = performance.now();
  const first = await review.workflow.sync(REVIEW_ACTORS.qa);
  const syncMs = ms(t0);
  t0 = performance.now();
  const again = await review.workflow.sync(REVIEW_ACTORS.qa);
  const againMs = ms(t0);
  const listed: Array<[string, number, number]> = [];
  const variants: Array<[string, Parameters<typeof review.workflow.list>[0], Omit<Parameters<typeof review.workflow.list>[1], 'limit' | 'offset'>]> = [
    ['all scope, no filter', REVIEW_ACTORS.qa.scope, {}],
    ['team scope', REVIEW_ACTORS.supervisor.scope, {}],
    ['team scope + reason', REVIEW_ACTORS.supervisor.scope, { reason: 'vetoed' }],
    ['team scope + reason + overdue', REVIEW_ACTORS.supervisor.scope, { reason: 'vetoed', overdue: true }],
  ];
  for (const [name, scope, f] of variants) {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      t0 = performance.now();
      review.workflow.list(scope, { ...f, limit: 50, offset: 0 });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    listed.push([name, times[10]!, times[19]!]);
  }
  review.close();

  console.log(`${N} calls (${read} read back), load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${2} shared cores`);
  console.log('| step | ms | calls/s | reference |');
  console.log('|---|---|---|---|');
  console.log(`| store.query over every call (reference: what sync must read) | ${readMs} | ${Math.round((read / readMs) * 1000)} | — |`);
  console.log(`| review sync, first run (${first.added} queued) | ${syncMs} | ${Math.round((N / syncMs) * 1000)} | ${(syncMs / readMs).toFixed(2)}× the read |`);
  console.log(`| review sync again (${again.added} queued: idempotent) | ${againMs} | ${Math.round((N / againMs) * 1000)} | ${(againMs / readMs).toFixed(2)}× the read |`);
  for (const [name, p50, max] of listed) console.log(`| queue list (50 of ${first.added}), ${name}: p50 / max of 20 | ${p50.toFixed(1)} / ${max.toFixed(1)} | — | — |`);
} finally {
  await p.close();
  data.cleanup();
}
