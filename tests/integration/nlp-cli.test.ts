import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import { runCli } from '../run-cli.ts';

const env = { CALLSCOPE_DATA: tempDir('callscope-nlp-').dir };

describe('callscope nlp', () => {
  it('analyses a text given as an argument', async () => {
    const r = await runCli(['nlp', '--role', 'agent', '我也没办法，你自己去网点问吧'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ id: '1', role: 'agent', textMasked: '我也没办法，你自己去网点问吧' });
    expect(out.hits.map((h: { term: string }) => h.term)).toEqual(['我也没办法', '你自己去网点']);
    expect(out.tokens).toContain('网点');
  });

  it('reads JSON lines, keeps ids, masks, and reports bad lines without stopping', async () => {
    const input = [
      JSON.stringify({ id: 'c1', role: 'customer', text: '我要投诉！我的卡号是6225880212345673' }),
      '{broken',
      JSON.stringify({ id: 7, text: '你们客服就这个态度吗' }),
      JSON.stringify({ id: 'x', role: 'boss', text: '…' }),
    ].join('\n');
    const r = await runCli(['nlp'], env, input);
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['c1', '7']);
    // A Luhn-valid card number: masked, last four kept.
    expect(lines[0].textMasked).toBe('我要投诉！我的卡号是【卡号尾号5673】');
    expect(lines[0].piiFound).toEqual([{ type: 'card_number', start: 10, end: 20 }]);
    expect(lines[0].hits.map((h: { lexicon: string }) => h.lexicon)).toContain('sensitive');
    expect(lines[1].tags[0]).toMatchObject({ id: 'service.attitude', path: '服务态度' });
    expect(r.stderr).toMatch(/error: line 2: .*not JSON/);
    expect(r.stderr).toMatch(/error: line 4: .*role/);
  });
});
