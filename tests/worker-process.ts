import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../core/config.ts';
import { MODELS_DIR } from './helpers.ts';

export type WorkerProcess = {
  pid: number;
  /** The worker's name as BullMQ records it on the jobs it processes (`host:pid`). */
  name: string;
  output(): string;
  /** Sends the signal and waits until the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
};

/** A real `callscope worker` child process; resolves once it has said it is ready. */
export function startWorker(env: Record<string, string>, args: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'callscope.js'), 'worker', ...args], {
    env: { ...process.env, CALLSCOPE_MODELS: MODELS_DIR, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: WorkerProcess = {
    pid: child.pid!,
    name: '',
    output: () => out,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await gone;
    },
  };
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c;
      const m = handle.name ? null : /worker (\S+) ready:/.exec(out);
      if (m) resolve(Object.assign(handle, { name: m[1]! }));
    });
    child.stderr.on('data', (c: Buffer) => (out += c));
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before it was ready:\n${out}`)));
  });
}
