import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallDoc } from '../../core/schemas.ts';
import { CALLS_DIR, tempDir } from '../helpers.ts';
import { type CliResult, runCli } from '../run-cli.ts';

/**
 * One folder mixing a good call with every kind of bad input, ingested by the real CLI.
 * Each bad input must give one clear line naming the file and the reason; the good call
 * must still complete; every failure must be visible in the export, with nothing half indexed.
 */
const inbox = tempDir('callscope-bad-');
const data = tempDir('callscope-bad-data-');
let run: CliResult;
let exported: CallDoc[];

const p = (f: string) => path.join(inbox.dir, f);

beforeAll(async () => {
  copyFileSync(path.join(CALLS_DIR, 'SYN-0031.mp3'), p('good.mp3'));
  copyFileSync(path.join(CALLS_DIR, 'SYN-0031.mp3.transcript.json'), p('good.mp3.transcript.json'));
  writeFileSync(p('empty.wav'), '');
  writeFileSync(p('notes-renamed.wav'), '这不是音频文件，只是一段文字。\n'.repeat(20));
  const mp3 = readFileSync(path.join(CALLS_DIR, 'SYN-0001.mp3'));
  writeFileSync(p('truncated.mp3'), mp3.subarray(0, Math.floor(mp3.length / 3)));
  copyFileSync(path.join(CALLS_DIR, 'SYN-0001.mp3.transcript.json'), p('truncated.mp3.transcript.json'));
  writeFileSync(p('broken.transcript.json'), '{"format": "callscope-transcript/v1", "segments": [');
  writeFileSync(p('call.xyz'), 'whatever');
  writeFileSync(
    p('meta.jsonl'),
    [
      JSON.stringify({ audioFile: 'good.mp3', agentId: 'A5168', branch: '广州客服中心' }),
      JSON.stringify({ audioFile: 'vanished.mp3', agentId: 'A1' }),
      '{"audioFile": "empty.wav", agentId: oops}',
    ].join('\n'),
  );
  const env = { CALLSCOPE_DATA: data.dir };
  run = await runCli(['ingest', inbox.dir, p('call.xyz'), p('does-not-exist.mp3')], env);
  const out = path.join(data.dir, 'export.jsonl');
  await runCli(['export', '--out', out], env);
  exported = readFileSync(out, 'utf8').trim().split('\n').map((l) => CallDoc.parse(JSON.parse(l)));
}, 180_000);

afterAll(() => {
  inbox.cleanup();
  data.cleanup();
});

const errorLine = (file: string) => run.stderr.split('\n').find((l) => l.startsWith('error:') && l.includes(file));

describe('bad input', () => {
  it('exits 2 (some calls failed) and never prints a stack trace', () => {
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(run.stdout).toMatch(/1 new/);
  });

  it.each([
    ['empty.wav', 'FILE_EMPTY', /empty \(0 bytes\)/],
    ['notes-renamed.wav', 'AUDIO_UNDECODABLE', /not a readable audio file/],
    ['truncated.mp3', 'AUDIO_TRUNCATED', /truncated/],
    ['broken.transcript.json', 'TRANSCRIPT_INVALID', /not valid JSON/],
    ['call.xyz', 'UNSUPPORTED_FORMAT', /unsupported file type "\.xyz"/],
    ['does-not-exist.mp3', 'FILE_NOT_FOUND', /no such file/],
    ['vanished.mp3', 'METADATA_ORPHAN', /meta\.jsonl:2 names vanished\.mp3, which does not exist/],
  ])('%s → one line with %s and the reason', (file, code, reason) => {
    const line = errorLine(file);
    expect(line, run.stderr).toBeDefined();
    expect(line).toContain(code);
    expect(line).toMatch(reason);
    const doc = exported.find((d) => d.source.file === file);
    expect(doc, `${file} is visible in the export`).toBeDefined();
    expect(doc!.status).toBe('failed');
    expect(doc!.error!.code).toBe(code);
    expect(doc!.segments).toEqual([]);
    expect(doc!.scores).toEqual([]);
  });

  it('reports a malformed metadata line by file and line number', () => {
    expect(run.stderr).toMatch(/warning: meta\.jsonl:3: not valid JSON/);
  });

  it('completes the good call in the same run, with its metadata', () => {
    const good = exported.find((d) => d.source.file === 'good.mp3')!;
    expect(good.status).toBe('ok');
    expect(good.meta.agentId).toBe('A5168');
    // SYN-0031 is clean on every labelled checkpoint. Its metadata here has no `direction`, so identity
    // verification (inbound only) does not apply; nor do the upsell, empathy and complaint rules, as the
    // customer is calm and makes no complaint. The agent pitches a wealth product without a risk notice.
    expect(good.scores[0]!.items.filter((i) => i.passed !== true).map((i) => [i.checkpointId, i.applicable])).toEqual([
      ['identity_verification', false],
      ['appropriate_upsell', false],
      ['empathy', false],
      ['complaint_handling', false],
      ['risk_disclosure', true],
    ]);
    expect(good.scores[0]!.items).toHaveLength(13);
  });

  it('retries failures on the next run and clears them once the file is fixed', async () => {
    copyFileSync(path.join(CALLS_DIR, 'SYN-0022.wav'), p('empty.wav'));
    copyFileSync(path.join(CALLS_DIR, 'SYN-0022.wav.transcript.json'), p('empty.wav.transcript.json'));
    const again = await runCli(['ingest', p('empty.wav'), p('good.mp3')], { CALLSCOPE_DATA: data.dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/1 new, 0 updated, 1 unchanged, 0 failed/);
    const list = await runCli(['export', '--status', 'failed'], { CALLSCOPE_DATA: data.dir });
    expect(list.stdout).not.toContain('"empty.wav"');
  });
});

describe('command line', () => {
  it.each([['--help'], ['ingest', '--help'], ['serve', '--help'], ['export', '--help']])('callscope %s documents itself', async (...args) => {
    const r = await runCli(args, { CALLSCOPE_DATA: data.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: callscope/);
  });

  it('refuses bad configuration with one line', async () => {
    const r = await runCli(['export'], { CALLSCOPE_DATA: data.dir, CALLSCOPE_CONCURRENCY: 'lots' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^callscope: invalid configuration: CALLSCOPE_CONCURRENCY/);
  });
});
