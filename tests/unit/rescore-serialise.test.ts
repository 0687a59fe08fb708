import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { stageRecordJson, type StageRecord } from '../../pipeline/record-store.ts';
import type { Score } from '../../core/schemas.ts';
import { contractCalls } from '../contract/store-fixtures.ts';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers.ts';

/** Re-scoring serialises each grade once and reuses the JSON: what is stored must not change by a byte. */
describe('grades serialised once', () => {
  const score: Score = {
    scorecardId: 'c',
    version: '2',
    total: 95,
    maxTotal: 100,
    passed: true,
    vetoed: false,
    items: [{ checkpointId: 'a', name: '问候 "引号" \\ 斜杠', veto: false, maxPoints: 5, applicable: true, passed: false, points: 0, reason: '未找到“您好”\n', evidence: [{ kind: 'match', segmentId: 's0', start: 0.5, end: 1.25, quote: '喂\u2028' }] }],
  };

  it('a stage record from its output JSON is JSON.stringify of the record', () => {
    const record: StageRecord = { stage: 'score', version: '2+c@2~abc', inputHash: 'h', at: '2026-11-26T00:00:00.000Z', durationMs: 3, warnings: ['w "1"'], output: [score] };
    expect(stageRecordJson(record, JSON.stringify(record.output))).toBe(JSON.stringify(record));
    expect(stageRecordJson(record)).toBe(JSON.stringify(record));
    const empty = { ...record, output: undefined };
    expect(stageRecordJson(empty)).toBe(JSON.stringify(empty));
    expect(stageRecordJson({ ...record, output: null })).toBe(JSON.stringify({ ...record, output: null }));
  });

  it('the index stores the same grade row whether or not it is given the JSON', async () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'index.sqlite');
    const store = new SqliteCallStore(file, { index: searchTokens, query: tokenize }, { analytics: 'sqlite' });
    try {
      const [a, b] = contractCalls;
      await store.putMany([a!, b!].map((doc) => ({ doc, docHash: 'base.x' })));
      const grade = { baseHash: 'base', docHash: 'base.y', scores: [score], scoreVersion: '2+c@2~abc' };
      expect(await store.putGrades([{ id: a!.id, ...grade }, { id: b!.id, ...grade, scoresJson: JSON.stringify([score]) }])).toEqual([]);
      const db = new Database(file, { readonly: true });
      const rows = db.prepare('SELECT g.grade FROM calls c JOIN call_grades g ON g.n = c.n WHERE c.id IN (?, ?)').pluck().all(a!.id, b!.id) as string[];
      db.close();
      expect(rows).toEqual([JSON.stringify({ scores: [score], scoreVersion: grade.scoreVersion }), JSON.stringify({ scores: [score], scoreVersion: grade.scoreVersion })]);
      expect((await store.get(b!.id))?.scores).toEqual([score]);
    } finally {
      await store.close();
      tmp.cleanup();
    }
  });
});
