import { CallScopeError } from '../../core/errors.ts';
import type { Role } from '../../core/schemas.ts';
import { decodeAudio, PCM_RATE } from '../ffmpeg.ts';
import { loadSherpa, toFloat32 } from '../sherpa-binding.ts';
import { roleOfChannel } from '../transcript.ts';
import { DEFAULT_KWS_BOOST, DEFAULT_KWS_THRESHOLD, type KeywordSpec, keywordsBuffer, readTokenSet } from './keywords.ts';
import type { KwsModelFiles } from './model.ts';
import { phoneticMatchScore } from './score.ts';

/**
 * Keyword spotting with sherpa-onnx's zipformer KWS (a streaming transducer over pinyin tokens).
 * Native code: run it in the ASR host child process (`asrHost().spotKeywords`), never in a worker's
 * main process.
 */
export type KwsRequest = {
  file: string;
  model: KwsModelFiles;
  keywords: KeywordSpec[];
  /** Default trigger threshold for keywords without their own. */
  threshold?: number;
  boost?: number;
  threads?: number;
};

export type KwsHit = {
  term: string;
  form: string;
  lexicon?: string;
  channel: number;
  role: Role;
  start: number;
  end: number;
  /** 0–1: how well a second, unconstrained phonetic decoding of the span agrees with the keyword's tokens. */
  score: number;
  /** The trigger threshold the hit passed. */
  threshold: number;
  tokens: string[];
};

export type KwsResult = { durationSec: number; channels: number; hits: KwsHit[] };

type SherpaResult = { keyword: string; timestamps: number[]; tokens: string[] };
type SherpaStream = { acceptWaveform(w: { samples: Float32Array; sampleRate: number }): void; inputFinished(): void };
type SherpaSpotter = {
  createStream(): SherpaStream;
  reset(s: SherpaStream): void;
  isReady(s: SherpaStream): boolean;
  decode(s: SherpaStream): void;
  getResult(s: SherpaStream): SherpaResult;
};
type SherpaRecognizer = SherpaSpotter & { getResult(s: SherpaStream): { tokens: string[] } };
type SherpaModule = {
  KeywordSpotter: new (cfg: unknown) => SherpaSpotter;
  OnlineRecognizer: new (cfg: unknown) => SherpaRecognizer;
};

function sherpaKws(): SherpaModule {
  return loadSherpa() as unknown as SherpaModule;
}

/** Audio one decoder step consumes (the model's 16-frame chunk; 352 steps for 113.0 s fed, measured). */
const DECODE_STEP_SEC = 0.32;
/** The keyword's last token onset precedes its detection by this much (measured on BAC009: 2.24 s step, 1.96 s onset). */
const DETECTION_LATENCY_SEC = 0.28;
/** Silence appended at the end so the last word is decoded (the model looks ahead). */
const TAIL_SAMPLES = 0.5 * PCM_RATE;
/** A token's timestamp is its onset: the last syllable's final lasts about this long. */
const LAST_TOKEN_SEC = 0.25;
/** After a hit, a fresh stream looks this far past its end, starting this long before it. */
const FOLLOW_WINDOW_SEC = 2.5;
const FOLLOW_WARMUP_SEC = 1.0;
/** Context around a hit for the verifying phonetic decoding. */
const VERIFY_PAD_SEC = 0.3;


function modelConfig(model: KwsModelFiles, threads: number) {
  return {
    featConfig: { sampleRate: PCM_RATE, featureDim: 80 },
    modelConfig: {
      transducer: { encoder: model.encoder, decoder: model.decoder, joiner: model.joiner },
      tokens: model.tokens,
      numThreads: threads,
      provider: 'cpu',
      debug: 0,
    },
  };
}

export class KeywordSpotter {
  private readonly spotter: SherpaSpotter;
  private readonly recognizer: SherpaRecognizer;
  private readonly specs: KeywordSpec[];
  private readonly defaultThreshold: number;
  private readonly boost: number;
  private readonly tokens: Set<string>;
  private readonly base: ReturnType<typeof modelConfig>;
  private readonly followers = new Map<string, { spotter: SherpaSpotter; specs: KeywordSpec[] } | null>();

  constructor(model: KwsModelFiles, keywords: KeywordSpec[], opts: { threshold?: number; boost?: number; threads?: number } = {}) {
    if (keywords.length === 0) throw new CallScopeError('BAD_REQUEST', 'no keywords to spot');
    this.tokens = readTokenSet(model.tokens);
    this.specs = keywords;
    this.defaultThreshold = opts.threshold ?? DEFAULT_KWS_THRESHOLD;
    this.boost = opts.boost ?? DEFAULT_KWS_BOOST;
    this.base = modelConfig(model, opts.threads ?? 1);
    this.spotter = this.makeSpotter(keywords);
    this.recognizer = new (sherpaKws().OnlineRecognizer)({ ...this.base, decodingMethod: 'greedy_search' });
  }

  private makeSpotter(specs: KeywordSpec[]): SherpaSpotter {
    const buf = keywordsBuffer(specs, this.tokens);
    return new (sherpaKws().KeywordSpotter)({
      ...this.base,
      keywordsBuf: buf,
      keywordsBufSize: Buffer.byteLength(buf),
      keywordsThreshold: this.defaultThreshold,
      keywordsScore: this.boost,
    });
  }

  /**
   * Every keyword occurrence in one channel of 16 kHz PCM: one stream over the whole channel,
   * `reset` after each detection (as sherpa-onnx's own examples do). After a reset the result's
   * timestamps count from a point inside the decoder that the API does not expose, so a hit is
   * placed from the number of decoder steps instead (each consumes DECODE_STEP_SEC of audio; the
   * keyword's last token precedes the detection by DETECTION_LATENCY_SEC), and the token timestamps
   * only give the keyword's length.
   */
  spotChannel(pcm: Int16Array, channel: number, role: Role, sampleRate = PCM_RATE): KwsHit[] {
    // The model (and sherpa-onnx's native feature code) is built for 16 kHz; ffmpeg resamples, never the binding.
    if (sampleRate !== PCM_RATE) throw new CallScopeError('ASR_FAILED', `keyword spotting needs ${PCM_RATE} Hz audio, got ${sampleRate} Hz`);
    const samples = toFloat32(pcm);
    const durationSec = samples.length / PCM_RATE;
    const hits: KwsHit[] = [];
    const stream = this.spotter.createStream();
    stream.acceptWaveform({ samples, sampleRate: PCM_RATE });
    stream.acceptWaveform({ samples: new Float32Array(TAIL_SAMPLES), sampleRate: PCM_RATE });
    stream.inputFinished();
    let steps = 0;
    while (this.spotter.isReady(stream)) {
      this.spotter.decode(stream);
      steps++;
      const r = this.spotter.getResult(stream);
      if (!r.keyword) continue;
      this.spotter.reset(stream);
      const spec = this.specs[Number(r.keyword.slice(1))];
      if (!spec) continue;
      const first = r.timestamps[0] ?? 0;
      const last = r.timestamps[r.timestamps.length - 1] ?? first;
      const lastOnset = steps * DECODE_STEP_SEC - DETECTION_LATENCY_SEC;
      const start = round2(Math.max(0, lastOnset - (last - first)));
      const end = round2(Math.min(lastOnset + LAST_TOKEN_SEC, durationSec));
      hits.push(this.hitOf(spec, samples, { channel, role, start, end }, r.tokens));
    }
    // The reset after a detection swallows the start of a keyword said right after it
    // (金融监管局投诉…): look again just after each hit with a fresh stream.
    for (const h of [...hits]) {
      const next = this.spotAfter(samples, h, channel, role);
      if (next && !hits.some((o) => o.term === next.term && o.start < next.end && next.start < o.end)) hits.push(next);
    }
    return hits.sort((a, b) => a.start - b.start);
  }

  /** A detection as a hit, its score from re-decoding its span (verify). */
  private hitOf(spec: KeywordSpec, samples: Float32Array, at: Pick<KwsHit, 'channel' | 'role' | 'start' | 'end'>, tokens: string[]): KwsHit {
    const hit: KwsHit = {
      term: spec.term,
      form: spec.form,
      ...at,
      score: this.verify(samples, at.start, at.end, tokens),
      threshold: spec.threshold ?? this.defaultThreshold,
      tokens,
    };
    if (spec.lexicon) hit.lexicon = spec.lexicon;
    return hit;
  }

  /**
   * The first keyword said right after `prev`, found by a spotter without `prev`'s term over a
   * window that starts FOLLOW_WARMUP_SEC before `prev` (a fresh stream needs that much context).
   */
  private spotAfter(samples: Float32Array, prev: KwsHit, channel: number, role: Role): KwsHit | null {
    const others = this.withoutTerm(prev.term);
    if (!others) return null;
    const a = Math.round(Math.max(0, prev.start - FOLLOW_WARMUP_SEC) * PCM_RATE);
    const b = Math.min(samples.length, Math.round((prev.end + FOLLOW_WINDOW_SEC) * PCM_RATE));
    const stream = others.spotter.createStream();
    stream.acceptWaveform({ samples: samples.slice(a, b), sampleRate: PCM_RATE });
    stream.acceptWaveform({ samples: new Float32Array(TAIL_SAMPLES), sampleRate: PCM_RATE });
    stream.inputFinished();
    while (others.spotter.isReady(stream)) {
      others.spotter.decode(stream);
      const r = others.spotter.getResult(stream);
      if (!r.keyword) continue;
      const spec = others.specs[Number(r.keyword.slice(1))];
      // On a fresh stream the first result's timestamps are exact (no reset yet).
      const start = round2(a / PCM_RATE + (r.timestamps[0] ?? 0));
      const end = round2(Math.min(a / PCM_RATE + (r.timestamps[r.timestamps.length - 1] ?? 0) + LAST_TOKEN_SEC, samples.length / PCM_RATE));
      // Only what follows prev (its second half onwards); anything earlier the main pass has judged.
      if (!spec || start < (prev.start + prev.end) / 2) return null;
      return this.hitOf(spec, samples, { channel, role, start, end }, r.tokens);
    }
    return null;
  }

  /** A spotter for every keyword but one term's forms (built once per term). */
  private withoutTerm(term: string): { spotter: SherpaSpotter; specs: KeywordSpec[] } | null {
    if (!this.followers.has(term)) {
      const specs = this.specs.filter((k) => k.term !== term);
      this.followers.set(term, specs.length === 0 ? null : { spotter: this.makeSpotter(specs), specs });
    }
    return this.followers.get(term) ?? null;
  }

  /** Decodes the hit's span (with some context) without the keyword constraint and scores the agreement. */
  private verify(samples: Float32Array, start: number, end: number, keywordTokens: string[]): number {
    const a = Math.max(0, Math.round((start - VERIFY_PAD_SEC) * PCM_RATE));
    const b = Math.min(samples.length, Math.round((end + VERIFY_PAD_SEC) * PCM_RATE));
    const stream = this.recognizer.createStream();
    stream.acceptWaveform({ samples: samples.slice(a, b), sampleRate: PCM_RATE });
    stream.acceptWaveform({ samples: new Float32Array(TAIL_SAMPLES), sampleRate: PCM_RATE });
    stream.inputFinished();
    while (this.recognizer.isReady(stream)) this.recognizer.decode(stream);
    return phoneticMatchScore(keywordTokens, this.recognizer.getResult(stream).tokens);
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Decode (ffmpeg, 16 kHz per channel) → spot every channel. Stereo: left agent, right customer; mono: unknown. */
export async function spotKeywordsInFile(req: KwsRequest): Promise<KwsResult> {
  const decoded = await decodeAudio(req.file);
  const opts: { threshold?: number; boost?: number; threads?: number } = {};
  if (req.threshold !== undefined) opts.threshold = req.threshold;
  if (req.boost !== undefined) opts.boost = req.boost;
  if (req.threads !== undefined) opts.threads = req.threads;
  const spotter = new KeywordSpotter(req.model, req.keywords, opts);
  const stereo = decoded.channels.length === 2;
  const hits = decoded.channels.flatMap((pcm, channel) => spotter.spotChannel(pcm, channel, stereo ? roleOfChannel(channel) : 'unknown'));
  hits.sort((x, y) => x.start - y.start || x.channel - y.channel);
  return { durationSec: decoded.durationSec, channels: decoded.channels.length, hits };
}
