import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { findKwsModel } from '../asr/kws/model.ts';
import { checkEntry, installEntry } from '../asr/model-download.ts';
import { selectAsrEngine, selectVadModel } from '../asr/models.ts';
import { loadManifest, type ModelEntry, selectEntries } from '../asr/models-manifest.ts';
import { loadConfig } from '../core/config.ts';
import { isCallScopeError, messageOf } from '../core/errors.ts';
import { progressReporter } from './progress.ts';

const MB = 1024 * 1024;

async function runDownload(opts: { engine?: string; size?: string }): Promise<number> {
  const config = loadConfig();
  const entries = selectEntries(loadManifest(), opts.engine, opts.size);
  let failed = 0;
  for (const entry of entries) {
    const progress = progressReporter();
    let lastStep = -1;
    try {
      const r = await installEntry(entry, config.modelsDir, {
        onProgress: ({ file, received, total }) => {
          // A terminal gets a live bar; a log gets a line per 10 %.
          const step = total ? Math.floor((received / total) * 10) : Math.floor(received / (50 * MB));
          if (!process.stderr.isTTY && step === lastStep) return;
          lastStep = step;
          // The bar prints done/total: in MB, with one decimal.
          const mb = (n: number) => Math.round((n / MB) * 10) / 10;
          progress.update({ done: mb(received), total: total ? Math.max(mb(total), 0.1) : mb(received) + 0.1, current: `${file} (MB)` });
        },
        onNote: (m) => progress.note(m),
      });
      progress.finish();
      console.log(`${entry.id}: ${r.status === 'installed' ? 'downloaded and verified' : 'already installed and verified'} → ${r.path}`);
    } catch (err) {
      progress.finish();
      failed++;
      console.error(`error: ${entry.id}: ${isCallScopeError(err) ? `${err.code}: ` : ''}${messageOf(err)}`);
    }
  }
  return failed > 0 ? 2 : 0;
}

type Row = { id: string; engine: string; size: string; default: boolean; path: string; status: 'verified' | 'missing' | 'partial' | 'bad'; detail: string };

async function entryRow(entry: ModelEntry, modelsDir: string): Promise<Row> {
  const rel = entry.archive ? entry.archive.dir : entry.download.path;
  const base = { id: entry.id, engine: entry.engine, size: entry.size, default: entry.default, path: rel };
  const check = await checkEntry(entry, modelsDir);
  if (check.ok) {
    const what = entry.archive ? entry.archive.files : [entry.download];
    const hashed = what.some((f) => f.sha256) ? 'size + sha256' : what.some((f) => f.bytes) ? 'size only (no published checksum)' : 'present (no published size or checksum)';
    return { ...base, status: 'verified', detail: hashed };
  }
  const part = path.join(modelsDir, `${entry.download.path}.part`);
  if (existsSync(part)) {
    const total = entry.download.bytes;
    return { ...base, status: 'partial', detail: `${statSync(part).size}${total ? ` of ${total}` : ''} B downloaded; \`models download\` resumes it` };
  }
  if (/missing$/.test(check.reason) && !existsSync(path.join(modelsDir, rel))) return { ...base, status: 'missing', detail: '' };
  return { ...base, status: 'bad', detail: check.reason };
}

/** Which engine each part of the pipeline will use with what is installed (the same lookups the stages make). */
function engineSummary(modelsDir: string, preference: 'auto' | 'whisper' | 'paraformer', vadPreference: 'auto' | 'sherpa' | 'whisper'): Record<string, string> {
  const choice = selectAsrEngine(modelsDir, preference);
  const vad = selectVadModel(modelsDir, vadPreference);
  const kws = findKwsModel(modelsDir);
  const rel = (p: string) => path.relative(modelsDir, p);
  const engine = choice.engine;
  return {
    vad: vad ? `Silero ${vad.endsWith('.onnx') ? '(ONNX, onnxruntime at 8 kHz)' : '(whisper.cpp ggml)'} ${rel(vad)}` : 'none: every call with audio fails with ASR_MODEL_MISSING',
    transcription: !vad
      ? 'none (no VAD model)'
      : engine
        ? `${engine.kind === 'whisper' ? `whisper.cpp ${rel(engine.model)}` : `sherpa-onnx Paraformer ${rel(engine.files.dir)}`} for calls without a vendor transcript (CALLSCOPE_ASR_ENGINE=${preference})`
        : `vendor transcripts only: calls without one fail with ASR_MODEL_MISSING (${choice.missing})`,
    kws: kws ? `callscope kws ready (${rel(kws.dir)})` : 'not installed: `callscope kws` needs it',
  };
}

async function runCheck(opts: { json?: boolean }): Promise<number> {
  const config = loadConfig();
  const manifest = loadManifest();
  const rows: Row[] = [];
  for (const entry of manifest) rows.push(await entryRow(entry, config.modelsDir));
  const engines = engineSummary(config.modelsDir, config.asr.engine, config.asr.vad);
  if (opts.json) {
    console.log(JSON.stringify({ modelsDir: config.modelsDir, models: rows, engines }));
  } else {
    console.log(`CALLSCOPE_MODELS = ${config.modelsDir}\n`);
    const w = (k: keyof Row) => Math.max(...rows.map((r) => String(r[k]).length));
    for (const r of rows) {
      console.log(`${r.engine.padEnd(w('engine'))}  ${(r.size + (r.default ? '*' : '')).padEnd(w('size') + 1)}  ${r.path.padEnd(w('path'))}  ${r.status}${r.detail ? ` (${r.detail})` : ''}`);
    }
    console.log('\n* = what `models download` fetches by default\n');
    for (const [k, v] of Object.entries(engines)) console.log(`${k.padEnd(14)} ${v}`);
  }
  return rows.some((r) => r.status === 'bad') ? 2 : 0;
}

export function modelsCommand(): Command {
  const models = new Command('models').description('download and check the ASR / VAD / keyword-spotting model files under CALLSCOPE_MODELS');
  models
    .command('download')
    .description('fetch official model files: verified (size + checksum), resumable, with progress')
    .addOption(new Option('--engine <engine>', 'only this engine').choices(['whisper', 'vad', 'paraformer', 'kws']))
    .option('--size <size>', 'which model of the engine (whisper: tiny, base, small, large-v3-turbo; default: small)')
    .addHelpText(
      'after',
      `
Without options: the default model of every engine (whisper small, Silero VAD ONNX, Paraformer zh small, the
KWS model). --engine whisper|paraformer also fetches the VAD model the engines run on (the ggml VAD for
CALLSCOPE_VAD=whisper: --engine vad --size silero-v6.2.0). Sources: whisper.cpp's Hugging Face repo
(ggerganov/whisper.cpp, pinned revision), ggml-org/whisper-vad, csukuangfj/vad, the k2-fsa/sherpa-onnx GitHub releases
(archives unpacked with tar, then each model file verified). Files download to <name>.part: an interrupted
run resumes where it stopped (HTTP Range); a file appears under its final name only once its size and
checksum match. A checksum mismatch removes the download. Exit code 2 when a model failed.
CALLSCOPE_MODELS_MANIFEST=<file.json> replaces the built-in list (same schema: asr/models-manifest.ts),
e.g. for a mirror inside the bank's network.`,
    )
    .action(async (opts: { engine?: string; size?: string }) => {
      process.exitCode = await runDownload(opts);
    });
  models
    .command('check')
    .description('what is installed and verified (size + sha256), and which engine will run')
    .option('--json', 'print { modelsDir, models: [{ id, engine, size, path, status, detail }], engines } as JSON')
    .addHelpText('after', '\nstatus: verified, missing, partial (a resumable .part file), bad (wrong size or checksum). Exit code 2 when a file is bad.')
    .action(async (opts: { json?: boolean }) => {
      process.exitCode = await runCheck(opts);
    });
  return models;
}
