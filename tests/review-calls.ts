import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TRANSCRIPT_SUFFIX } from '../pipeline/discover.ts';
import { CALLS_DIR, type TestPipeline } from './helpers.ts';

/**
 * The dev calls as text-only calls (their vendor transcripts, without audio) with their real
 * metadata: the real pipeline scores and flags them in seconds rather than minutes, for the
 * review workflow's tests. Returns the call id of each dev call id (SYN-0001 → sha256).
 */
export async function ingestDevTranscripts(p: TestPipeline, dir: string): Promise<Record<string, string>> {
  const meta = readFileSync(path.join(CALLS_DIR, 'meta.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { audioFile: string; callId: string } & Record<string, unknown>);
  const files: string[] = [];
  const rows: string[] = [];
  for (const f of readdirSync(CALLS_DIR).filter((x) => x.endsWith(`.mp3${TRANSCRIPT_SUFFIX}`)).sort()) {
    const m = meta.find((r) => `${r.audioFile}${TRANSCRIPT_SUFFIX}` === f);
    if (!m) continue;
    const file = path.join(dir, `${m.callId}${TRANSCRIPT_SUFFIX}`);
    copyFileSync(path.join(CALLS_DIR, f), file);
    files.push(file);
    const { audioFile: _audio, ...rest } = m;
    rows.push(JSON.stringify({ ...rest, file: path.basename(file) }));
  }
  const metaFile = path.join(dir, 'meta.jsonl');
  writeFileSync(metaFile, rows.join('\n') + '\n');
  const r = await p.pipeline.ingest(files, metaFile);
  const ids: Record<string, string> = {};
  for (const o of r.outcomes) ids[path.basename(o.origin, TRANSCRIPT_SUFFIX)] = o.id;
  return ids;
}
