import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkEntry, installEntry } from '../../asr/model-download.ts';
import { OFFICIAL_MANIFEST, type ModelEntry, selectEntries } from '../../asr/models-manifest.ts';
import { isCallScopeError } from '../../core/errors.ts';
import { MODELS_DIR, tempDir } from '../helpers.ts';
import { runCli } from '../run-cli.ts';

/**
 * `callscope models download / check` against a real HTTP server on 127.0.0.1 (never the internet):
 * the manifest is replaced with CALLSCOPE_MODELS_MANIFEST pointing at it.
 */
const tmp = tempDir('callscope-models-');
const payload = randomBytes(300 * 1024);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const CUT_AT = 100 * 1024;
/** The real Silero ONNX VAD the stage runs (../shared/models/asr/vad). */
const SILERO_ONNX = path.join(MODELS_DIR, 'asr', 'vad', 'silero_vad.onnx');
let archive: Buffer;
let server: Server;
let base: string;
/** Every request the server saw: path and Range header. */
let requests: Array<{ path: string; range: string | undefined }> = [];
let cutNext = false;

function serveBytes(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, body: Buffer): void {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const from = m ? Number(m[1]) : 0;
  if (m && from >= body.length) {
    res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    return;
  }
  const headers = { 'content-length': String(body.length - from), 'accept-ranges': 'bytes' };
  if (m) res.writeHead(206, { ...headers, 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` });
  else res.writeHead(200, headers);
  if (cutNext) {
    // The connection drops mid-transfer: headers promised the whole file, a third arrives.
    cutNext = false;
    res.write(body.subarray(from, from + CUT_AT), () => setTimeout(() => res.socket?.destroy(), 50));
    return;
  }
  res.end(body.subarray(from));
}

beforeAll(async () => {
  const src = path.join(tmp.dir, 'src', 'demo-model');
  mkdirSync(src, { recursive: true });
  writeFileSync(path.join(src, 'model.onnx'), payload);
  writeFileSync(path.join(src, 'tokens.txt'), 'a 0\nb 1\n');
  execFileSync('tar', ['-cjf', path.join(tmp.dir, 'demo-model.tar.bz2'), '-C', path.join(tmp.dir, 'src'), 'demo-model']);
  archive = readFileSync(path.join(tmp.dir, 'demo-model.tar.bz2'));
  server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', range: req.headers.range });
    if (req.url === '/ggml-demo.bin') serveBytes(req, res, payload);
    else if (req.url === '/demo-model.tar.bz2') serveBytes(req, res, archive);
    else if (req.url === '/silero_vad.onnx') serveBytes(req, res, readFileSync(SILERO_ONNX));
    else if (req.url === '/resolve/ggml-demo.bin') res.writeHead(302, { location: '/ggml-demo.bin' }).end(); // as Hugging Face and GitHub do
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  tmp.cleanup();
});

let n = 0;
let modelsDir: string;
beforeEach(() => {
  requests = [];
  cutNext = false;
  modelsDir = path.join(tmp.dir, `models-${++n}`);
});

function fileEntry(over: Partial<ModelEntry['download']> = {}, url = `${base}/ggml-demo.bin`): ModelEntry {
  return {
    id: 'whisper-demo',
    engine: 'whisper',
    size: 'demo',
    default: true,
    description: 'test file',
    url,
    download: { path: 'asr/whisper/ggml-demo.bin', bytes: payload.length, sha256: sha256(payload), ...over },
  };
}

async function cli(args: string[], manifest: ModelEntry[]) {
  const file = path.join(tmp.dir, `manifest-${n}.json`);
  writeFileSync(file, JSON.stringify(manifest));
  return runCli(['models', ...args], { CALLSCOPE_MODELS: modelsDir, CALLSCOPE_MODELS_MANIFEST: file });
}

/** The downloader itself, in process (the CLI runs are slow to start: a few of them cover the command). */
async function install(entry: ModelEntry): Promise<{ code: string; message: string } | 'installed' | 'already-installed'> {
  try {
    return (await installEntry(entry, modelsDir)).status;
  } catch (err) {
    if (!isCallScopeError(err)) throw err;
    return { code: err.code, message: err.message };
  }
}

const finalFile = () => path.join(modelsDir, 'asr', 'whisper', 'ggml-demo.bin');

describe('callscope models download', () => {
  it('downloads, verifies and installs a file; a second run changes nothing', async () => {
    const r = await cli(['download'], [fileEntry()]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/whisper-demo: downloaded and verified/);
    expect(sha256(readFileSync(finalFile()))).toBe(sha256(payload));
    expect(existsSync(`${finalFile()}.part`)).toBe(false);
    const again = await cli(['download'], [fileEntry()]);
    expect(again.stdout).toMatch(/already installed and verified/);
    expect(requests).toHaveLength(1);
  });

  it('resumes an interrupted transfer with a Range request, never leaving a half file under the final name', async () => {
    cutNext = true;
    const first = await install(fileEntry());
    expect(first).toMatchObject({ code: 'MODEL_DOWNLOAD_FAILED' });
    expect((first as { message: string }).message).toMatch(/^ggml-demo\.bin: the transfer was cut off after \d+ of 307200 B .*kept as .*ggml-demo\.bin\.part; run the command again to resume/);
    expect(existsSync(finalFile())).toBe(false);
    const kept = statSync(`${finalFile()}.part`).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(payload.length);

    expect(await install(fileEntry())).toBe('installed');
    expect(requests.map((q) => q.range)).toEqual([undefined, `bytes=${kept}-`]);
    expect(sha256(readFileSync(finalFile()))).toBe(sha256(payload));
    expect(existsSync(`${finalFile()}.part`)).toBe(false);
  });

  it('follows redirects to the file', async () => {
    expect(await install(fileEntry({}, `${base}/resolve/ggml-demo.bin`))).toBe('installed');
    expect(requests.map((q) => q.path)).toEqual(['/resolve/ggml-demo.bin', '/ggml-demo.bin']);
    expect(sha256(readFileSync(finalFile()))).toBe(sha256(payload));
  });

  it('removes a download whose checksum does not match, and says so', async () => {
    const r = await install(fileEntry({ sha256: 'f'.repeat(64) }));
    expect(r).toMatchObject({ code: 'MODEL_CHECKSUM_MISMATCH' });
    expect((r as { message: string }).message).toMatch(/^ggml-demo\.bin: .*sha256 [0-9a-f]{64}, expected f{64}.*removed/);
    expect(existsSync(finalFile())).toBe(false);
    expect(existsSync(`${finalFile()}.part`)).toBe(false);
  });

  it('reports a 404 with the URL', async () => {
    const r = await install(fileEntry({}, `${base}/nope.bin`));
    expect(r).toEqual({ code: 'MODEL_DOWNLOAD_FAILED', message: `ggml-demo.bin: HTTP 404 Not Found from ${base}/nope.bin` });
    expect(existsSync(finalFile())).toBe(false);
  });

  it('reports a server that is down', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await install(fileEntry({}, `http://127.0.0.1:${port}/ggml-demo.bin`));
    expect(r).toMatchObject({ code: 'MODEL_DOWNLOAD_FAILED', message: `ggml-demo.bin: 127.0.0.1:${port} refused the connection (server down?)` });
    expect(existsSync(finalFile())).toBe(false);
  });

  it('unpacks an archive and verifies the files inside before they appear', async () => {
    const entry: ModelEntry = {
      id: 'kws-demo',
      engine: 'kws',
      size: 'demo',
      default: true,
      description: 'test archive',
      url: `${base}/demo-model.tar.bz2`,
      download: { path: 'asr/.downloads/demo-model.tar.bz2', bytes: null, sha256: null },
      archive: { format: 'tar.bz2', dir: 'asr/demo-model', files: [{ path: 'model.onnx', bytes: payload.length, sha256: sha256(payload) }, { path: 'tokens.txt', bytes: null, sha256: null }] },
    };
    const bad = await install({ ...entry, archive: { ...entry.archive!, files: [{ path: 'model.onnx', bytes: payload.length, sha256: '0'.repeat(64) }] } });
    expect(bad).toMatchObject({ code: 'MODEL_CHECKSUM_MISMATCH' });
    expect((bad as { message: string }).message).toMatch(/^demo-model\.tar\.bz2: model\.onnx in the archive does not match/);
    expect(existsSync(path.join(modelsDir, 'asr', 'demo-model'))).toBe(false);

    expect(await install(entry)).toBe('installed');
    expect((await checkEntry(entry, modelsDir)).ok).toBe(true);
    expect(sha256(readFileSync(path.join(modelsDir, 'asr', 'demo-model', 'model.onnx')))).toBe(sha256(payload));
    expect(existsSync(path.join(modelsDir, 'asr', '.downloads', 'demo-model.tar.bz2'))).toBe(false);
  });
});

describe('callscope models check', () => {
  it('tells missing, partial, verified and bad files apart, and which engine will run', async () => {
    const entry = fileEntry();
    expect(await checkEntry(entry, modelsDir)).toEqual({ ok: false, reason: 'missing' });
    cutNext = true;
    await install(entry);
    const partial = await cli(['check', '--json'], [entry]);
    expect((JSON.parse(partial.stdout) as { models: unknown[] }).models[0]).toMatchObject({ status: 'partial' });
    await install(entry);
    expect(await checkEntry(entry, modelsDir)).toEqual({ ok: true });
    const damaged = Buffer.from(payload);
    damaged[0] = damaged[0]! ^ 0xff;
    writeFileSync(finalFile(), damaged);
    const r = await cli(['check'], [entry]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/asr\/whisper\/ggml-demo\.bin\s+bad \(sha256 [0-9a-f]{64}, expected/);
    // findWhisperModel sees the ggml file, but without a VAD model nothing can transcribe.
    expect(r.stdout).toMatch(/transcription\s+none \(no VAD model\)/);
  });
});

describe('the official manifest', () => {
  it('pins every whisper file by size and sha256, and brings the VAD along with whisper', () => {
    for (const e of OFFICIAL_MANIFEST.filter((m) => m.engine === 'whisper' || m.engine === 'vad')) {
      expect(e.download.bytes).toBeGreaterThan(0);
      expect(e.download.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(new URL(e.url).host).toBe('huggingface.co');
    }
    expect(selectEntries(OFFICIAL_MANIFEST, 'whisper').map((e) => e.id)).toEqual(['whisper-small', 'vad-silero-v4-onnx']);
    expect(selectEntries(OFFICIAL_MANIFEST, 'whisper', 'tiny').map((e) => e.id)).toEqual(['whisper-tiny', 'vad-silero-v4-onnx']);
    expect(selectEntries(OFFICIAL_MANIFEST, 'paraformer').map((e) => e.id)).toEqual(['paraformer-zh-small', 'vad-silero-v4-onnx']);
    expect(selectEntries(OFFICIAL_MANIFEST, 'vad', 'silero-v6.2.0').map((e) => e.id)).toEqual(['vad-silero-v6.2.0']);
    expect(() => selectEntries(OFFICIAL_MANIFEST, 'whisper', 'huge')).toThrow(/no whisper of size "huge"/);
    for (const e of OFFICIAL_MANIFEST.filter((m) => m.archive)) {
      expect(new URL(e.url).pathname).toMatch(/^\/k2-fsa\/sherpa-onnx\/releases\/download\//);
      expect(e.archive!.files.some((f) => f.sha256)).toBe(true);
    }
  });
});

describe('the ONNX Silero VAD in the manifest', () => {
  const official = () => OFFICIAL_MANIFEST.find((m) => m.id === 'vad-silero-v4-onnx')!;

  it('pins the size and sha256 of the model file the stage runs, and is the default VAD', () => {
    const real = readFileSync(SILERO_ONNX);
    expect(official().download).toMatchObject({ path: 'asr/vad/silero_vad.onnx', bytes: real.length, sha256: sha256(real) });
    expect(selectEntries(OFFICIAL_MANIFEST, 'vad').map((e) => e.id)).toEqual(['vad-silero-v4-onnx']);
  });

  it('downloads the real file from a local server, verifies it, and `models check` says the ONNX VAD will run', async () => {
    const entry: ModelEntry = { ...official(), url: `${base}/silero_vad.onnx` };
    const r = await cli(['download', '--engine', 'vad'], [entry]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/vad-silero-v4-onnx: downloaded and verified/);
    expect(sha256(readFileSync(path.join(modelsDir, 'asr', 'vad', 'silero_vad.onnx')))).toBe(sha256(readFileSync(SILERO_ONNX)));
    const check = await cli(['check', '--json'], [entry]);
    const out = JSON.parse(check.stdout) as { models: Array<{ id: string; status: string }>; engines: { vad: string } };
    expect(out.models).toEqual([expect.objectContaining({ id: 'vad-silero-v4-onnx', status: 'verified' })]);
    expect(out.engines.vad).toBe('Silero (ONNX, onnxruntime at 8 kHz) asr/vad/silero_vad.onnx');
  });

  it('refuses a file that is not that model (checksum), leaving no VAD installed', async () => {
    const entry: ModelEntry = { ...official(), url: `${base}/ggml-demo.bin`, download: { ...official().download, bytes: payload.length } };
    expect(await install(entry)).toMatchObject({ code: 'MODEL_CHECKSUM_MISMATCH' });
    expect(existsSync(path.join(modelsDir, 'asr', 'vad', 'silero_vad.onnx'))).toBe(false);
  });
});
