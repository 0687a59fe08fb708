import { pathToFileURL } from 'node:url';
import { workerData, type MessagePort } from 'node:worker_threads';
import type { Job, TokenizerModule } from './prepare-pool.ts';
import { prepareWrite } from './prepared-write.ts';

const { port, signal, tokenizer } = workerData as { port: MessagePort; signal: Int32Array; tokenizer: TokenizerModule };
const url = tokenizer.module.startsWith('file:') ? tokenizer.module : pathToFileURL(tokenizer.module).href;
// A tokenizer that cannot be loaded fails each job with the reason (the writer waits for replies).
const index = await import(url).then(
  (m: Record<string, unknown>) => (typeof m[tokenizer.export] === 'function' ? (m[tokenizer.export] as (text: string) => string[]) : new Error(`${tokenizer.module} has no function export ${tokenizer.export}`)),
  (err: Error) => err,
);

port.on('message', (job: Job) => {
  let reply: object;
  try {
    if (index instanceof Error) throw index;
    // A cloned Buffer arrives as a plain Uint8Array.
    const dictionary = job.dictionary && Buffer.from(job.dictionary.buffer, job.dictionary.byteOffset, job.dictionary.byteLength);
    reply = {
      id: job.id,
      prepared: job.ends.map((end, i) => {
        const start = i === 0 ? 0 : job.ends[i - 1]!;
        return prepareWrite(new Uint8Array(job.bytes, start, end - start), job.segments[i]!, dictionary, job.indexed[i] ?? null, { index });
      }),
    };
  } catch (err) {
    reply = { id: job.id, error: (err as Error).message };
  }
  port.postMessage(reply);
  // Wakes the writer blocked in PreparePool.take (after the reply is queued, so it finds it).
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
