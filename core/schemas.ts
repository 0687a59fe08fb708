import { z } from 'zod';

/** Who speaks in a segment. Stereo calls get roles from their channel; mono calls from diarisation. */
export const Role = z.enum(['agent', 'customer', 'unknown']);
export type Role = z.infer<typeof Role>;

/** A match of a lexicon term or a rule inside one segment's text (character offsets). */
export const Hit = z.object({
  lexicon: z.string(),
  category: z.string().optional(),
  term: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  /** Matched through a sound-alike character (公号 for 工号): see nlp/homophones.ts. */
  soundAlike: z.boolean().optional(),
});
export type Hit = z.infer<typeof Hit>;

export const Segment = z.object({
  id: z.string(),
  role: Role,
  speaker: z.string().optional(),
  channel: z.number().int().nonnegative().optional(),
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
  text: z.string(),
  textMasked: z.string(),
  tokens: z.array(z.string()),
  /** `by: rule` marks a short reply (对。没有了。) set to neutral without asking the model. */
  emotion: z.object({ label: z.string(), score: z.number(), by: z.enum(['model', 'rule']).optional() }).optional(),
  hits: z.array(Hit),
  /** PII found in `text`, as spans of `textMasked` (the 【…】 tags that replaced it). */
  pii: z.array(z.object({ type: z.string(), start: z.number().int(), end: z.number().int() })).optional(),
});
export type Segment = z.infer<typeof Segment>;

/** Speech found by voice-activity detection on one channel (seconds from file start). */
export const SpeechRegion = z.object({
  channel: z.number().int().nonnegative(),
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
});
export type SpeechRegion = z.infer<typeof SpeechRegion>;

/** A keyword heard in the audio by keyword spotting (asr/kws/, docs/kws.md), without any transcript. */
export const KeywordHit = z.object({
  /** The lexicon term (投诉), and the form heard (我要投诉). */
  term: z.string(),
  form: z.string(),
  lexicon: z.string().optional(),
  channel: z.number().int().nonnegative(),
  /** Stereo: from the channel; mono: from the diarised turn it falls in. */
  role: Role,
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
  /** 0–1: agreement of an unconstrained phonetic decoding of the span with the keyword. */
  score: z.number().min(0).max(1),
  /** The trigger threshold the hit passed (per keyword from config). */
  threshold: z.number(),
});
export type KeywordHit = z.infer<typeof KeywordHit>;

export const Acoustics = z.object({
  /** Where the numbers come from: VAD on the audio, or the transcript's timings for text-only calls. */
  basis: z.enum(['vad', 'transcript']),
  silenceSec: z.number(),
  longestSilenceSec: z.number(),
  silenceRatio: z.number(),
  talkRatio: z.number(),
  speechRateCpm: z.object({ agent: z.number().nullable(), customer: z.number().nullable() }),
  overlapSec: z.number(),
  interruptions: z.object({ agent: z.number().int(), customer: z.number().int() }),
  /** Keywords spotted in the audio (the transcribe stage, CALLSCOPE_KWS); absent when spotting did not run. */
  keywordHits: z.array(KeywordHit).optional(),
});
export type Acoustics = z.infer<typeof Acoustics>;

export const CallMeta = z.object({
  callId: z.string().optional(),
  agentId: z.string().optional(),
  agentName: z.string().optional(),
  team: z.string().optional(),
  branch: z.string().optional(),
  region: z.string().optional(),
  product: z.string().optional(),
  channel: z.string().optional(),
  direction: z.string().optional(),
  recordedAt: z.string().optional(),
  customerId: z.string().optional(),
  customerSegment: z.string().optional(),
  complaintEscalated: z.boolean().optional(),
  language: z.string().optional(),
  custom: z.record(z.string(), z.unknown()).default({}),
});
export type CallMeta = z.infer<typeof CallMeta>;

export const Source = z.object({
  file: z.string(),
  sha256: z.string(),
  kind: z.enum(['audio', 'transcript']),
  transcriptFile: z.string().optional(),
  channels: z.number().int().nonnegative().optional(),
  sampleRate: z.number().int().nonnegative().optional(),
  format: z.string().optional(),
});
export type Source = z.infer<typeof Source>;

export const Evidence = z.object({
  /** match: the words that decided; context: what was said where a required phrase is missing. */
  kind: z.enum(['match', 'context']).default('match'),
  segmentId: z.string(),
  start: z.number(),
  end: z.number(),
  quote: z.string(),
  values: z.record(z.string(), z.unknown()).optional(),
});
export type Evidence = z.infer<typeof Evidence>;

export const CheckpointResult = z.object({
  checkpointId: z.string(),
  name: z.string(),
  applicable: z.boolean(),
  passed: z.boolean().nullable(),
  points: z.number(),
  maxPoints: z.number(),
  veto: z.boolean(),
  reason: z.string(),
  evidence: z.array(Evidence),
});
export type CheckpointResult = z.infer<typeof CheckpointResult>;

export const Score = z.object({
  scorecardId: z.string(),
  version: z.string(),
  total: z.number(),
  maxTotal: z.number(),
  passed: z.boolean(),
  vetoed: z.boolean(),
  items: z.array(CheckpointResult),
});
export type Score = z.infer<typeof Score>;

/** A complaint-taxonomy tag of a call, with the segments that gave it. */
export const CallTag = z.object({
  id: z.string(),
  path: z.string(),
  complaint: z.boolean(),
  confidence: z.number(),
  via: z.enum(['keywords', 'exemplar']),
  segmentIds: z.array(z.string()),
});
export type CallTag = z.infer<typeof CallTag>;

export const RoleEmotionSummary = z.object({
  start: z.string(),
  end: z.string(),
  worst: z.object({ label: z.string(), score: z.number(), segmentStart: z.number(), text: z.string() }),
});

export const CallError = z.object({ stage: z.string(), code: z.string(), message: z.string() });
export type CallError = z.infer<typeof CallError>;

export const CallStatus = z.enum(['ok', 'failed']);

/** The document that lands in the index and in `callscope export` (one per line). */
export const CallDoc = z.object({
  id: z.string(),
  status: CallStatus,
  ingestedAt: z.string(),
  recordedAt: z.string().nullable(),
  durationSec: z.number().nullable(),
  language: z.string(),
  source: Source,
  meta: CallMeta,
  transcriptSource: z.string().nullable(),
  segments: z.array(Segment),
  speech: z.array(SpeechRegion),
  acoustics: Acoustics.nullable(),
  nlp: z
    .object({
      tags: z.array(CallTag),
      forbiddenHits: z.number().int(),
      sensitiveHits: z.number().int(),
      piiFound: z.array(z.string()),
      /** Emotion of each side: first third, last third, and the worst utterance. */
      customerEmotion: RoleEmotionSummary.nullable().optional(),
      agentEmotion: RoleEmotionSummary.nullable().optional(),
      /** The call as one L2-normalised vector (for similar calls and clustering), and the model that made it. */
      embedding: z.object({ model: z.string(), vector: z.array(z.number()) }).optional(),
      /**
       * One L2-normalised vector per embedded segment ("utterances like this one"), same model as
       * `embedding`. The store keeps them in its vector index, not in the stored document.
       */
      segmentEmbeddings: z
        .object({ model: z.string(), vectors: z.array(z.object({ segmentId: z.string(), vector: z.array(z.number()) })) })
        .optional(),
      /** The call's category from the complaint taxonomy (its most confident tag). */
      category: z
        .object({ id: z.string(), path: z.string(), complaint: z.boolean(), confidence: z.number() })
        .nullable()
        .optional(),
    })
    .nullable(),
  scores: z.array(Score),
  /** The QA workflow's view: machine flags now; queue status and decisions come with the review workflow. */
  review: z
    .object({
      status: z.enum(['none', 'queued', 'in_review', 'done', 'appealed']),
      flags: z.array(z.enum(['complaint_threat', 'regulator_escalation', 'negative_end_emotion', 'vulnerable_customer'])),
    })
    .optional(),
  error: CallError.optional(),
  warnings: z.array(z.string()),
  versions: z.record(z.string(), z.string()),
});
export type CallDoc = z.infer<typeof CallDoc>;

/** CallScope transcript format v1: what a bank's existing ASR vendor hands over. */
export const TranscriptV1 = z.object({
  format: z.literal('callscope-transcript/v1'),
  language: z.string().default('zh'),
  engine: z.string().default('unknown'),
  segments: z
    .array(
      z
        .object({
          start: z.number().nonnegative(),
          end: z.number().nonnegative(),
          text: z.string(),
          role: Role.default('unknown'),
          channel: z.number().int().min(0).max(1).optional(),
          speaker: z.string().min(1).optional(),
        })
        .refine((s) => s.end >= s.start, { message: 'segment end is before its start' }),
    )
    .min(1, 'a transcript needs at least one segment'),
});
export type TranscriptV1 = z.infer<typeof TranscriptV1>;
