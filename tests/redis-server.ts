import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import path from 'node:path';

/** A free TCP port on the loopback interface (the OS picks it; never a fixed port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket: true when the server answers PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    sock.setTimeout(1000, () => (sock.destroy(), resolve(false)));
    sock.on('error', () => resolve(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (c) => {
      reply += c.toString();
      if (reply.includes('\r\n')) {
        sock.end();
        resolve(reply.startsWith('+PONG'));
      }
    });
  });
}

export type TestRedis = {
  url: string;
  port: number;
  /** SIGKILL, as a crash: only what the append-only file already holds survives. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data folder (it reloads the append-only file). */
  start(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * A real redis-server for one test file, on a free loopback port, in the foreground (so the test
 * owns its pid). Append-only file (fsynced on every write unless `everysec` is asked for, as in
 * docker-compose.yml) and no eviction, as the queue should run in production.
 */
export async function startRedis(dir: string, opts: { appendfsync?: 'always' | 'everysec' } = {}): Promise<TestRedis> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  let log = '';

  const start = async () => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', opts.appendfsync ?? 'always', '--maxmemory-policy', 'noeviction', '--logfile', path.join(dir, 'redis.log')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (c: Buffer) => (log += c));
    child.stderr!.on('data', (c: Buffer) => (log += c));
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before answering: ${log} (see ${dir}/redis.log)`))),
    );
    proc = child;
    const ready = (async () => {
      while (!(await ping(port))) await new Promise((r) => setTimeout(r, 50));
    })();
    await Promise.race([ready, exited]);
    exited.catch(() => undefined);
  };

  const killWith = async (signal: NodeJS.Signals) => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
    proc = null;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => killWith('SIGKILL'),
    start,
    stop: () => killWith('SIGTERM'),
  };
}
