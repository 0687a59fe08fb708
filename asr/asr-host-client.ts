import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CallScopeError, type ErrorCode } from '../core/errors.ts';
import type { AudioAnalysis, AudioAnalysisRequest } from './audio-analysis.ts';
import type { KwsRequest, KwsResult } from './kws/spotter.ts';

const HOST = path.join(path.dirname(fileURLToPath(import.meta.url)), 'native-host.ts');

type Reply =
  | { reqId: number; ok: true; result: unknown }
  | { reqId: number; ok: false; code: ErrorCode; message: string; expected: boolean };

type Pending = { resolve(a: unknown): void; reject(e: Error): void; kind: Kind; req: unknown; timer?: NodeJS.Timeout };
type Kind = 'analyze' | 'kws';

/** Start-up allowance on top of the per-call budget: spawning the host and loading models. */
export const ASR_TIMEOUT_BASE_SEC = 30;

/** The time one call may take in the ASR host: a multiple of its audio duration, plus start-up. */
export function asrTimeoutMs(durationSec: number | null, factor: number): number {
  // Unknown duration (a container that does not say): allow an hour of audio.
  return Math.round((ASR_TIMEOUT_BASE_SEC + factor * (durationSec ?? 3600)) * 1000);
}

/** Talks to one ASR host child, started on first use and restarted after a crash. */
class AsrHostClient {
  private child: ChildProcess | null = null;
  private readonly pending = new Map<number, Pending & { child: ChildProcess; timeoutMs: number | undefined }>();
  private readonly timedOut = new Set<ChildProcess>();
  private nextId = 1;
  private stderrTail: string[] = [];

  private start(): ChildProcess {
    const child = fork(HOST, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail.push(...chunk.toString().split('\n').filter(Boolean));
      this.stderrTail = this.stderrTail.slice(-20);
    });
    child.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.reqId);
      if (!p) return;
      this.pending.delete(reply.reqId);
      clearTimeout(p.timer);
      this.idleCheck();
      if (reply.ok) p.resolve(reply.result);
      else {
        const err = new CallScopeError(reply.code, reply.message, { expected: reply.expected });
        p.reject(err);
      }
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.timedOut.has(child)) {
        // We stopped it for one call that overran: the other calls it was running start again on a new host.
        this.timedOut.delete(child);
        const others = [...this.pending.entries()].filter(([, p]) => p.child === child);
        for (const [id, p] of others) {
          this.pending.delete(id);
          clearTimeout(p.timer);
          this.request(p.kind, p.req, p.timeoutMs).then(p.resolve, p.reject);
        }
        return;
      }
      const last = this.stderrTail.filter((l) => !/^whisper_/.test(l)).slice(-1)[0] ?? this.stderrTail.slice(-1)[0] ?? '';
      for (const [id, p] of [...this.pending.entries()].filter(([, q]) => q.child === child)) {
        this.pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new CallScopeError('ASR_FAILED', `the ASR process stopped (${signal ?? `exit ${code}`})${last ? `: ${last}` : ''}`, { retryable: true }));
      }
    });
    return child;
  }

  /** Keeps the parent alive only while work is pending. */
  private idleCheck(): void {
    if (!this.child) return;
    const stderr = this.child.stderr as (NodeJS.ReadableStream & { ref?(): void; unref?(): void }) | null;
    if (this.pending.size === 0) {
      this.child.unref();
      this.child.channel?.unref();
      stderr?.unref?.();
    } else {
      this.child.ref();
      this.child.channel?.ref();
      stderr?.ref?.();
    }
  }

  /** Decode, VAD, engine. `timeoutMs`: stop the host if this call takes longer (see asrTimeoutMs). */
  analyze(req: AudioAnalysisRequest, opts: { timeoutMs?: number } = {}): Promise<AudioAnalysis> {
    return this.request('analyze', req, opts.timeoutMs) as Promise<AudioAnalysis>;
  }

  /** Keyword spotting (sherpa-onnx KWS) on one recording. */
  spotKeywords(req: KwsRequest, opts: { timeoutMs?: number } = {}): Promise<KwsResult> {
    return this.request('kws', req, opts.timeoutMs) as Promise<KwsResult>;
  }

  private request(kind: Kind, req: unknown, timeoutMs: number | undefined): Promise<unknown> {
    this.child ??= this.start();
    const reqId = this.nextId++;
    const child = this.child;
    return new Promise<unknown>((resolve, reject) => {
      const entry: Pending & { child: ChildProcess; timeoutMs: number | undefined } = { resolve, reject, kind, req, child, timeoutMs };
      if (timeoutMs !== undefined) {
        entry.timer = setTimeout(() => {
          if (!this.pending.has(reqId)) return;
          this.pending.delete(reqId);
          reject(new CallScopeError('ASR_TIMEOUT', `the ASR stage took longer than ${(timeoutMs / 1000).toFixed(0)} s for this recording and was stopped (CALLSCOPE_ASR_TIMEOUT_FACTOR)`, { retryable: false }));
          // Native code cannot be interrupted: stop the whole host; other calls restart on a new one.
          this.timedOut.add(child);
          if (this.child === child) this.child = null;
          child.kill('SIGKILL');
        }, timeoutMs);
      }
      this.pending.set(reqId, entry);
      this.idleCheck();
      child.send({ reqId, kind, req });
    });
  }

  stop(): void {
    this.child?.kill();
    this.child = null;
  }
}

let client: AsrHostClient | undefined;
export function asrHost(): AsrHostClient {
  client ??= new AsrHostClient();
  return client;
}
