import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes a file through a temporary one renamed into place, so a crash never leaves half of it; the
 * folder is made on first need. Synchronous: the files are small, and a round trip through the
 * thread pool costs more than the write (re-scoring writes thousands a second).
 */
export function writeFileAtomic(file: string, data: string): void {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, data);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, data);
  }
  renameSync(tmp, file);
}
