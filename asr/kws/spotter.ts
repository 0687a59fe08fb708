import { CallScopeError } from '../../core/errors.ts';
import type { Role } from '../../core/schemas.ts';
import { checkDecodedLength, PCM_RATE, probeAudio } from '../ffmpeg.ts';
import { type PcmSource, streamPcm } from '../pcm-source.ts';
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
/** Pass 1 reads the channel this many samples at a time (30 s). */
const FEED_SAMPLES = 30 * PCM_RATE;
/** Pass 2's window around a detection holds the follow-up search and every verification in it. */
const WINDOW_BEFORE_SEC = Math.max(FOLLOW_WARMUP_SEC, VERIFY_PAD_SEC);
const WINDOW_AFTER_SEC = FOLLOW_WINDOW_SEC + LAST_TOKEN_SEC + VERIFY_PAD_SEC;

type Detection = { spec: KeywordSpec; start: number; end: number; tokens: string[] };
/** Samples of one channel from sample `from` on, and the channel's whole duration. */
type Window = { from: number; samples: Float32Array; durationSec: number };

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
   * Every keyword occurrence in one channel of 16 kHz PCM, in two forward reads so that a 3-hour
   * channel is never held whole: (1) one stream over the channel, fed FEED_SAMPLES (30 s) at a time and `reset`
   * after each detection (as sherpa-onnx's own examples do); (2) a short window around each
   * detection, to score it and to look for a keyword said right after it. After a reset the
   * result's timestamps count from a point inside the decoder that the API does not expose, so a
   * detection is placed from the number of decoder steps instead (each consumes DECODE_STEP_SEC of
   * audio; the keyword's last token precedes the detection by DETECTION_LATENCY_SEC), and the token
   * timestamps only give the keyword's length. `open` gives a fresh reader of the channel each time.
   */
  async spotChannel(open: () => PcmSource, channel: number, role: Role, sampleRate = PCM_RATE): Promise<{ hits: KwsHit[]; durationSec: number }> {
    // The model (and sherpa-onnx's native feature code) is built for 16 kHz; ffmpeg resamples, never the binding.
    if (sampleRate !== PCM_RATE) throw new CallScopeError('ASR_FAILED', `keyword spotting needs ${PCM_RATE} Hz audio, got ${sampleRate} Hz`);
    const { detections, durationSec } = await this.detect(open());
    // Windows are read in time order (the reader goes forward only); results keep detection order.
    const found: Array<{ hit: KwsHit; next: KwsHit | null }> = [];
    const audio = open();
    try {
      for (const i of detections.map((_, i) => i).sort((a, b) => detections[a]!.start - detections[b]!.start)) {
        const d = detections[i]!;
        const from = Math.round(Math.max(0, d.start - WINDOW_BEFORE_SEC) * PCM_RATE);
        const window = { from, samples: toFloat32(await audio.read(from, Math.round((d.end + WINDOW_AFTER_SEC) * PCM_RATE))), durationSec };
        const hit = this.hitOf(d.spec, window, { channel, role, start: d.start, end: Math.min(d.end, durationSec) }, d.tokens);
        found[i] = { hit, next: this.spotAfter(window, hit, channel, role) };
      }
    } finally {
      audio.close();
    }
    const hits = found.map((f) => f.hit);
    // The reset after a detection swallows the start of a keyword said right after it
    // (金融监管局投诉…): the fresh stream's find counts unless a hit of that term already covers it.
    for (const { next } of found) {
      if (next && !hits.some((o) => o.term === next.term && o.start < next.end && next.start < o.end)) hits.push(next);
    }
    return { hits: hits.sort((a, b) => a.start - b.start), durationSec };
  }

  /** Pass 1: the main stream's detections (ends not yet clipped to the channel's end) and the channel's length. */
  private async detect(audio: PcmSource): Promise<{ detections: Detection[]; durationSec: number }> {
    const detections: Detection[] = [];
    const stream = this.spotter.createStream();
    let steps = 0;
    const drain = () => {
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
        detections.push({ spec, start: round2(Math.max(0, lastOnset - (last - first))), end: round2(lastOnset + LAST_TOKEN_SEC), tokens: r.tokens });
      }
    };
    let fed = 0;
    try {
      for (;;) {
        const pcm = await audio.read(fed, fed + FEED_SAMPLES);
        if (pcm.length > 0) stream.acceptWaveform({ samples: toFloat32(pcm), sampleRate: PCM_RATE });
        fed += pcm.length;
        drain();
        if (pcm.length < FEED_SAMPLES) break;
      }
    } finally {
      audio.close();
    }
    endStream(stream);
    drain();
    return { detections, durationSec: fed / PCM_RATE };
  }

  /** A detection as a hit, its score from re-decoding its span (verify). */
  private hitOf(spec: KeywordSpec, window: Window, at: Pick<KwsHit, 'channel' | 'role' | 'start' | 'end'>, tokens: string[]): KwsHit {
    const hit: KwsHit = {
      term: spec.term,
      form: spec.form,
      ...at,
      score: this.verify(window, at.start, at.end, tokens),
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
  private spotAfter(window: Window, prev: KwsHit, channel: number, role: Role): KwsHit | null {
    const others = this.withoutTerm(prev.term);
    if (!others) return null;
    const a = Math.round(Math.max(0, prev.start - FOLLOW_WARMUP_SEC) * PCM_RATE);
    const b = Math.round((prev.end + FOLLOW_WINDOW_SEC) * PCM_RATE);
    const stream = others.spotter.createStream();
    stream.acceptWaveform({ samples: slice(window, a, b), sampleRate: PCM_RATE });
    endStream(stream);
    while (others.spotter.isReady(stream)) {
      others.spotter.decode(stream);
      const r = others.spotter.getResult(stream);
      if (!r.keyword) continue;
      const spec = others.specs[Number(r.keyword.slice(1))];
      // On a fresh stream the first result's timestamps are exact (no reset yet).
      const start = round2(a / PCM_RATE + (r.timestamps[0] ?? 0));
      const end = round2(Math.min(a / PCM_RATE + (r.timestamps[r.timestamps.length - 1] ?? 0) + LAST_TOKEN_SEC, window.durationSec));
      // Only what follows prev (its second half onwards); anything earlier the main pass has judged.
      if (!spec || start < (prev.start + prev.end) / 2) return null;
      return this.hitOf(spec, window, { channel, role, start, end }, r.tokens);
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
  private verify(window: Window, start: number, end: number, keywordTokens: string[]): number {
    const a = Math.max(0, Math.round((start - VERIFY_PAD_SEC) * PCM_RATE));
    const b = Math.round((end + VERIFY_PAD_SEC) * PCM_RATE);
    const stream = this.recognizer.createStream();
    stream.acceptWaveform({ samples: slice(window, a, b), sampleRate: PCM_RATE });
    endStream(stream);
    while (this.recognizer.isReady(stream)) this.recognizer.decode(stream);
    return phoneticMatchScore(keywordTokens, this.recognizer.getResult(stream).tokens);
  }
}

/** Ends a stream's input with the silent tail the model needs to decode the last word. */
function endStream(stream: SherpaStream): void {
  stream.acceptWaveform({ samples: new Float32Array(TAIL_SAMPLES), sampleRate: PCM_RATE });
  stream.inputFinished();
}

/** Channel samples [a, b) out of a window read around a detection (clipped to what the window holds). */
function slice(w: Window, a: number, b: number): Float32Array {
  return w.samples.slice(Math.max(0, a - w.from), Math.max(0, b - w.from));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * Spot every channel of a file, each streamed from ffmpeg at 16 kHz (bounded memory for any
 * length). Stereo: left agent, right customer; mono: unknown.
 */
export async function spotKeywordsInFile(req: KwsRequest): Promise<KwsResult> {
  const info = await probeAudio(req.file);
  const channels = Math.min(info.channels, 2);
  const opts: { threshold?: number; boost?: number; threads?: number } = {};
  if (req.threshold !== undefined) opts.threshold = req.threshold;
  if (req.boost !== undefined) opts.boost = req.boost;
  if (req.threads !== undefined) opts.threads = req.threads;
  const spotter = new KeywordSpotter(req.model, req.keywords, opts);
  const hits: KwsHit[] = [];
  let durationSec = 0;
  for (let channel = 0; channel < channels; channel++) {
    const open = () => streamPcm(req.file, channel, info.declaredDurationSec ?? 0);
    const spotted = await spotter.spotChannel(open, channel, channels === 2 ? roleOfChannel(channel) : 'unknown');
    if (channel === 0) {
      durationSec = spotted.durationSec;
      await checkDecodedLength(req.file, info, durationSec);
    }
    hits.push(...spotted.hits);
  }
  hits.sort((x, y) => x.start - y.start || x.channel - y.channel);
  return { durationSec, channels, hits };
}
