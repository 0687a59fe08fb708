import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CallScopeError } from './errors.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function defaultModelsDir(): string {
  const shared = path.resolve(repoRoot, '..', 'shared', 'models');
  return existsSync(shared) ? shared : path.resolve(repoRoot, 'models');
}

const positiveInt = z.coerce.number().int().positive();

const envSchema = z.object({
  CALLSCOPE_DATA: z.string().min(1).default(path.resolve(repoRoot, '.callscope-data')),
  CALLSCOPE_MODELS: z.string().min(1).default(defaultModelsDir()),
  CALLSCOPE_SCORECARDS: z.string().min(1).default(path.resolve(repoRoot, 'scoring-models', 'scorecards')),
  /** Review queue rules and SLAs (docs/review.md); default: review-rules.yaml in CALLSCOPE_DATA. */
  CALLSCOPE_REVIEW_RULES: z.string().min(1).optional(),
  CALLSCOPE_CONCURRENCY: positiveInt.max(64).default(2),
  CALLSCOPE_ASR_THREADS: positiveInt.max(64).default(2),
  /** Which engine transcribes calls without a vendor transcript (docs/asr.md); auto: Paraformer when installed, else whisper.cpp. */
  CALLSCOPE_ASR_ENGINE: z.enum(['auto', 'whisper', 'paraformer']).default('auto'),
  /** Which Silero VAD finds speech (docs/asr.md): auto = the ONNX model through sherpa-onnx when installed, else the ggml one through whisper.cpp. */
  CALLSCOPE_VAD: z.enum(['auto', 'sherpa', 'whisper']).default('auto'),
  /** Extra hot-words (comma-separated) on top of the banking list, for sound-alike correction of engine text. */
  CALLSCOPE_ASR_HOTWORDS: z.string().default(''),
  /** The ASR host is stopped when one call takes longer than this multiple of its audio duration (plus 30 s to start). */
  CALLSCOPE_ASR_TIMEOUT_FACTOR: z.coerce.number().positive().max(100).default(2),
  /** Keyword spotting in the transcribe stage (docs/kws.md): auto = calls without transcript text, always = every call with audio, off. Needs the KWS model. */
  CALLSCOPE_KWS: z.enum(['auto', 'always', 'off']).default('auto'),
  /** Lexicons (nlp/lexicons/<id>.yaml) whose terms are spotted, comma-separated; per-term `kwsThreshold` applies. */
  CALLSCOPE_KWS_LEXICONS: z.string().default('sensitive-words'),
  /** Extra keywords, comma-separated, `#t` sets one's threshold: `投诉#0.3,12378#0.15`. */
  CALLSCOPE_KWS_KEYWORDS: z.string().default(''),
  /** Trigger threshold of keywords without their own. */
  CALLSCOPE_KWS_THRESHOLD: z.coerce.number().gt(0).lt(1).default(0.25),
  CALLSCOPE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8420),
  // Distributed pipeline (docs/scale-out.md): set REDIS_URL and run `callscope worker` processes.
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a redis:// or rediss:// URL' })
    .optional(),
  /** A worker's lock on a job; renewed every half of it while the job runs. A crashed worker's job is taken over after it expires. */
  CALLSCOPE_JOB_LOCK_MS: positiveInt.min(1000).default(60_000),
  CALLSCOPE_JOB_STALLED_CHECK_MS: positiveInt.min(500).default(30_000),
  CALLSCOPE_JOB_ATTEMPTS: positiveInt.max(20).default(4),
  CALLSCOPE_JOB_BACKOFF_MS: positiveInt.default(5_000),
  // Search index (docs/store.md): the embedded SQLite file by default, or Elasticsearch.
  CALLSCOPE_STORE: z.enum(['sqlite', 'elasticsearch']).default('sqlite'),
  ELASTICSEARCH_URL: z.url({ protocol: /^https?$/, error: 'ELASTICSEARCH_URL must be an http:// or https:// URL' }).optional(),
  ELASTICSEARCH_USERNAME: z.string().min(1).default('elastic'),
  ELASTIC_PASSWORD: z.string().min(1).optional(),
  /** The alias the store reads and writes; each index version behind it is `<alias>-v<n>`. */
  ELASTICSEARCH_INDEX: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,60}$/, 'ELASTICSEARCH_INDEX is lower-case letters, digits, _ and -')
    .default('callscope-calls'),
});

/** Every environment variable the configuration reads (docker-compose.yml is checked against it). */
export const configVariables: string[] = Object.keys(envSchema.shape);

export type Config = {
  dataDir: string;
  modelsDir: string;
  scorecardsDir: string;
  reviewRulesFile: string;
  concurrency: number;
  asrThreads: number;
  asr: { engine: 'auto' | 'whisper' | 'paraformer'; vad: 'auto' | 'sherpa' | 'whisper'; hotwords: string[]; timeoutFactor: number };
  kws: { mode: 'auto' | 'always' | 'off'; lexicons: string[]; keywords: string; threshold: number };
  logLevel: z.infer<typeof envSchema>['CALLSCOPE_LOG_LEVEL'];
  host: string;
  port: number;
  /** Null: the in-process runner. Set: ingest enqueues to BullMQ and `callscope worker` processes. */
  redisUrl: string | null;
  jobs: { lockMs: number; stalledCheckMs: number; attempts: number; backoffMs: number };
  /** Which CallStore engine holds the search index. */
  store:
    | { engine: 'sqlite' }
    | { engine: 'elasticsearch'; url: string; username: string; password: string | null; index: string };
};

/** Reads and validates configuration from the environment; refuses to start on bad values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new CallScopeError('CONFIG_INVALID', `invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  if (e.CALLSCOPE_STORE === 'elasticsearch' && !e.ELASTICSEARCH_URL) {
    throw new CallScopeError('CONFIG_INVALID', 'invalid configuration: CALLSCOPE_STORE=elasticsearch needs ELASTICSEARCH_URL');
  }
  return {
    dataDir: path.resolve(e.CALLSCOPE_DATA),
    modelsDir: path.resolve(e.CALLSCOPE_MODELS),
    scorecardsDir: path.resolve(e.CALLSCOPE_SCORECARDS),
    reviewRulesFile: path.resolve(e.CALLSCOPE_REVIEW_RULES ?? path.join(e.CALLSCOPE_DATA, 'review-rules.yaml')),
    concurrency: e.CALLSCOPE_CONCURRENCY,
    asrThreads: e.CALLSCOPE_ASR_THREADS,
    asr: {
      engine: e.CALLSCOPE_ASR_ENGINE,
      vad: e.CALLSCOPE_VAD,
      hotwords: e.CALLSCOPE_ASR_HOTWORDS.split(/[,，]/).map((w) => w.trim()).filter(Boolean),
      timeoutFactor: e.CALLSCOPE_ASR_TIMEOUT_FACTOR,
    },
    kws: {
      mode: e.CALLSCOPE_KWS,
      lexicons: e.CALLSCOPE_KWS_LEXICONS.split(/[,，]/).map((w) => w.trim()).filter(Boolean),
      keywords: e.CALLSCOPE_KWS_KEYWORDS,
      threshold: e.CALLSCOPE_KWS_THRESHOLD,
    },
    logLevel: e.CALLSCOPE_LOG_LEVEL,
    host: e.HOST,
    port: e.PORT,
    redisUrl: e.REDIS_URL ?? null,
    jobs: {
      lockMs: e.CALLSCOPE_JOB_LOCK_MS,
      stalledCheckMs: e.CALLSCOPE_JOB_STALLED_CHECK_MS,
      attempts: e.CALLSCOPE_JOB_ATTEMPTS,
      backoffMs: e.CALLSCOPE_JOB_BACKOFF_MS,
    },
    store:
      e.CALLSCOPE_STORE === 'elasticsearch'
        ? { engine: 'elasticsearch', url: e.ELASTICSEARCH_URL!, username: e.ELASTICSEARCH_USERNAME, password: e.ELASTIC_PASSWORD ?? null, index: e.ELASTICSEARCH_INDEX }
        : { engine: 'sqlite' },
  };
}
