import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TRANSCRIPT_SUFFIX } from '../pipeline/discover.ts';
import { CALLS_DIR } from './helpers.ts';

/**
 * Writes `n` distinct text-only calls into `dir`: the dev calls' vendor transcripts in turn, each
 * with a small change to its last utterance (a case number), so every call has its own id.
 * Numbered from `firstNumber`, so two batches with different numbers never share a call.
 * Returns the file paths in discovery order.
 */
export function fabricateTextCalls(dir: string, n: number, firstNumber = 1): string[] {
  const sources = readdirSync(CALLS_DIR)
    .filter((f) => f.endsWith(TRANSCRIPT_SUFFIX))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(CALLS_DIR, f), 'utf8')) as { segments: Array<{ text: string }> });
  const files: string[] = [];
  for (let i = firstNumber - 1; i < firstNumber - 1 + n; i++) {
    const t = structuredClone(sources[i % sources.length]!);
    const last = t.segments[t.segments.length - 1]!;
    last.text = `${last.text}（工单${String(i + 1).padStart(5, '0')}）`;
    const file = path.join(dir, `call-${String(i + 1).padStart(5, '0')}${TRANSCRIPT_SUFFIX}`);
    writeFileSync(file, JSON.stringify(t, null, 1));
    files.push(file);
  }
  return files;
}
