import { withoutSegmentEmbeddings } from '../../indexer/call-store.ts';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { openAuth } from '../../api/auth/auth.ts';
import { openAuditLog } from '../../api/audit/audit-log.ts';
import { asAdmin } from '../auth-helpers.ts';
import { loadConfig } from '../../core/config.ts';
import { openStore } from '../../indexer/open-store.ts';
import pino from 'pino';
import { Pipeline } from '../../pipeline/ingest.ts';
import { rescoreAll } from '../../pipeline/rescore.ts';
import { scoreHistory } from '../../pipeline/score-history.ts';
import { scoreWithCards, scoringInputOf } from '../../scoring-models/score-stage.ts';
import { parseScorecard } from '../../scoring-models/scorecard.ts';
import { CALLS_DIR, MODELS_DIR, tempDir, truthCalls } from '../helpers.ts';
import { runCli } from '../run-cli.ts';

/**
 * Publishing, re-scoring, history, diff and explain through the real CLI, on real ingested calls.
 * Version 6 of the default card asks for the job id within the first second — which no agent does —
 * so every call the labels call compliant on NO_JOB_ID_IN_GREETING must flip from passed to failed.
 */
const FILES = ['SYN-0001.mp3', 'SYN-0002.mp3', 'SYN-0012.wav', 'SYN-0031.mp3'];
const data = tempDir('callscope-rescore-');
const cards = path.join(data.dir, 'published');
const env = { CALLSCOPE_DATA: path.join(data.dir, 'data'), CALLSCOPE_SCORECARDS: cards };
const shipped = readFileSync(path.join(process.cwd(), 'scoring-models', 'scorecards', 'bank-service-standard.yaml'), 'utf8');
const v5 = shipped.match(/^version: (.*)$/m)![1]!;
const draft = (name: string, text: string) => {
  const f = path.join(data.dir, name);
  writeFileSync(f, text);
  return f;
};
const v6 = shipped.replace(/^version: .*$/m, 'version: 6').replace('within: { firstSec: 15 }', 'within: { firstSec: 1 }');
const compliantOnJobId = truthCalls().filter((c) => FILES.includes(c.audioFile) && !c.truth.violations.includes('NO_JOB_ID_IN_GREETING'));

beforeAll(async () => {
  cpSync(path.join(process.cwd(), 'scoring-models', 'scorecards'), cards, { recursive: true });
  const r = await runCli(['ingest', ...FILES.map((f) => path.join(CALLS_DIR, f)), '--meta', path.join(CALLS_DIR, 'meta.jsonl')], env);
  expect(r.code).toBe(0);
}, 120_000);
afterAll(() => data.cleanup());

describe('callscope rescore and scorecard versions', () => {
  it('finds nothing to do when every call is graded by the published versions', async () => {
    const r = await runCli(['rescore', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ calls: 4, rescored: 0, unchanged: 4, skipped: 0, failed: [] });
  });

  it('refuses a bad scorecard at its line and leaves the published one in place', async () => {
    const bad = draft('bad.yaml', v6.replace('lexicon: forbidden', 'lexicon: forbiden'));
    const r = await runCli(['rescore', '--scorecard', bad], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:\d+: checkpoints\.\d+\.when\.lexicon: unknown lexicon "forbiden"/);
    expect(readFileSync(path.join(cards, 'bank-service-standard.yaml'), 'utf8')).toBe(shipped);
  });

  it('publishes a new version, re-grades every call without ASR, and reports the diff', async () => {
    const r = await runCli(['rescore', '--scorecard', draft('v6.yaml', v6), '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ calls: 4, rescored: 4, unchanged: 0 });
    expect(readFileSync(path.join(cards, 'bank-service-standard.yaml'), 'utf8')).toBe(v6);
    const jobId = out.diff.checkpoints.find((c: { checkpointId: string }) => c.checkpointId === 'job_id_in_greeting');
    expect(jobId).toMatchObject({ changed: compliantOnJobId.length, transitions: { 'passed→failed': compliantOnJobId.length } });
    expect(out.diff.checkpoints.filter((c: { changed: number }) => c.changed > 0)).toHaveLength(1);
    expect(out.diff.meanTotalChange).toBe(-5 * (compliantOnJobId.length / 4));
    // The publish is in the audit log, with who ran it and what was replaced.
    const audit = openAuditLog(env.CALLSCOPE_DATA);
    const published = audit.list({ action: 'scorecard.publish' });
    expect(audit.verify().ok).toBe(true);
    audit.close();
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ actor: expect.stringMatching(/^cli:/), target: 'bank-service-standard@6', details: { replaced: v5 } });
  });

  it('keeps the history of every version per call, and diffs any two versions', async () => {
    const h = await runCli(['scorecard', 'history', 'SYN-0001.mp3', '--json'], env);
    expect(h.code).toBe(0);
    const history = JSON.parse(h.stdout).history as Array<{ version: string; total: number; items: Array<{ checkpointId: string; passed: boolean | null }> }>;
    expect(history.map((x) => x.version)).toEqual([v5, '6']);
    expect(history[0]!.total - history[1]!.total).toBe(5);
    const d = await runCli(['scorecard', 'diff', 'bank-service-standard', '--from', v5, '--to', '6'], env);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain(`job_id_in_greeting: ${compliantOnJobId.length} calls (passed→failed ${compliantOnJobId.length})`);
    const none = await runCli(['scorecard', 'diff', 'bank-service-standard', '--from', '1', '--to', '6'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no stored call was graded by both bank-service-standard@1 and bank-service-standard@6/);
  });

  it('refuses to reuse a published version number for other content', async () => {
    const r = await runCli(['rescore', '--scorecard', draft('v6b.yaml', v6.replace('deduct: 2', 'deduct: 3'))], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/version 6 is already published with different content: bump version/);
  });

  it('keeps grading with the last good copy when the published file is broken by hand', async () => {
    writeFileSync(path.join(cards, 'bank-service-standard.yaml'), v6.replace('expect: absent', 'expect: sometimes'));
    const r = await runCli(['rescore', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/expect.*— still grading with the last good copy \(bank-service-standard version 6\)/);
    expect(JSON.parse(r.stdout)).toMatchObject({ unchanged: 4 });
    writeFileSync(path.join(cards, 'bank-service-standard.yaml'), v6);
  });

  it('re-scored results are the pipeline cache: ingesting again changes nothing', async () => {
    const r = await runCli(['ingest', ...FILES.map((f) => path.join(CALLS_DIR, f)), '--meta', path.join(CALLS_DIR, 'meta.jsonl'), '--json'], env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });

  it('rebuilds a lost index file whole from the kept stage outputs (no ASR), as the documents were', async () => {
    const config = loadConfig({ ...env, CALLSCOPE_MODELS: MODELS_DIR });
    const before = await openStore(config);
    const docs = new Map<string, unknown>();
    for await (const d of before.all()) docs.set(d.id, d);
    await before.close();
    expect(docs.size).toBe(4);
    for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(config.dataDir, `index.sqlite${suffix}`), { force: true });
    const r = await runCli(['rescore', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ calls: 4, rescored: 4, failed: [] });
    const after = openStore(config);
    try {
      for await (const d of after.all()) expect(d).toEqual(docs.get(d.id));
      expect(await after.counts()).toMatchObject({ calls: 4 });
    } finally {
      await after.close();
    }
    // Indexed with the pipeline's own document hashes: ingesting again finds nothing to do.
    const again = await runCli(['ingest', ...FILES.map((f) => path.join(CALLS_DIR, f)), '--meta', path.join(CALLS_DIR, 'meta.jsonl'), '--json'], env);
    expect(again.stdout.trim().split('\n').map((l) => JSON.parse(l).status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });

  it('explains one call checkpoint by checkpoint, with evidence, for a draft too', async () => {
    const r = await runCli(['scorecard', 'explain', draft('v5.yaml', shipped), '--call', 'SYN-0002.mp3'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SYN-0002 \([0-9a-f]{12}\) — 银行客服服务规范 bank-service-standard@\d+: \d+\/100 不合格（一票否决）/);
    expect(r.stdout).toMatch(/✗ no_forbidden_phrases 无服务禁语 +20\/30\n.*\n +» +\d+\.\ds s\d+ +agent +我也没办法/);
    expect(r.stdout).toMatch(/✓ standard_greeting/);
    const missing = await runCli(['scorecard', 'explain', draft('v5b.yaml', shipped), '--call', 'nope'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no ingested call matches "nope"/);
  });
});

describe('scorecard API', () => {
  const config = () => loadConfig({ ...env, CALLSCOPE_MODELS: MODELS_DIR });
  const withApp = async <T>(f: (req: (path: string, init?: RequestInit) => Promise<Response>) => Promise<T>): Promise<T> => {
    const store = openStore(config());
    const auth = openAuth(config().dataDir);
    try {
      const app = createApp(store, { config: config(), auth });
      return await f(await asAdmin(app, auth));
    } finally {
      auth.close();
      await store.close();
    }
  };
  const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const labels = truthCalls().filter((c) => FILES.includes(c.audioFile)).map((c) => ({ audioFile: c.audioFile, violations: c.truth.violations }));

  it('lists the published scorecards with every version used', () =>
    withApp(async (req) => {
      const r = await req('/api/scorecards');
      expect(r.status).toBe(200);
      const body = await r.json();
      expect(body.items[0]).toMatchObject({ id: 'bank-service-standard', version: '6' });
      expect(body.items[0].versions.map((v: { version: string }) => v.version).sort()).toEqual([v5, '6'].sort());
      expect(body.items[0].checkpoints.find((c: { id: string }) => c.id === 'no_pii_readout')).toMatchObject({ veto: true, label: 'PII_FULL_READOUT' });
    }));

  it("serves a call's score history and the diff of two versions", () =>
    withApp(async (req) => {
      const id = JSON.parse((await runCli(['scorecard', 'history', 'SYN-0031.mp3', '--json'], env)).stdout).callId as string;
      const h = await (await req(`/api/calls/${id}/scores`)).json();
      expect(h.history.map((x: { version: string }) => x.version)).toEqual([v5, '6']);
      const d = await req(`/api/scorecards/bank-service-standard/diff?from=${v5}&to=6`);
      expect((await d.json()).checkpoints[0]).toMatchObject({ checkpointId: 'job_id_in_greeting', changed: compliantOnJobId.length });
      expect((await req('/api/scorecards/bank-service-standard/diff?from=6')).status).toBe(400);
      expect((await req(`/api/calls/${'0'.repeat(64)}/scores`)).status).toBe(404);
    }));

  it('backtests a draft against labels without publishing it', () =>
    withApp(async (req) => {
      const r = await req('/api/scorecards/backtest', post({ scorecard: shipped, labels: [...labels, { audioFile: 'missing.mp3', violations: [] }] }));
      expect(r.status).toBe(200);
      const body = await r.json();
      expect(body.calls).toBe(4);
      expect(body.problems).toEqual(['labels[4]: no ingested call matches missing.mp3']);
      for (const row of body.checkpoints) {
        const labelled = labels.filter((l) => l.violations.includes(row.label)).length;
        expect({ id: row.checkpointId, tp: row.tp, fn: row.fn, fp: row.fp }).toEqual({ id: row.checkpointId, tp: labelled, fn: 0, fp: 0 });
      }
      expect(readFileSync(path.join(cards, 'bank-service-standard.yaml'), 'utf8')).toBe(v6);
    }));

  it('explains a call with a draft, and rejects bad drafts (400) and oversized bodies (413)', () =>
    withApp(async (req) => {
      const id = JSON.parse((await runCli(['scorecard', 'history', 'SYN-0002.mp3', '--json'], env)).stdout).callId as string;
      const ok = await (await req('/api/scorecards/explain', post({ scorecard: shipped, callId: id }))).json();
      expect(ok.score.items.find((i: { checkpointId: string }) => i.checkpointId === 'no_forbidden_phrases').evidence[0].quote).toBe('我也没办法');
      const bad = await req('/api/scorecards/backtest', post({ scorecard: shipped.replace('lexicon: upsell', 'lexicon: upsale'), labels }));
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.message).toMatch(/^scorecard:\d+: checkpoints\.\d+\.when\.lexicon: unknown lexicon "upsale"/);
      expect((await req('/api/scorecards/explain', post({ scorecard: shipped, callId: 'f'.repeat(64) }))).status).toBe(404);
      expect((await req('/api/scorecards/explain', { method: 'POST', body: 'not json' })).status).toBe(400);
      const huge = await req('/api/scorecards/backtest', post({ scorecard: 'x'.repeat(3 * 1024 * 1024), labels }));
      expect(huge.status).toBe(413);
      expect((await huge.json()).error.message).toMatch(/larger than 2 MB/);
    }));
});

describe('rescoreAll grades beside the indexed documents', () => {
  it('leaves each call exactly as a whole rebuild would, and puts whole a document the index lacks or holds from other inputs', async () => {
    const config = loadConfig({ ...env, CALLSCOPE_MODELS: MODELS_DIR });
    const store = openStore(config);
    const card = (v: string) => parseScorecard(v6.replace(/^version: .*$/m, `version: ${v}`), 'v.yaml');
    const rebuilt = async (p: Pipeline, id: string) => {
      const r = await p.stagesOf((await p.records.getCall(id))!);
      if (!r.ok) throw new Error(r.error.message);
      return r;
    };
    try {
      const a = new Pipeline({ config, store, scorecards: [card('grades-a')], log: pino({ level: 'silent' }) });
      expect(await rescoreAll(a, undefined, { threads: 1 })).toMatchObject({ rescored: 4, failed: [] });
      const ids: string[] = [];
      for await (const d of store.all()) ids.push(d.id);
      expect(ids).toHaveLength(4);
      for (const id of ids) {
        const whole = await rebuilt(a, id);
        expect(await store.get(id)).toEqual(withoutSegmentEmbeddings(whole.doc)); // the index keeps segment vectors in its vector index only
        expect(await store.docHash(id)).toBe(whole.docHash);
        expect(whole.doc.scores[0]!.version).toBe('grades-a');
        // Graded from the kept input, the same as grading the full document afresh.
        expect(await scoreWithCards([card('grades-a')], scoringInputOf(whole.doc), MODELS_DIR)).toEqual(whole.doc.scores);
      }

      // One call gone from the index, one indexed from other metadata: both must come back whole.
      const [gone, stale] = ids as [string, string];
      const staleDoc = (await store.get(stale))!;
      await store.delete(gone);
      await store.put({ ...staleDoc, meta: { ...staleDoc.meta, branch: '别处分行' } }, 'other-inputs');
      const b = new Pipeline({ config, store, scorecards: [card('grades-b')], log: pino({ level: 'silent' }) });
      expect(await rescoreAll(b, undefined, { threads: 1 })).toMatchObject({ rescored: 4, failed: [] });
      for (const id of ids) {
        const whole = await rebuilt(b, id);
        expect(await store.get(id)).toEqual(withoutSegmentEmbeddings(whole.doc)); // the index keeps segment vectors in its vector index only
        expect(whole.doc.scores[0]!.version).toBe('grades-b');
      }
      expect((await store.get(stale))!.meta.branch).toBe(staleDoc.meta.branch);
      expect(await store.counts()).toMatchObject({ calls: 4 });
    } finally {
      await store.close();
    }
  });
});

describe('rescoreAll in worker threads', () => {
  it('grades like the in-process run, indexes every call once, and keeps what the threads stored', async () => {
    const config = loadConfig({ ...env, CALLSCOPE_MODELS: MODELS_DIR });
    const store = openStore(config);
    const card = (v: string) => parseScorecard(v6.replace(/^version: .*$/m, `version: ${v}`), 'v.yaml');
    try {
      const inProcess = new Pipeline({ config, store, scorecards: [card('threads-a')], log: pino({ level: 'silent' }) });
      expect(await rescoreAll(inProcess, undefined, { threads: 1 })).toMatchObject({ rescored: 4, threads: 1 });
      const expected = new Map<string, unknown>();
      for await (const d of store.all()) expected.set(d.id, d.scores[0]!.items);

      const threaded = new Pipeline({ config, store, scorecards: [card('threads-b')], log: pino({ level: 'silent' }) });
      const progress: number[] = [];
      const summary = await rescoreAll(threaded, (p) => progress.push(p.done), { threads: 2, chunk: 1 });
      expect(summary).toMatchObject({ calls: 4, rescored: 4, unchanged: 0, failed: [], threads: 2 });
      expect(progress.at(-1)).toBe(4);
      for await (const d of store.all()) {
        expect(d.scores[0]!.version).toBe('threads-b');
        expect(d.scores[0]!.items).toEqual(expected.get(d.id));
        // The grade the thread stored is in the history (written before the thread ended).
        const history = await scoreHistory(threaded.records, d.id);
        expect(history.map((h) => h.version)).toContain('threads-b');
      }
      expect(await rescoreAll(threaded, undefined, { threads: 2, chunk: 1 })).toMatchObject({ unchanged: 4, rescored: 0 });
    } finally {
      await store.close();
    }
  });
});
