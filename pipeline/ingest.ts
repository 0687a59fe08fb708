import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import { CallScopeError, type ErrorCode, isCallScopeError, messageOf } from '../core/errors.ts';
import type { CallDoc, CallMeta, Score } from '../core/schemas.ts';
import type { CallStore, Grade } from '../indexer/call-store.ts';
import type { ScoreInput } from '../scoring-models/score-stage.ts';
import type { Scorecard } from '../scoring-models/scorecard.ts';
import { buildCallDoc, buildFailedDoc, docFingerprint } from './call-doc.ts';
import { type Candidate, discover, type Rejected } from './discover.ts';
import { docKey, GRADE_INPUT, GRADE_STAGE, type GradeInput, outputKey, pipelineSteps, type Outputs, type StageName, type Step, stepKey } from './graph.ts';
import { mapLimit } from './limit.ts';
import { type Metadata, readMetadata } from './metadata.ts';
import { type CallRecord, RecordStore, sha256, type StageRecord } from './record-store.ts';

export type CallOutcome = {
  origin: string;
  id: string;
  /** new: processed for the first time; updated: something changed; unchanged: nothing to do; queued: handed to the job queue. */
  status: 'new' | 'updated' | 'unchanged' | 'failed' | 'queued';
  error?: { code: string; message: string };
};

export type IngestSummary = {
  outcomes: CallOutcome[];
  /** Problems that are not calls (a malformed metadata line). */
  problems: Array<{ where: string; message: string }>;
  skipped: string[];
  durationMs: number;
};

export type PipelineDeps = {
  config: Config;
  store: CallStore;
  scorecards: Scorecard[];
  log: Logger;
  /** Set by the BullMQ runner: a stored call is handed to it (enqueued) instead of running its stages here. */
  dispatch?: (call: CallRecord, isNew: boolean) => Promise<CallOutcome>;
};
export type Progress = (p: { done: number; total: number; current: string }) => void;

/** The call id: sha256 of the recording (or of the transcript, for a text-only call). */
function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** A call that failed before its content could be read is keyed by its path, so it is still visible. */
export function pathKey(origin: string): string {
  return sha256(`path:${origin}`);
}

function failureOf(err: unknown): { code: ErrorCode; message: string; retryable: boolean } {
  if (isCallScopeError(err)) return { code: err.code, message: err.message, retryable: false };
  return { code: 'INTERNAL', message: messageOf(err), retryable: true };
}

/**
 * The grade input as kept: segments without their search tokens, which no scorecard operator reads
 * (a fifth of the record, parsed again by every re-score).
 */
function keptInput(input: ScoreInput): ScoreInput {
  return { ...input, segments: input.segments.map((s) => ({ ...s, tokens: [] })) };
}

/** A call re-graded from its kept grade input (Pipeline.regrade). */
export type Regraded = { ok: true; changed: boolean; grade: Grade };

export class Pipeline {
  readonly records: RecordStore;

  private readonly steps: Step[];

  get config(): Config {
    return this.opts.config;
  }

  get scorecards(): Scorecard[] {
    return this.opts.scorecards;
  }

  constructor(private readonly opts: PipelineDeps) {
    this.records = new RecordStore(opts.config.dataDir);
    this.steps = pipelineSteps(opts.scorecards, opts.config.modelsDir);
  }

  /** Ingests files and folders; `metaFile` overrides the metadata sidecars found in folders. */
  async ingest(paths: string[], metaFile?: string, onProgress?: Progress): Promise<IngestSummary> {
    const started = Date.now();
    const found = await discover(paths);
    const problems: IngestSummary['problems'] = [];
    const metaFiles = metaFile ? [path.resolve(metaFile)] : found.metadataFiles;
    const metadata: Metadata[] = [];
    for (const f of metaFiles) {
      try {
        const m = await readMetadata(f);
        metadata.push(m);
        problems.push(...m.problems);
      } catch (err) {
        problems.push({ where: f, message: messageOf(err) });
      }
    }
    const metaFor = (origin: string) => {
      for (const m of metadata) {
        const row = m.rows.get(path.basename(origin));
        if (row) return row.meta;
      }
      return null;
    };
    // A metadata row whose recording is not here is a call the bank expects: keep it visible.
    const names = new Set(found.candidates.map((c) => path.basename(c.origin)));
    const rejected: Rejected[] = [...found.rejected];
    for (const m of metadata) {
      for (const row of m.rows.values()) {
        if (!names.has(row.fileName) && !existsSync(path.join(path.dirname(m.file), row.fileName))) {
          rejected.push({
            origin: path.join(path.dirname(m.file), row.fileName),
            code: 'METADATA_ORPHAN',
            message: `${path.basename(m.file)}:${row.line} names ${row.fileName}, which does not exist`,
          });
        }
      }
    }

    const total = found.candidates.length + rejected.length;
    let done = 0;
    const tick = (current: string) => onProgress?.({ done: ++done, total, current });
    onProgress?.({ done: 0, total, current: '' });

    const outcomes: CallOutcome[] = [];
    for (const r of rejected) {
      outcomes.push(await this.recordRejected(r, metaFor(r.origin)));
      tick(r.origin);
    }
    const seen = new Map<string, string>();
    outcomes.push(
      ...(await mapLimit(found.candidates, this.opts.config.concurrency, async (c) => {
        const outcome = await this.processCandidate(c, metaFor(c.origin), seen);
        tick(c.origin);
        return outcome;
      })),
    );
    return { outcomes, problems, skipped: found.skipped, durationMs: Date.now() - started };
  }

  private async recordRejected(r: Rejected, meta: CallMeta | null): Promise<CallOutcome> {
    const call = await this.pathKeyedRecord(r.origin, r.origin.endsWith('.json') ? 'transcript' : 'audio', meta);
    await this.fail(call, 'ingest', { code: r.code, message: r.message, retryable: false });
    return { origin: r.origin, id: call.id, status: 'failed', error: { code: r.code, message: r.message } };
  }

  /** The record of a call whose content could not be read: no content hash, so keyed by its path. */
  private async pathKeyedRecord(origin: string, kind: 'audio' | 'transcript', meta: CallMeta | null): Promise<CallRecord> {
    const id = pathKey(origin);
    return {
      id,
      ingestedAt: (await this.records.getCall(id))?.ingestedAt ?? new Date().toISOString(),
      origin,
      source: { file: path.basename(origin), sha256: '', kind },
      audioFile: null,
      transcriptFile: null,
      meta: meta ?? { custom: {} },
    };
  }

  private async fail(call: CallRecord, stage: string, f: { code: ErrorCode; message: string; retryable: boolean }): Promise<void> {
    await this.records.putCall(call);
    await this.records.putFailure(call.id, { stage, code: f.code, message: f.message, retryable: f.retryable, at: new Date().toISOString(), origin: call.origin });
    const doc = buildFailedDoc(call, { stage, code: f.code, message: f.message });
    await this.opts.store.put(doc, docFingerprint(doc));
    this.opts.log.warn({ callId: call.id, file: call.origin, stage, code: f.code, msg: f.message }, 'call failed');
  }

  private async processCandidate(c: Candidate, meta: CallMeta | null, seen: Map<string, string>): Promise<CallOutcome> {
    const content = c.kind === 'audio' ? c.origin : c.transcriptFile!;
    let call: CallRecord | undefined;
    try {
      const info = await stat(content);
      if (info.size === 0) throw new CallScopeError('FILE_EMPTY', 'the file is empty (0 bytes)');
      const id = await hashFile(content);
      if (seen.has(id)) return { origin: c.origin, id, status: 'unchanged' };
      seen.set(id, c.origin);
      // A path that failed before (missing, empty) and now holds a real call is no longer a failure.
      await this.opts.store.delete(pathKey(c.origin));
      await this.records.removeCall(pathKey(c.origin));

      const existing = await this.records.getCall(id);
      call = existing ?? {
        id,
        ingestedAt: new Date().toISOString(),
        origin: c.origin,
        source: { file: path.basename(c.origin), sha256: id, kind: c.kind },
        audioFile: c.kind === 'audio' ? await this.records.storeAudio(id, c.origin) : null,
        transcriptFile: null,
        meta: meta ?? { custom: {} },
      };
      if (c.transcriptFile) {
        call.transcriptFile = await this.records.storeTranscript(c.transcriptFile);
        call.source.transcriptFile = path.basename(c.transcriptFile);
      }
      if (existing && meta) call.meta = meta;
      await this.records.putCall(call);
      if (this.opts.dispatch) return await this.opts.dispatch(call, existing === null);
      return await this.runStages(call, existing === null);
    } catch (err) {
      const f = failureOf(err);
      const failed = call ?? (await this.pathKeyedRecord(c.origin, c.kind, meta));
      await this.fail(failed, 'ingest', f);
      return { origin: c.origin, id: failed.id, status: 'failed', error: { code: f.code, message: f.message } };
    }
  }

  /**
   * Runs every stage whose input or version changed, then indexes the document if it changed.
   * `onStage` hears of each stage about to run (not of cached ones): a worker reports it as job progress.
   */
  async runStages(call: CallRecord, isNew: boolean, onStage?: (stage: string) => Promise<void>): Promise<CallOutcome> {
    const done = await this.stagesOf(call, onStage);
    if (!done.ok) return { origin: call.origin, id: call.id, status: 'failed', error: done.error };
    const t0 = Date.now();
    const indexed = (await this.opts.store.docHash(call.id)) === done.docHash;
    if (!indexed) await this.opts.store.put(done.doc, done.docHash);
    await this.records.clearFailure(call.id);
    this.opts.log.info({ callId: call.id, file: call.origin, stage: 'index', status: indexed ? 'cached' : 'ok', ms: Date.now() - t0 }, 'stage');
    const status = isNew ? 'new' : done.changed || !indexed ? 'updated' : 'unchanged';
    return { origin: call.origin, id: call.id, status };
  }

  /** The fingerprint of the call's indexed document (null when not indexed). */
  indexedHash(id: string): Promise<string | null> {
    return this.opts.store.docHash(id);
  }

  /** Puts new grades beside indexed documents in one batch and clears their failures; returns the ids it could not apply. */
  async indexGrades(grades: Grade[]): Promise<string[]> {
    if (grades.length === 0) return [];
    const notApplied = new Set(await this.opts.store.putGrades(grades));
    await Promise.all(grades.filter((g) => !notApplied.has(g.id)).map((g) => this.records.clearFailure(g.id)));
    return [...notApplied];
  }

  /** Indexes documents in one batch and clears their failures. */
  async index(docs: Array<{ doc: CallDoc; docHash: string }>): Promise<void> {
    await this.opts.store.putMany(docs);
    await Promise.all(docs.map(({ doc }) => this.records.clearFailure(doc.id)));
  }

  /**
   * The call's stage outputs — cached ones reused, the others computed and stored — and the index
   * document built from them (not yet indexed: re-scoring indexes in batches).
   */
  async stagesOf(
    call: CallRecord,
    onStage?: (stage: string) => Promise<void>,
  ): Promise<{ ok: true; doc: CallDoc; docHash: string; changed: boolean } | { ok: false; error: { code: string; message: string } }> {
    const out: Outputs = {};
    const warnings: Partial<Record<StageName, string[]>> = {};
    const versions: Record<string, string> = {};
    const keys: Partial<Record<StageName, string>> = {};
    let changed = false;
    for (const step of this.steps) {
      const { name, version } = step.stage;
      const stage = name as StageName;
      versions[name] = version;
      const inputHash = stepKey(step, call, keys);
      const t0 = Date.now();
      const cached = await this.records.getStage(call.id, name, version);
      if (cached && cached.inputHash === inputHash) {
        (out as Record<string, unknown>)[name] = cached.output;
        warnings[stage] = cached.warnings;
        keys[stage] = outputKey(name, version, inputHash);
        this.opts.log.info({ callId: call.id, file: call.origin, stage: name, version, status: 'cached', ms: Date.now() - t0 }, 'stage');
        continue;
      }
      changed = true;
      await onStage?.(name);
      const input = step.input(call, out);
      const ran = await this.runStep(call, step, input, inputHash, t0);
      if (!ran.ok) return ran;
      if (stage === GRADE_STAGE) {
        const kept: GradeInput = { input: keptInput(input as ScoreInput), warnings: this.warningsBeforeGrade(warnings) };
        await this.records.putStage(call.id, { stage: GRADE_INPUT.stage, version: GRADE_INPUT.version, inputHash, at: ran.record.at, durationMs: 0, warnings: [], output: kept });
      }
      (out as Record<string, unknown>)[name] = ran.record.output;
      warnings[stage] = ran.record.warnings;
      keys[stage] = outputKey(name, version, inputHash);
    }
    const before = this.warningsBeforeGrade(warnings);
    const doc = buildCallDoc(call, out as Required<Outputs>, [...before, ...(warnings[GRADE_STAGE] ?? [])], versions);
    return { ok: true, doc, docHash: docKey(call, keys, { before, grade: warnings[GRADE_STAGE] ?? [] }).docHash, changed };
  }

  /** Runs one step on its input and stores its output — or records the call's failure — with the stage's log line. */
  private async runStep(
    call: CallRecord,
    step: Step,
    input: unknown,
    inputHash: string,
    t0: number,
  ): Promise<{ ok: true; record: StageRecord; outputJson: string } | { ok: false; error: { code: string; message: string } }> {
    const { name, version } = step.stage;
    const ctx = { config: this.opts.config, log: this.opts.log.child({ callId: call.id, stage: name }), callId: call.id };
    const result = await step.stage.run(input, ctx).catch((err: unknown) => ({ ok: false as const, ...failureOf(err), reason: messageOf(err) }));
    const ms = Date.now() - t0;
    if (!result.ok) {
      this.opts.log.info({ callId: call.id, file: call.origin, stage: name, version, status: 'failed', code: result.code, ms }, 'stage');
      await this.fail(call, name, { code: result.code, message: result.reason, retryable: result.retryable });
      return { ok: false, error: { code: result.code, message: result.reason } };
    }
    const record: StageRecord = { stage: name, version, inputHash, at: new Date().toISOString(), durationMs: ms, warnings: result.warnings, output: result.output };
    // Serialised once: the grade's JSON goes to the record store and, on re-scoring, to the index.
    const outputJson = JSON.stringify(result.output);
    await this.records.putStage(call.id, record, outputJson);
    this.opts.log.info({ callId: call.id, file: call.origin, stage: name, version, status: 'ok', ms }, 'stage');
    return { ok: true, record, outputJson };
  }

  private warningsBeforeGrade(warnings: Partial<Record<StageName, string[]>>): string[] {
    return this.steps.flatMap((s) => (s.stage.name === GRADE_STAGE ? [] : (warnings[s.stage.name as StageName] ?? [])));
  }

  /**
   * Re-grades a call from its kept grade input alone (one small record): the stages before the grade
   * are not read, only their keys computed, which is what makes re-scoring fast. Null when the kept
   * input is missing or was made from other inputs — then `stagesOf` does the whole work.
   */
  async regrade(call: CallRecord): Promise<Regraded | { ok: false; error: { code: string; message: string } } | null> {
    const keys: Partial<Record<StageName, string>> = {};
    for (const step of this.steps) {
      const { name, version } = step.stage;
      const inputHash = stepKey(step, call, keys);
      if (name !== GRADE_STAGE) {
        keys[name as StageName] = outputKey(name, version, inputHash);
        continue;
      }
      const kept = await this.records.getStage(call.id, GRADE_INPUT.stage, GRADE_INPUT.version);
      if (!kept || kept.inputHash !== inputHash) return null;
      const { input, warnings: before } = kept.output as GradeInput;
      let grade = await this.records.getStage(call.id, name, version);
      let scoresJson: string | undefined;
      const changed = !grade || grade.inputHash !== inputHash;
      if (changed) {
        const ran = await this.runStep(call, step, input, inputHash, Date.now());
        if (!ran.ok) return ran;
        grade = ran.record;
        scoresJson = ran.outputJson;
      }
      keys[GRADE_STAGE] = outputKey(name, version, inputHash);
      const { docHash, baseHash } = docKey(call, keys, { before, grade: grade!.warnings });
      return { ok: true, changed, grade: { id: call.id, baseHash, docHash, scores: grade!.output as Score[], scoreVersion: version, ...(scoresJson === undefined ? {} : { scoresJson }) } };
    }
    return null;
  }
}
