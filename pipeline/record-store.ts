import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CallError, CallMeta, Source } from '../core/schemas.ts';

/** What ingest knows of a call before any stage runs. */
export const CallRecord = z.object({
  id: z.string(),
  ingestedAt: z.string(),
  /** Where the call came from (the user's path), for messages and for clearing path-keyed failures. */
  origin: z.string(),
  source: Source,
  /** Stored copies under CALLSCOPE_DATA: the record store owns them, the user's files may move. */
  audioFile: z.string().nullable(),
  transcriptFile: z.string().nullable(),
  meta: CallMeta,
});
export type CallRecord = z.infer<typeof CallRecord>;

export const StageRecord = z.object({
  stage: z.string(),
  version: z.string(),
  inputHash: z.string(),
  at: z.string(),
  durationMs: z.number(),
  warnings: z.array(z.string()),
  output: z.unknown(),
});
export type StageRecord = z.infer<typeof StageRecord>;

export const FailureRecord = CallError.extend({ retryable: z.boolean(), at: z.string(), origin: z.string() });
export type FailureRecord = z.infer<typeof FailureRecord>;

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes go to a temporary file first, so a crash never leaves half a record. */
async function writeAtomic(file: string, data: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

async function readJson(file: string): Promise<unknown | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The system of record: a folder under CALLSCOPE_DATA holding each call's stored inputs and
 * every stage output per (call, stage, version). The search index is derived from it.
 */
export class RecordStore {
  constructor(readonly root: string) {}

  private callDir(id: string): string {
    return path.join(this.root, 'records', id.slice(0, 2), id);
  }

  /** Keeps a copy of the recording (named by call id) in the store; the user's file may move. */
  async storeAudio(id: string, from: string): Promise<string> {
    return this.copyIn(from, path.join(this.root, 'audio', `${id}${path.extname(from).toLowerCase()}`));
  }

  /** Transcripts are named by their own hash: a corrected transcript is a new input, so the call is re-analysed. */
  async storeTranscript(from: string): Promise<string> {
    return this.copyIn(from, path.join(this.root, 'transcript', `${sha256(await readFile(from))}.json`));
  }

  private async copyIn(from: string, dest: string): Promise<string> {
    await mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.${randomBytes(6).toString('hex')}.tmp`;
    await copyFile(from, tmp);
    await rename(tmp, dest);
    return dest;
  }

  async getCall(id: string): Promise<CallRecord | null> {
    const raw = await readJson(path.join(this.callDir(id), 'call.json'));
    return raw === null ? null : CallRecord.parse(raw);
  }

  async putCall(record: CallRecord): Promise<void> {
    await writeAtomic(path.join(this.callDir(record.id), 'call.json'), JSON.stringify(record, null, 1));
  }

  async getStage(id: string, stage: string, version: string): Promise<StageRecord | null> {
    const raw = await readJson(path.join(this.callDir(id), `${stage}@${version}.json`));
    return raw === null ? null : StageRecord.parse(raw);
  }

  async putStage(id: string, record: StageRecord): Promise<void> {
    await writeAtomic(path.join(this.callDir(id), `${record.stage}@${record.version}.json`), JSON.stringify(record));
  }

  /** Every stored output of one stage for a call, whatever its version (score history). */
  async stageRecords(id: string, stage: string): Promise<StageRecord[]> {
    let files: string[];
    try {
      files = await readdir(this.callDir(id));
    } catch {
      return [];
    }
    const mine = files.filter((f) => f.startsWith(`${stage}@`) && f.endsWith('.json'));
    const records = await Promise.all(mine.map((f) => readJson(path.join(this.callDir(id), f))));
    return records.filter((r) => r !== null).map((r) => StageRecord.parse(r));
  }

  async getFailure(id: string): Promise<FailureRecord | null> {
    const raw = await readJson(path.join(this.callDir(id), 'failure.json'));
    return raw === null ? null : FailureRecord.parse(raw);
  }

  async putFailure(id: string, failure: FailureRecord): Promise<void> {
    await writeAtomic(path.join(this.callDir(id), 'failure.json'), JSON.stringify(failure, null, 1));
  }

  async clearFailure(id: string): Promise<void> {
    await rm(path.join(this.callDir(id), 'failure.json'), { force: true });
  }

  /** Removes a record entirely (a path-keyed failure whose file has since been ingested). */
  async removeCall(id: string): Promise<void> {
    await rm(this.callDir(id), { recursive: true, force: true });
  }

  async *callIds(): AsyncIterable<string> {
    const base = path.join(this.root, 'records');
    let shards: string[] = [];
    try {
      shards = await readdir(base);
    } catch {
      return;
    }
    for (const shard of shards.sort()) for (const id of (await readdir(path.join(base, shard))).sort()) yield id;
  }
}
