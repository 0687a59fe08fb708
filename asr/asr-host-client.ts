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

type Pending = { resolve(a: unknown): void; reject(e: Error): void };

/** Talks to one ASR host child, started on first use and restarted after a crash. */
class AsrHostClient {
  private child: ChildProcess | null = null;
  private readonly pending = new Map<number, Pending>();
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
      this.idleCheck();
      if (reply.ok) p.resolve(reply.result);
      else {
        const err = new CallScopeError(reply.code, reply.message, { expected: reply.expected });
        p.reject(err);
      }
    });
    child.on('exit', (code, signal) => {
      this.child = null;
      const last = this.stderrTail.filter((l) => !/^whisper_/.test(l)).slice(-1)[0] ?? this.stderrTail.slice(-1)[0] ?? '';
      for (const p of this.pending.values()) {
        p.reject(new CallScopeError('ASR_FAILED', `the ASR process stopped (${signal ?? `exit ${code}`})${last ? `: ${last}` : ''}`, { retryable: true }));
      }
      this.pending.clear();
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

  analyze(req: AudioAnalysisRequest): Promise<AudioAnalysis> {
    return this.request<AudioAnalysis>('analyze', req);
  }

  /** Keyword spotting (sherpa-onnx KWS) on one recording. */
  spotKeywords(req: KwsRequest): Promise<KwsResult> {
    return this.request<KwsResult>('kws', req);
  }

  private request<T>(kind: 'analyze' | 'kws', req: AudioAnalysisRequest | KwsRequest): Promise<T> {
    this.child ??= this.start();
    const reqId = this.nextId++;
    const child = this.child;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(reqId, { resolve: (v) => resolve(v as T), reject });
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
