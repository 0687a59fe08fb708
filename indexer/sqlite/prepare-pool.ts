import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { tsWorker } from '../../core/in-thread.ts';
import { CallScopeError } from '../../core/errors.ts';
import type { SegmentTriples } from './call-row.ts';
import type { PreparedWrite } from './prepared-write.ts';

/**
 * Where prepare threads find the index tokenizer: a module (URL or absolute path) and the name of
 * its export `(text: string) => string[]` — the same function as the store's `tokenizer.index`.
 */
export type TokenizerModule = { module: string; export: string };

/**
 * A chunk of documents: their serializeDoc bytes end to end in one transferred buffer (document i
 * is bytes[ends[i-1], ends[i]), ends[-1] = 0), the segment triples of each, and the dictionary to pack with.
 */
export type Job = { id: number; bytes: ArrayBuffer; ends: number[]; segments: SegmentTriples[]; indexed: Array<string | null>; dictionary: Buffer | null };
type Reply = { id: number; prepared?: Array<Omit<PreparedWrite, 'packed'> & { packed: Uint8Array }>; error?: string };
type Thread = { worker: Worker; port: MessagePort; signal: Int32Array; failed: Error | null };

/**
 * A thread that has not answered for this long is taken as dead: its 'error' and 'exit' events
 * cannot be delivered while the writer is blocked waiting for it.
 */
const REPLY_TIMEOUT_MS = 60_000;

/**
 * Threads that the database-free work of a bulk write — text hash, LZ4, jieba — runs on, while
 * the writing thread inserts. The store's write transaction is synchronous (better-sqlite3), so the
 * writer takes each chunk's result synchronously: it blocks on a shared counter the thread bumps
 * after each reply (Atomics.wait) and reads the reply with receiveMessageOnPort. Chunks go to the
 * threads in turn and are taken back in the same order.
 */
export class PreparePool {
  private readonly threads: Thread[];
  private jobs = 0;
  /** A thread died or stopped answering: the store starts a new pool for the next bulk write. */
  broken = false;

  constructor(count: number, tokenizer: TokenizerModule) {
    this.threads = Array.from({ length: count }, () => {
      const { port1, port2 } = new MessageChannel();
      const signal = new Int32Array(new SharedArrayBuffer(4));
      const worker = tsWorker(new URL('./prepare-thread.ts', import.meta.url), { port: port2, signal, tokenizer }, [port2]);
      worker.unref();
      port1.unref();
      const thread: Thread = { worker, port: port1, signal, failed: null };
      // Without a listener a thread's uncaught error would end this process.
      worker.on('error', (err) => (thread.failed = err));
      worker.on('exit', (code) => (thread.failed ??= new Error(`the thread exited (code ${code})`)));
      return thread;
    });
  }

  /**
   * Sends the documents — their serializeDoc bytes (`serialized(i)`, called once each, in order), the segment triples and the text hash the index
   * holds for each — in chunks, and returns a function giving the i-th document's preparation; call
   * it with i ascending. The bytes are moved, not copied (one buffer a chunk); the threads never
   * rebuild the document (structured clone of the objects cost the thread ~54 µs a call to read).
   */
  submit(serialized: (i: number) => Uint8Array, segments: SegmentTriples[], indexed: Array<string | null>, dictionary: Buffer | null, chunkSize: number): (i: number) => PreparedWrite {
    const pending: Array<{ id: number; thread: Thread }> = [];
    for (let from = 0; from < segments.length; from += chunkSize) {
      const thread = this.threads[pending.length % this.threads.length]!;
      // Serialised a chunk at a time: each document's own buffer is garbage once copied into the chunk's.
      const docs: Uint8Array[] = [];
      for (let i = from; i < Math.min(from + chunkSize, segments.length); i++) docs.push(serialized(i));
      const ends: number[] = [];
      for (const d of docs) ends.push((ends[ends.length - 1] ?? 0) + d.byteLength);
      const bytes = new Uint8Array(ends[ends.length - 1] ?? 0);
      docs.forEach((d, i) => bytes.set(d, i === 0 ? 0 : ends[i - 1]!));
      const job: Job = { id: ++this.jobs, bytes: bytes.buffer, ends, segments: segments.slice(from, from + chunkSize), indexed: indexed.slice(from, from + chunkSize), dictionary };
      thread.port.postMessage(job, [bytes.buffer]);
      pending.push({ id: job.id, thread });
    }
    let chunk = -1;
    let current: PreparedWrite[] = [];
    return (i) => {
      const wanted = Math.floor(i / chunkSize);
      while (chunk < wanted) {
        chunk++;
        current = this.take(pending[chunk]!);
      }
      return current[i - chunk * chunkSize]!;
    };
  }

  /** Blocks until the thread's reply to the job arrives (replies to jobs given up earlier are dropped). */
  private take({ id, thread }: { id: number; thread: Thread }): PreparedWrite[] {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    for (;;) {
      const seen = Atomics.load(thread.signal, 0);
      const received = receiveMessageOnPort(thread.port) as { message: Reply } | undefined;
      if (received) {
        const reply = received.message;
        if (reply.id < id) continue;
        if (reply.error !== undefined) throw new CallScopeError('STORE_FAILED', `preparing documents for the index failed: ${reply.error}`);
        return reply.prepared!.map((p) => ({ ...p, packed: Buffer.from(p.packed.buffer, p.packed.byteOffset, p.packed.byteLength) }));
      }
      if (thread.failed || Date.now() > deadline) {
        this.broken = true;
        throw new CallScopeError('STORE_FAILED', `a prepare thread of the index stopped answering${thread.failed ? `: ${thread.failed.message}` : ''}`);
      }
      Atomics.wait(thread.signal, 0, seen, 1000);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    for (const t of this.threads) t.port.close();
  }
}
