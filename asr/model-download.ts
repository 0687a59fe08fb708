import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { mkdir, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { CallScopeError, messageOf } from '../core/errors.ts';
import type { ModelEntry } from './models-manifest.ts';

/**
 * Downloads one manifest entry into CALLSCOPE_MODELS: to `<file>.part` (resumed with an HTTP Range
 * request when a previous run was cut off), then size and checksum verified, then renamed into place.
 * A file under its final name is always complete and verified.
 */
export type DownloadProgress = { file: string; received: number; total: number | null };
export type DownloadEvents = { onProgress?(p: DownloadProgress): void; onNote?(message: string): void };
export type InstallResult = { id: string; status: 'installed' | 'already-installed'; path: string };

/** No byte for this long: the transfer is treated as cut off (the .part file is kept). */
const STALL_MS = Number(process.env.CALLSCOPE_DOWNLOAD_STALL_MS ?? 60_000);

export type FileCheck = { ok: true } | { ok: false; reason: string };

export async function hashFile(file: string): Promise<{ sha256: string; sha1: string }> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  for await (const chunk of createReadStream(file)) {
    sha256.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), sha1: sha1.digest('hex') };
}

/** Size, then SHA-256 (and SHA-1 when the manifest has one). Values the manifest lacks are not checked. */
export async function checkFile(file: string, want: { bytes: number | null; sha256: string | null; sha1?: string | undefined }): Promise<FileCheck> {
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) return { ok: false, reason: 'missing' };
  if (want.bytes !== null && st.size !== want.bytes) return { ok: false, reason: `size ${st.size} B, expected ${want.bytes} B` };
  if (want.sha256 === null && !want.sha1) return { ok: true };
  const got = await hashFile(file);
  if (want.sha256 !== null && got.sha256 !== want.sha256) return { ok: false, reason: `sha256 ${got.sha256}, expected ${want.sha256}` };
  if (want.sha1 && got.sha1 !== want.sha1) return { ok: false, reason: `sha1 ${got.sha1}, expected ${want.sha1}` };
  return { ok: true };
}

function networkFailure(url: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const host = new URL(url).host;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve ${host} (no network, or no DNS for it?)`;
  if (code === 'ECONNREFUSED') return `${host} refused the connection (server down?)`;
  if (code === 'ETIMEDOUT' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH') return `${host} cannot be reached (no network?)`;
  return `cannot reach ${host}: ${messageOf(err)}`;
}

/** A GET with redirects followed (Hugging Face and GitHub answer with 302 to their CDNs). */
async function get(url: string, headers: Record<string, string>, signal: AbortSignal, redirects = 10): Promise<{ res: IncomingMessage; url: string }> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { headers: { 'user-agent': 'callscope-models', ...headers }, signal }, resolve);
    req.on('error', reject);
  });
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400 && res.headers.location) {
    res.resume();
    if (redirects === 0) throw new Error('too many redirects');
    return get(new URL(res.headers.location, url).toString(), headers, signal, redirects - 1);
  }
  return { res, url };
}

/**
 * Fetches `url` into `part`, resuming from its current length. Returns when the server has sent
 * everything; throws MODEL_DOWNLOAD_FAILED (keeping the .part file) when the transfer fails.
 */
export async function fetchToPart(url: string, part: string, expectedBytes: number | null, label: string, events: DownloadEvents = {}): Promise<void> {
  await mkdir(path.dirname(part), { recursive: true });
  let start = (await stat(part).catch(() => null))?.size ?? 0;
  if (expectedBytes !== null && start > expectedBytes) {
    await truncate(part, 0);
    start = 0;
  }
  if (expectedBytes !== null && start === expectedBytes) return;
  const kept = () => `${label}: the partial download is kept as ${part}; run the command again to resume`;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${STALL_MS / 1000} s`)), STALL_MS);
  };
  arm();
  try {
    let res: IncomingMessage;
    try {
      ({ res } = await get(url, start > 0 ? { range: `bytes=${start}-` } : {}, controller.signal));
    } catch (err) {
      const why = controller.signal.aborted ? messageOf(controller.signal.reason) : networkFailure(url, err);
      throw new CallScopeError('MODEL_DOWNLOAD_FAILED', `${label}: ${why}${start > 0 ? `; ${kept()}` : ''}`);
    }
    const status = res.statusCode ?? 0;
    if (status === 416 && start > 0) {
      res.resume();
      return; // nothing left to send: the .part is whole (verification decides)
    }
    if (status !== 200 && status !== 206) {
      res.resume();
      throw new CallScopeError('MODEL_DOWNLOAD_FAILED', `${label}: HTTP ${status} ${res.statusMessage ?? ''} from ${url}`.replace(/ +from/, ' from'));
    }
    let append = false;
    let total: number | null = expectedBytes;
    if (status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers['content-range'] ?? '');
      if (!m || Number(m[1]) !== start) {
        res.resume();
        throw new CallScopeError('MODEL_DOWNLOAD_FAILED', `${label}: the server answered the resume request with a wrong range (${res.headers['content-range']}); ${kept()}`);
      }
      append = true;
      if (total === null && m[3] !== '*') total = Number(m[3]);
    } else {
      start = 0; // the server ignored the Range header: start over
      const len = Number(res.headers['content-length']);
      if (total === null && Number.isFinite(len) && len > 0) total = len;
    }
    let received = start;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        arm();
        received += chunk.length;
        if (expectedBytes !== null && received > expectedBytes) {
          done(new CallScopeError('MODEL_DOWNLOAD_FAILED', `${label}: the server sent more than the expected ${expectedBytes} B`));
          return;
        }
        events.onProgress?.({ file: label, received, total });
        done(null, chunk);
      },
    });
    events.onProgress?.({ file: label, received, total });
    try {
      // A connection that drops mid-body ends the response early ('aborted'): treat it as an error.
      res.on('aborted', () => res.destroy(new Error('connection closed by the server')));
      await pipeline(res, count, createWriteStream(part, { flags: append ? 'a' : 'w' }));
    } catch (err) {
      if (err instanceof CallScopeError) {
        await rm(part, { force: true });
        throw new CallScopeError(err.code, `${err.message}; the partial file was removed`);
      }
      const why = controller.signal.aborted ? messageOf(controller.signal.reason) : messageOf(err);
      throw new CallScopeError('MODEL_DOWNLOAD_FAILED', `${label}: the transfer was cut off after ${received} of ${total ?? '?'} B (${why}); ${kept()}`);
    }
    if (total !== null && received < total) {
      throw new CallScopeError('MODEL_DOWNLOAD_FAILED', `${label}: the transfer was cut off after ${received} of ${total} B; ${kept()}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Downloads and verifies one file; it appears under `dest` only once it is verified. */
async function downloadVerified(url: string, dest: string, want: ModelEntry['download'], events: DownloadEvents): Promise<void> {
  const part = `${dest}.part`;
  const label = path.basename(dest);
  await fetchToPart(url, part, want.bytes, label, events);
  const check = await checkFile(part, want);
  if (!check.ok) {
    const short = want.bytes !== null && /^size/.test(check.reason) && ((await stat(part)).size < want.bytes);
    if (short) throw new CallScopeError('MODEL_DOWNLOAD_FAILED', `${label}: incomplete (${check.reason}); the partial download is kept as ${part}; run the command again to resume`);
    await rm(part, { force: true });
    throw new CallScopeError('MODEL_CHECKSUM_MISMATCH', `${label}: the downloaded file does not match the manifest (${check.reason}); it was removed — run the command again, and if it fails again the source has changed`);
  }
  await rename(part, dest);
}

const execFileP = promisify(execFile);

/** Unpacks a verified archive next to its destination, verifies the members, then moves the folder into place. */
async function unpackVerified(archive: string, entry: ModelEntry & { archive: NonNullable<ModelEntry['archive']> }, modelsDir: string, events: DownloadEvents): Promise<string> {
  const dest = path.join(modelsDir, entry.archive.dir);
  const tmp = `${dest}.unpack-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    try {
      await execFileP('tar', ['-xjf', archive, '-C', tmp]);
    } catch (err) {
      await rm(archive, { force: true });
      throw new CallScopeError('MODEL_CHECKSUM_MISMATCH', `${path.basename(archive)}: not a readable .tar.bz2 (${messageOf(err).split('\n')[0]}); it was removed — run the command again`);
    }
    const top = await readdir(tmp);
    const root = top.length === 1 && (await stat(path.join(tmp, top[0]!))).isDirectory() ? path.join(tmp, top[0]!) : tmp;
    for (const f of entry.archive.files) {
      const check = await checkFile(path.join(root, f.path), f);
      if (!check.ok) {
        await rm(archive, { force: true });
        throw new CallScopeError('MODEL_CHECKSUM_MISMATCH', `${path.basename(archive)}: ${f.path} in the archive does not match the manifest (${check.reason}); the archive was removed`);
      }
    }
    if (existsSync(dest)) {
      const aside = `${dest}.broken-${Date.now()}`;
      await rename(dest, aside);
      events.onNote?.(`${entry.archive.dir} did not verify; moved it to ${path.basename(aside)}`);
    }
    await rename(root, dest);
    await rm(archive, { force: true });
    return dest;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Whether an entry is installed and verified (archive members, or the single file). */
export async function checkEntry(entry: ModelEntry, modelsDir: string): Promise<FileCheck> {
  if (entry.archive) {
    for (const f of entry.archive.files) {
      const c = await checkFile(path.join(modelsDir, entry.archive.dir, f.path), f);
      if (!c.ok) return { ok: false, reason: `${f.path}: ${c.reason}` };
    }
    return { ok: true };
  }
  return checkFile(path.join(modelsDir, entry.download.path), entry.download);
}

export async function installEntry(entry: ModelEntry, modelsDir: string, events: DownloadEvents = {}): Promise<InstallResult> {
  const archive = entry.archive;
  const finalPath = path.join(modelsDir, archive ? archive.dir : entry.download.path);
  if ((await checkEntry(entry, modelsDir)).ok) return { id: entry.id, status: 'already-installed', path: finalPath };
  try {
    await mkdir(modelsDir, { recursive: true });
  } catch (err) {
    throw new CallScopeError('MODEL_DOWNLOAD_FAILED', `cannot write to ${modelsDir}: ${messageOf(err)}`);
  }
  const file = path.join(modelsDir, entry.download.path);
  await downloadVerified(entry.url, file, entry.download, events);
  if (archive) await unpackVerified(file, { ...entry, archive }, modelsDir, events);
  return { id: entry.id, status: 'installed', path: finalPath };
}
