import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../api/actor.ts';
import { similarRoutes } from '../../api/similar-routes.ts';
import { ACTORS, mountAs } from '../as-actor.ts';
import { tempDir, testPipeline, type TestPipeline } from '../helpers.ts';

/**
 * "Utterances like this one" end to end: transcripts through the real pipeline (the shipped LSA
 * embedder gives every segment a vector), the embedded store's segment index, and
 * GET /api/search/similar under a full-scope and a branch-scoped actor.
 */
const data = tempDir('callscope-similar-');
let p: TestPipeline;
const ids = new Map<string, string>();

const CALLS: Record<string, { branch: string; lines: Array<['agent' | 'customer', string]> }> = {
  A: { branch: '上海客服中心', lines: [['agent', '您好请问有什么可以帮您'], ['customer', '你们乱收年费我要投诉'], ['agent', '非常抱歉给您带来不便']] },
  B: { branch: '上海客服中心', lines: [['agent', '您好很高兴为您服务'], ['customer', '我要投诉你们乱扣年费'], ['agent', '我帮您查询一下请稍等']] },
  C: { branch: '北京客服中心', lines: [['agent', '您好请讲'], ['customer', '年费乱收我要去投诉你们'], ['agent', '好的我帮您登记']] },
  D: { branch: '上海客服中心', lines: [['customer', '我想查询一下信用卡额度'], ['agent', '好的请稍等我帮您查询']] },
};
const shanghai: Actor = { userId: 'u-sh', name: '上海质检', role: 'qa_inspector', scope: { kind: 'branches', branches: ['上海客服中心'] }, canUnmask: false };

type Similar = {
  source: { callId: string; segment?: { segmentId: string; text: string } };
  items: Array<{ call: { id: string }; segment?: { segmentId: string; role: string; start: number; end: number; text: string }; similarity: number }>;
};
async function get(url: string, actor: Actor = ACTORS.analyst): Promise<{ status: number; body: Similar & { error?: { code: string } } }> {
  const res = await mountAs(actor, similarRoutes(p.store)).request(url);
  return { status: res.status, body: await res.json() };
}
const nameOf = (id: string) => [...ids].find(([, v]) => v === id)?.[0];

beforeAll(async () => {
  p = testPipeline(data.dir);
  const files = Object.entries(CALLS).map(([name, c]) => {
    const file = path.join(data.dir, `${name}.transcript.json`);
    const segments = c.lines.map(([role, text], i) => ({ start: i * 5, end: i * 5 + 4, role, text }));
    writeFileSync(file, JSON.stringify({ format: 'callscope-transcript/v1', segments }));
    return file;
  });
  const meta = path.join(data.dir, 'meta.jsonl');
  writeFileSync(meta, Object.entries(CALLS).map(([name, c]) => JSON.stringify({ file: `${name}.transcript.json`, branch: c.branch, recordedAt: '2026-05-01T10:00:00+08:00' })).join('\n'));
  await p.pipeline.ingest(files, meta);
  for await (const doc of p.store.all()) ids.set(path.basename(doc.source.file, '.transcript.json'), doc.id);
  expect([...ids.keys()].sort()).toEqual(['A', 'B', 'C', 'D']);
}, 120_000);
afterAll(async () => {
  await p?.close();
  data.cleanup();
});

describe('GET /api/search/similar', () => {
  it('the pipeline stores a vector per segment with text, kept out of the stored document', async () => {
    const doc = (await p.store.get(ids.get('A')!))!;
    expect(doc.nlp!.segmentEmbeddings).toBeUndefined();
    const v = await p.store.segmentVector(ids.get('A')!, 's1');
    expect(v).toHaveLength(192);
    expect(Math.hypot(...v!)).toBeCloseTo(1, 3);
  });

  it('utterances like a complaint: the other complaints first, each call with its complaining segment and time, the start call excluded', async () => {
    const { status, body } = await get(`/api/search/similar?call=${ids.get('A')}&segment=s1&k=3`);
    expect(status).toBe(200);
    expect(body.source.segment).toMatchObject({ segmentId: 's1', text: '你们乱收年费我要投诉' });
    expect(body.items.map((h) => nameOf(h.call.id))).not.toContain('A');
    expect(new Set(body.items.slice(0, 2).map((h) => nameOf(h.call.id)))).toEqual(new Set(['B', 'C']));
    const b = body.items.find((h) => nameOf(h.call.id) === 'B')!;
    expect(b.segment).toEqual({ segmentId: 's1', role: 'customer', start: 5, end: 9, text: '我要投诉你们乱扣年费' });
    expect(b.similarity).toBeGreaterThan(0.5);
    expect(body.items.map((h) => h.similarity)).toEqual([...body.items.map((h) => h.similarity)].sort((x, y) => y - x));
  });

  it('a branch-scoped user sees only neighbours in their branches, and no call outside them at all', async () => {
    const { body } = await get(`/api/search/similar?call=${ids.get('A')}&segment=s1&k=3`, shanghai);
    expect(nameOf(body.items[0]!.call.id)).toBe('B');
    expect(body.items.map((h) => nameOf(h.call.id))).not.toContain('C');
    expect((await get(`/api/search/similar?call=${ids.get('C')}&segment=s1`, shanghai)).status).toBe(404);
  });

  it('role narrows the utterances; without segment it compares whole calls', async () => {
    const agents = await get(`/api/search/similar?call=${ids.get('A')}&segment=s1&role=agent&k=3`);
    expect(agents.body.items.every((h) => h.segment!.role === 'agent')).toBe(true);
    const calls = await get(`/api/search/similar?call=${ids.get('A')}&k=3`);
    expect(calls.status).toBe(200);
    expect(calls.body.items.map((h) => nameOf(h.call.id))).toHaveLength(3);
    expect(nameOf(calls.body.items[2]!.call.id)).toBe('D');
  });

  it('answers 400 for a malformed call id and 404 for an unknown segment', async () => {
    expect((await get('/api/search/similar?call=xyz')).status).toBe(400);
    const missing = await get(`/api/search/similar?call=${ids.get('A')}&segment=s42`);
    expect(missing.status).toBe(404);
    expect(missing.body.error!.code).toBe('NOT_FOUND');
  });
});
