import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';
import type { CallStore } from '../indexer/call-store.ts';
import type { RecordStore } from '../pipeline/record-store.ts';
import type { ApiEnv, AuditLog } from './actor.ts';
import { scopedGet } from './auth/scoped-store.ts';
import { authorizeUnmask, RawParam } from './auth/unmask.ts';
import { maskedAudio, piiSpans } from './call-audio.ts';
import { assertCallId, parseRequest } from './validate.ts';

const AUDIO_TYPES: Record<string, string> = { '.mp3': 'audio/mpeg', '.wav': 'audio/wav', '.m4a': 'audio/mp4', '.ogg': 'audio/ogg', '.opus': 'audio/ogg', '.flac': 'audio/flac', '.amr': 'audio/amr' };

/** Bytes with Range support (`bytes=a-b`, `bytes=a-`, `bytes=-n`), so an <audio> player can seek. */
function sendBytes(c: Context, bytes: Buffer, type: string): Response {
  c.header('Content-Type', type);
  c.header('Accept-Ranges', 'bytes');
  c.header('Cache-Control', 'private, no-store');
  c.header('X-Content-Type-Options', 'nosniff');
  const m = /^bytes=(\d*)-(\d*)$/.exec(c.req.header('range') ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return c.body(new Uint8Array(bytes), 200);
  const size = bytes.length;
  let start = m[1] === '' ? size - Number(m[2]) : Number(m[1]);
  let end = m[1] === '' || m[2] === '' ? size - 1 : Number(m[2]);
  start = Math.max(0, start);
  end = Math.min(size - 1, end);
  if (start > end || start >= size) {
    c.header('Content-Range', `bytes */${size}`);
    return c.body(null, 416);
  }
  c.header('Content-Range', `bytes ${start}-${end}/${size}`);
  return c.body(new Uint8Array(bytes.subarray(start, end + 1)), 206);
}

/**
 *   GET /api/calls/:id/audio         the recording with every PII segment beeped (MP3)
 *   GET /api/calls/:id/audio?raw=1   the stored recording as ingested: unmask right only, audited
 * The file is the record store's own copy, found from the call id: no path ever comes from the request.
 */
export function audioRoutes(store: CallStore, records: RecordStore, audit: AuditLog): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const audioRoot = path.resolve(records.root) + path.sep;

  app.get('/calls/:id/audio', async (c) => {
    const id = c.req.param('id');
    assertCallId(id);
    const { raw } = parseRequest(z.object({ raw: RawParam }), c.req.query());
    const doc = await scopedGet(store, c.get('actor'), id);
    const record = await records.getCall(id);
    const file = record?.audioFile ? path.resolve(record.audioFile) : null;
    if (!file || !file.startsWith(audioRoot)) throw new CallScopeError('NOT_FOUND', 'this call has no stored recording (it came as a transcript only)');
    if (raw) {
      authorizeUnmask(c, audit, 'audio', id);
      const bytes = await readFile(file).catch(() => {
        throw new CallScopeError('NOT_FOUND', 'the stored recording of this call is missing');
      });
      return sendBytes(c, bytes, AUDIO_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    }
    const masked = await maskedAudio(file, piiSpans(doc)).catch(() => {
      throw new CallScopeError('STAGE_FAILED', 'the recording could not be decoded to mask it');
    });
    return sendBytes(c, masked, 'audio/mpeg');
  });

  return app;
}
