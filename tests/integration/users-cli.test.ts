import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openAuth } from '../../api/auth/auth.ts';
import { tempDir } from '../helpers.ts';
import { runCli } from '../run-cli.ts';

const tmp = tempDir('callscope-users-');
const env = { CALLSCOPE_DATA: tmp.dir };
afterAll(() => tmp.cleanup());

describe('callscope users / audit', () => {
  it('create-admin makes the first admin with a generated password printed once, then refuses a second', async () => {
    const first = await runCli(['users', 'create-admin', '--generate-password'], env);
    expect(first.code).toBe(0);
    const password = /password for admin \(shown once, keep it safe\): (\S+)/.exec(first.stdout)?.[1];
    expect(password?.length).toBeGreaterThanOrEqual(24);
    const auth = openAuth(tmp.dir);
    await expect(auth.login('admin', password!, 'test')).resolves.toMatchObject({ user: { role: 'admin', canUnmask: true } });
    auth.close();
    const second = await runCli(['users', 'create-admin', '--generate-password'], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('an admin already exists');
  }, 60_000);

  it('add reads the password from a file or standard input and refuses a weak one', async () => {
    const file = path.join(tmp.dir, 'pw.txt');
    writeFileSync(file, 'Branch-inspector-2026\n');
    const added = await runCli(['users', 'add', 'qa-bj', '--role', 'qa_inspector', '--name', '王质检', '--scope', 'branches:北京客服中心', '--password-file', file], env);
    expect(added.stdout).toContain('created qa-bj (qa_inspector, branches:北京客服中心)');
    const weak = await runCli(['users', 'add', 'agent-1', '--role', 'agent', '--name', '李', '--scope', 'own:A1'], env, 'short\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('at least 12 characters');
    const auth = openAuth(tmp.dir);
    await expect(auth.login('qa-bj', 'Branch-inspector-2026', 'test')).resolves.toMatchObject({ user: { scope: { kind: 'branches', branches: ['北京客服中心'] } } });
    expect(auth.users.get('agent-1')).toBeNull();
    auth.close();
  }, 60_000);

  it('set-role and disable are audited with the OS account as actor', async () => {
    expect((await runCli(['users', 'set-role', 'qa-bj', 'qa_supervisor'], env)).code).toBe(0);
    expect((await runCli(['users', 'disable', 'qa-bj'], env)).code).toBe(0);
    const list = await runCli(['audit', 'list', '--action', 'user', '--json'], env);
    const entries = list.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(entries.map((e) => [e.action, e.target])).toEqual([
      ['user.create', 'admin'],
      ['user.create', 'qa-bj'],
      ['user.role', 'qa-bj'],
      ['user.disable', 'qa-bj'],
    ]);
    expect(entries[2].actor).toMatch(/^cli:/);
    expect(entries[2].details).toMatchObject({ role: 'qa_supervisor', before: { role: 'qa_inspector' } });
    const auth = openAuth(tmp.dir);
    await expect(auth.login('qa-bj', 'Branch-inspector-2026', 'test')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    auth.close();
  }, 60_000);

  it('`callscope export` (raw documents) is audited with where it wrote', async () => {
    const out = path.join(tmp.dir, 'calls.jsonl');
    expect((await runCli(['export', '--out', out], env)).code).toBe(0);
    const list = await runCli(['audit', 'list', '--action', 'export', '--json'], env);
    expect(JSON.parse(list.stdout.trim())).toMatchObject({ action: 'export', target: out, details: { status: 'all', unmasked: true } });
    expect((await runCli(['audit', 'verify'], env)).code).toBe(0);
  }, 90_000);
});
