import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { searchTokens, tokenize } from '../../nlp/segmenter.ts';
import { SqliteCallStore } from '../../indexer/sqlite-store.ts';
import { topicCalls, topicTexts } from '../cluster-fixtures.ts';
import { tempDir } from '../helpers.ts';
import { runCli } from '../run-cli.ts';

const tmp = tempDir('callscope-cluster-cli-');
afterAll(() => tmp.cleanup());
const env = { CALLSCOPE_DATA: path.join(tmp.dir, 'data'), CALLSCOPE_LOG: 'stderr' };

describe('callscope cluster', () => {
  it('--help explains the input, output and options', async () => {
    const r = await runCli(['cluster', '--help'], env);
    expect(r.code).toBe(0);
    for (const s of ['--in <file>', '--out <file>', '--k <n>', '--min-size <n>', '--seed <n>', '--store']) expect(r.stdout).toContain(s);
  });

  it('clusters a JSONL file: one { id, cluster, label } line per input line, topics recovered', async () => {
    const texts = topicTexts(30, 1);
    const input = path.join(tmp.dir, 'texts.jsonl');
    const output = path.join(tmp.dir, 'clusters.jsonl');
    writeFileSync(input, texts.map((t, i) => JSON.stringify(i % 2 ? { id: t.id, text: t.text } : { id: t.id, text: t.text, extra: 1 })).join('\n') + '\n');
    const r = await runCli(['cluster', '--in', input, '--out', output, '--k', '4', '--seed', '2'], env);
    expect(r.stderr).toContain('120 texts → 4 clusters');
    expect(r.code).toBe(0);
    const out = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; cluster: string; label: string });
    expect(out.map((o) => o.id)).toEqual(texts.map((t) => t.id));
    const byTopic = new Map<string, Set<string>>();
    for (const [i, o] of out.entries()) byTopic.set(texts[i]!.label, (byTopic.get(texts[i]!.label) ?? new Set()).add(o.cluster));
    expect([...byTopic.values()].map((s) => s.size)).toEqual([1, 1, 1, 1]);
    expect(new Set([...byTopic.values()].map((s) => [...s][0])).size).toBe(4);
    expect(out.every((o) => o.label.length > 0)).toBe(true);
  });

  it('refuses bad lines, naming each by number, and writes nothing', async () => {
    const input = path.join(tmp.dir, 'bad.jsonl');
    const output = path.join(tmp.dir, 'bad-out.jsonl');
    writeFileSync(input, ['{"id":"a","text":"信用卡年费"}', 'not json', '{"id":"b"}', '', '{"id":"a","text":"again"}', '{"id":3,"text":"数字编号可以"}'].join('\n'));
    const r = await runCli(['cluster', '--in', input, '--out', output], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('3 bad lines');
    expect(r.stderr).toContain('line 2: not JSON');
    expect(r.stderr).toMatch(/line 3: .*text/);
    expect(r.stderr).toContain('line 5: duplicate id "a"');
    expect(r.stderr).not.toContain('line 6');
    expect(existsSync(output)).toBe(false);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('a missing file, a missing --in and a bad --k are plain errors', async () => {
    for (const args of [['--in', path.join(tmp.dir, 'nope.jsonl')], [], ['--in', 'x', '--k', 'ten']]) {
      const r = await runCli(['cluster', ...args], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^callscope: /);
    }
  });

  it('--store clusters what customers say in the stored calls and keeps the model for later calls', async () => {
    const store = new SqliteCallStore(path.join(env.CALLSCOPE_DATA, 'index.sqlite'), { index: searchTokens, query: tokenize });
    await store.putMany(topicCalls(1, 10, 1).map((doc) => ({ doc, docHash: doc.id })));
    await store.close();
    const first = await runCli(['cluster', '--store', '--k', '4'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^80 customer segments → 4 clusters .*; fitted\)/);
    const again = await runCli(['cluster', '--store'], env);
    expect(again.stdout).toContain('stored model, new segments joined');
    const refit = await runCli(['cluster', '--store', '--refit', '--seed', '5'], env);
    expect(refit.stdout).toMatch(/re-fitted, 100\.0% of segments kept their cluster/);
  });
});
