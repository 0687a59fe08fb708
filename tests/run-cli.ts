import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../core/config.ts';
import { MODELS_DIR } from './helpers.ts';

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs the real `callscope` command as a user would. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'callscope.js'), ...args], {
      env: { ...process.env, CALLSCOPE_MODELS: MODELS_DIR, ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c));
    child.stderr!.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    if (input !== undefined) child.stdin!.end(input);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
