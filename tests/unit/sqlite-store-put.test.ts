import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallDoc } from '../../core/schemas.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { tempDir } from '../helpers.ts';

function call(id: string, texts: Array<[role: 'agent' | 'customer', text: string]>, total = 80): CallDoc {
  return {
    id,
    status: 'ok',
    ingestedAt: '2026-03-01T02:00:00.000Z',
    recordedAt: '2026-03-01T01:00:00.000Z',
    durationSec: 60,
    language: 'zh',
    source: { file: `${id}.wav`, sha256: id, kind: 'audio' },
    meta: { branch: '上海分行', custom: {} },
    transcriptSource: 'vendor:test',
    segments: texts.map(([role, text], i) => ({ id: `s${i}`, role, start: i * 5, end: i * 5 + 4, text, textMasked: text, tokens: [], hits: [] })),
    speech: [],
    acoustics: null,
    nlp: null,
    scores: [{ scorecardId: 'card', version: '1', total, maxTotal: 100, passed: total >= 60, vetoed: false, items: [] }],
    warnings: [],
    versions: {},
  };
}

describe('SqliteCallStore.put / putMany', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let store: SqliteCallStore;
  /** FTS5's own storage (segments of the inverted index): any insert or delete of a row changes it. */
  const ftsStorage = () => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT id, hex(block) AS block FROM call_fts_data ORDER BY id').all();
    } finally {
      db.close();
    }
  };
  const ftsRowCount = () => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT count(*) FROM call_fts_docsize').pluck().get() as number;
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    tmp = tempDir();
    file = path.join(tmp.dir, 'index.sqlite');
    store = new SqliteCallStore(file, { index: searchTokens, query: tokenize });
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('a re-score (same segment text) keeps the full-text rows and updates the score', async () => {
    await store.put(call('a', [['customer', '我要投诉年费'], ['agent', '非常抱歉']], 80), 'h1');
    const before = ftsStorage();
    await store.put(call('a', [['customer', '我要投诉年费'], ['agent', '非常抱歉']], 40), 'h2');
    expect(ftsStorage()).toEqual(before);
    expect(await store.docHash('a')).toBe('h2');
    expect((await store.get('a'))!.scores[0]!.total).toBe(40);
    expect((await store.list({ maxScore: 50, limit: 50, offset: 0 })).items.map((d) => d.id)).toEqual(['a']);
    expect((await store.search({ q: '投诉', limit: 50, offset: 0 })).total).toBe(1);
  });

  it('a re-score that changes one word of the text does rewrite the rows', async () => {
    await store.put(call('a', [['customer', '我要投诉年费']]), 'h1');
    const before = ftsStorage();
    await store.put(call('a', [['customer', '我要投诉利息']]), 'h2');
    expect(ftsStorage()).not.toEqual(before);
    expect((await store.search({ q: '利息', limit: 50, offset: 0 })).total).toBe(1);
    expect((await store.search({ q: '年费', limit: 50, offset: 0 })).total).toBe(0);
  });

  it('changed segment text replaces the full-text rows of that call only', async () => {
    await store.put(call('a', [['customer', '我要投诉年费']]), 'h1');
    await store.put(call('b', [['customer', '我要投诉年费']]), 'h1');
    await store.put(call('a', [['customer', '提前还款有违约金吗']]), 'h2');
    expect(ftsRowCount()).toBe(2);
    expect((await store.search({ q: '投诉', limit: 50, offset: 0 })).items.map((h) => h.call.id)).toEqual(['b']);
    expect((await store.search({ q: '违约金', limit: 50, offset: 0 })).items.map((h) => h.call.id)).toEqual(['a']);
  });

  it('a re-score that flips a checkpoint and a tag is what filters see afterwards', async () => {
    const scored = (passed: boolean, tags: string[]): CallDoc => {
      const base = call('r', [['customer', '我要投诉年费']], passed ? 90 : 40);
      const item = { checkpointId: 'empathy', name: 'empathy', applicable: true, passed, points: 0, maxPoints: 10, veto: false, reason: '', evidence: [] };
      return {
        ...base,
        scores: [{ ...base.scores[0]!, items: [item] }],
        nlp: { tags: tags.map((id) => ({ id, path: id, complaint: true, confidence: 1, via: 'keywords' as const, segmentIds: [] })), forbiddenHits: 0, sensitiveHits: 0, piiFound: [] },
      };
    };
    const ids = async (filter: object) => (await store.query({ filter })).items.map((h) => h.call.id);
    await store.put(scored(true, ['fee.annual']), 'h1');
    expect(await ids({ checkpoints: [{ checkpointId: 'empathy', outcome: 'passed' }], tags: { any: ['fee.annual'] } })).toEqual(['r']);
    await store.put(scored(false, ['service.attitude']), 'h2');
    expect(await ids({ checkpoints: [{ checkpointId: 'empathy', outcome: 'passed' }] })).toEqual([]);
    expect(await ids({ checkpoints: [{ checkpointId: 'empathy', outcome: 'failed' }], tags: { any: ['service.attitude'], none: ['fee.annual'] } })).toEqual(['r']);
    const sqliteOnly = new SqliteCallStore(file, { index: searchTokens, query: tokenize }, { analytics: 'sqlite' });
    try {
      expect((await sqliteOnly.query({ filter: { checkpoints: [{ checkpointId: 'empathy', outcome: 'failed' }], tags: { all: ['service.attitude'] } } })).total).toBe(1);
      expect((await sqliteOnly.query({ filter: { tags: { any: ['fee.annual'] } } })).total).toBe(0);
    } finally {
      await sqliteOnly.close();
    }
  });

  it('putMany writes every call, and re-putting them is idempotent', async () => {
    const docs = ['x', 'y', 'z'].map((id, i) => ({ doc: call(id, [['customer', `信用卡年费${i}`]], 50 + i * 10), docHash: `h${id}` }));
    await store.putMany(docs);
    await store.putMany(docs);
    expect(await store.counts()).toEqual({ calls: 3, failed: 0 });
    expect(ftsRowCount()).toBe(3);
    expect((await store.list({ minScore: 60, limit: 50, offset: 0 })).items.map((d) => d.id).sort()).toEqual(['y', 'z']);
  });

  it('putMany is one transaction: an invalid document leaves nothing behind', async () => {
    const bad = { ...call('bad', [['agent', '您好']]), ingestedAt: null } as unknown as CallDoc;
    await expect(store.putMany([{ doc: call('ok', [['agent', '您好']]), docHash: 'h' }, { doc: bad, docHash: 'h' }])).rejects.toThrow();
    expect(await store.counts()).toEqual({ calls: 0, failed: 0 });
  });
});
