import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

/**
 * Structured JSON logs, one line per stage per call. They go to a file under CALLSCOPE_DATA so the
 * terminal stays readable (progress bar, one-line errors); `CALLSCOPE_LOG=stderr` sends them to stderr.
 */
export function createLogger(config: Config, name: string): Logger {
  if (process.env.CALLSCOPE_LOG === 'stderr') return pino({ name, level: config.logLevel }, pino.destination(2));
  const dir = path.join(config.dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  return pino({ name, level: config.logLevel }, pino.destination({ dest: path.join(dir, `${name}.jsonl`), sync: true }));
}

export function logFile(config: Config, name: string): string {
  return path.join(config.dataDir, 'logs', `${name}.jsonl`);
}
