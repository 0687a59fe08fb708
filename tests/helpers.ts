import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { assignRoles, readTranscriptFile, type RawSegment } from '../asr/transcript.ts';
import { loadConfig, repoRoot, type Config } from '../core/config.ts';
import { openStore } from '../indexer/open-store.ts';
import type { CallStore } from '../indexer/call-store.ts';
import { SqliteCallStore, type SqliteStoreOptions } from '../indexer/sqlite-store.ts';
import { searchTokens, tokenize } from '../nlp/segmenter.ts';
import type { CallDoc } from '../core/schemas.ts';
import { Pipeline } from '../pipeline/ingest.ts';
import { loadScorecards } from '../scoring-models/scorecard.ts';

export const SHARED = path.resolve(repoRoot, '..', 'shared');
export const CALLS_DIR = path.join(SHARED, 'data', 'calls');
export const MODELS_DIR = path.join(SHARED, 'models');

/** Ground truth of the synthetic dev calls: for assertions only, never for ingestion. */
export type TruthCall = {
  callId: string;
  audioFile: string;
  audio: { channels: number; durationSec: number };
  truth: {
    violations: string[];
    riskFlags: string[];
    categoryZh: string;
    isComplaint: boolean;
    emotion: { negativeAtEnd: boolean };
    scenario: string;
    complaintThreat: { present: boolean; regulatorEscalation: boolean };
    upsell: { present: boolean; product: string | null; appropriate: boolean | null };
    segments: Array<{ role: 'agent' | 'customer'; channel: 'L' | 'R'; start: number; end: number; text: string }>;
  };
};

export function truthCalls(): TruthCall[] {
  return readFileSync(path.join(CALLS_DIR, 'calls.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TruthCall);
}

/** A dev call's vendor transcript sidecar with roles assigned, as the pipeline would read it. */
export async function devTranscript(audioFile: string): Promise<RawSegment[]> {
  return assignRoles(await readTranscriptFile(path.join(CALLS_DIR, `${audioFile}.transcript.json`)));
}

export function tempDir(prefix = 'callscope-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type TestPipeline = { config: Config; store: CallStore; pipeline: Pipeline; close(): Promise<void> };

/** A real pipeline over a fresh data folder (real ffmpeg, VAD, SQLite). */
export function testPipeline(dataDir: string, env: Record<string, string> = {}): TestPipeline {
  const config = loadConfig({ CALLSCOPE_DATA: dataDir, CALLSCOPE_MODELS: MODELS_DIR, ...env });
  const store = openStore(config);
  const pipeline = new Pipeline({ config, store, log: pino({ level: 'silent' }), scorecards: loadScorecards(config.scorecardsDir) });
  return { config, store, pipeline, close: () => store.close() };
}

/** A real embedded store (jieba tokens) in a temporary folder; `cleanup` closes it and removes the folder. */
export function tempSqliteStore(options: SqliteStoreOptions = {}, prefix = 'callscope-store-'): { store: SqliteCallStore; cleanup(): Promise<void> } {
  const tmp = tempDir(prefix);
  const store = new SqliteCallStore(path.join(tmp.dir, 'index.sqlite'), { index: searchTokens, query: tokenize }, options);
  return {
    store,
    async cleanup() {
      await store.close();
      tmp.cleanup();
    },
  };
}

/** A real embedded store in a temporary folder holding these documents (analytics and store tests). */
export async function tempStoreWith(docs: CallDoc[]): Promise<{ store: CallStore; close(): Promise<void> }> {
  const { store, cleanup } = tempSqliteStore();
  await store.putMany(docs.map((doc) => ({ doc, docHash: doc.id })));
  return { store, close: cleanup };
}
