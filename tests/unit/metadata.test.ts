import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv, readMetadata } from '../../pipeline/metadata.ts';
import { tempDir } from '../helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('metadata sidecars', () => {
  it('parses RFC 4180 CSV with quotes, commas and newlines', () => {
    expect(parseCsv('a,b\r\n"x, y","he said ""hi"""\n1,"two\nlines"\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'he said "hi"'],
      ['1', 'two\nlines'],
    ]);
  });

  it('reads JSONL, keeps good rows and reports bad lines by number', async () => {
    const f = path.join(tmp.dir, 'meta.jsonl');
    writeFileSync(
      f,
      [
        JSON.stringify({ audioFile: 'a.mp3', agentId: 'A1', branch: '上海', shift: 'night' }),
        '{not json',
        JSON.stringify({ agentId: 'A2' }),
        JSON.stringify({ audioFile: 'b.wav', recordedAt: 'yesterday' }),
        '',
        JSON.stringify({ file: 'dir/c.wav', recordedAt: '2026-01-02T10:00:00+08:00' }),
      ].join('\n'),
    );
    const m = await readMetadata(f);
    expect([...m.rows.keys()]).toEqual(['a.mp3', 'c.wav']);
    expect(m.rows.get('a.mp3')!.meta).toEqual({ agentId: 'A1', branch: '上海', custom: { shift: 'night' } });
    expect(m.problems.map((p) => p.where)).toEqual(['meta.jsonl:2', 'meta.jsonl:3', 'meta.jsonl:4']);
    expect(m.problems[1]!.message).toMatch(/audioFile/);
    expect(m.problems[2]!.message).toMatch(/recordedAt/);
  });

  it('reads CSV and flags rows with the wrong number of columns', async () => {
    const f = path.join(tmp.dir, 'meta.csv');
    writeFileSync(f, '\uFEFFaudioFile,agentId,product\nx.mp3,A9,信用卡\ny.mp3,A8\n');
    const m = await readMetadata(f);
    expect(m.rows.get('x.mp3')!.meta).toMatchObject({ agentId: 'A9', product: '信用卡' });
    expect(m.problems).toEqual([{ where: 'meta.csv:3', message: 'expected 3 columns, found 2' }]);
  });
});
