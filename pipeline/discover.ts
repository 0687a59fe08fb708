import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorCode } from '../core/errors.ts';

/** Containers and codecs banks keep recordings in; ffmpeg decodes all of them. */
export const AUDIO_EXTENSIONS = new Set(['.wav', '.mp3', '.m4a', '.aac', '.flac', '.ogg', '.opus', '.amr', '.wma', '.webm', '.mp4', '.3gp', '.gsm']);
export const TRANSCRIPT_SUFFIX = '.transcript.json';
/** Metadata sidecars picked up automatically from an ingested folder. */
export const METADATA_NAMES = ['meta.jsonl', 'meta.csv'];

export type Candidate = { origin: string; kind: 'audio' | 'transcript'; transcriptFile: string | null };
export type Rejected = { origin: string; code: ErrorCode; message: string };
export type Discovery = { candidates: Candidate[]; rejected: Rejected[]; skipped: string[]; metadataFiles: string[] };

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

function sidecarOf(audio: string): string | null {
  const stem = audio.slice(0, -path.extname(audio).length);
  for (const f of [`${audio}${TRANSCRIPT_SUFFIX}`, `${stem}${TRANSCRIPT_SUFFIX}`]) if (existsSync(f)) return f;
  return null;
}

/**
 * Turns the user's paths into calls. A folder contributes its recordings, transcripts without a
 * recording (text-only calls) and its metadata sidecar; other files in it are skipped. A file named
 * explicitly must be a call, or it is rejected with a reason.
 */
export async function discover(paths: string[]): Promise<Discovery> {
  const result: Discovery = { candidates: [], rejected: [], skipped: [], metadataFiles: [] };
  const explicit = new Set<string>();
  const files: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    const info = await stat(abs).catch(() => null);
    if (!info) {
      result.rejected.push({ origin: abs, code: 'FILE_NOT_FOUND', message: 'no such file or folder' });
    } else if (info.isDirectory()) {
      const inside = await walk(abs);
      files.push(...inside);
      result.metadataFiles.push(...METADATA_NAMES.map((n) => path.join(abs, n)).filter((f) => inside.includes(f)));
    } else {
      explicit.add(abs);
      files.push(abs);
    }
  }
  const all = new Set(files);
  const sidecars = new Set<string>();
  for (const f of all) {
    if (AUDIO_EXTENSIONS.has(path.extname(f).toLowerCase())) {
      const sidecar = sidecarOf(f);
      if (sidecar) sidecars.add(sidecar);
      result.candidates.push({ origin: f, kind: 'audio', transcriptFile: sidecar });
    }
  }
  for (const f of all) {
    if (AUDIO_EXTENSIONS.has(path.extname(f).toLowerCase()) || sidecars.has(f)) continue;
    if (f.endsWith(TRANSCRIPT_SUFFIX)) result.candidates.push({ origin: f, kind: 'transcript', transcriptFile: f });
    else if (explicit.has(f)) {
      result.rejected.push({
        origin: f,
        code: 'UNSUPPORTED_FORMAT',
        message: `unsupported file type "${path.extname(f) || '(none)'}": expected audio (${[...AUDIO_EXTENSIONS].join(' ')}) or *${TRANSCRIPT_SUFFIX}`,
      });
    } else if (!result.metadataFiles.includes(f)) result.skipped.push(f);
  }
  return result;
}
