import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CallScopeError, messageOf } from '../core/errors.ts';
import type { SpeechRegion } from '../core/schemas.ts';
import { VAD_OPTIONS, type VadTuning } from './vad.ts';

/**
 * Silero VAD (v4 ONNX: inputs input/sr/h/c) run directly through onnxruntime-node, at 8 kHz or
 * 16 kHz, streamed block by block so an hour-long call costs a few MB.
 *
 * Why not sherpa-onnx's VAD: it accepts 16 kHz only (telephone audio had to be resampled) and
 * runs one 32 ms window per native call. Here:
 * - the model runs at the audio's own telephone rate (Silero v4 takes sr = 8000);
 * - windows are 64 ms (512 samples at 8 kHz; Silero v4 accepts 256/512/768 at 8 kHz);
 * - each block of audio is cut into lanes (contiguous stretches of every channel) that run as
 *   one batch, step by step: one native call advances every lane by one window. The LSTM state
 *   does not cross a lane boundary, so each lane first replays the WARMUP windows before it
 *   (their outputs are dropped). Silero's state has a long memory, so lanes still move about 1 %
 *   of speech frames against a sequential run; bench/asr/vad-compare.ts measures the batched
 *   result against the reference turns;
 * - an energy pre-gate skips windows far below the channel's noise floor (see SileroStream.gate).
 * The speech/silence decision over the window probabilities follows sherpa-onnx's rules (start
 * after min-speech above the threshold, hysteresis of 0.15, end after min-silence below it,
 * long segments split at a stricter threshold), so the tuning in asr/vad.ts keeps its meaning.
 */
export type SileroRate = 8000 | 16000;
/** The rate the stage runs the VAD at, whatever the recording's: contact-centre audio is telephone band. */
export const VAD_RATE: SileroRate = 8000;
/**
 * Defaults of this path over asr/vad.ts's: at 64 ms windows a 250 ms minimum missed two more 0.2 s
 * backchannel turns than 180 ms (bench/asr/vad-compare.ts; chosen on the 12 dev calls). A lower
 * threshold (0.2: F1 0.950) left longer tails that broke mono diarisation of a generated call.
 */
export const SILERO_TUNING = { threshold: 0.25, minSpeechDurationMs: 180 } as const;
/** Samples per model window at each rate: 64 ms. */
export const SILERO_WINDOW: Record<SileroRate, number> = { 8000: 512, 16000: 1024 };
/** Windows replayed before each lane to rebuild the LSTM state (1 s). */
const WARMUP = 16;
/** Lanes per native call: larger batches amortise the per-call cost (measured: ~3× at 32 vs 1). */
const LANES = 32;
/** Audio processed per block, per channel: bounds memory (240 s at 8 kHz float: 7.7 MB a channel). */
const BLOCK_SEC = 240;
/** Energy pre-gate (see SileroStream.gate): margin over the noise floor, its percentile, reach in windows (0.5 s). */
const GATE_DB = 6;
const FLOOR_PERCENTILE = 0.1;
const GATE_REACH = 8;
/** sherpa-onnx's rule for segments longer than maxSpeechDurationS: a stricter threshold and a 0.1 s silence end them. */
const LONG_THRESHOLD = 0.9;
const LONG_MIN_SILENCE_SEC = 0.1;

type OrtTensor = { data: Float32Array };
type OrtModule = {
  Tensor: new (type: string, data: Float32Array | BigInt64Array, dims: number[]) => OrtTensor;
  InferenceSession: {
    create(path: string, opts: Record<string, unknown>): Promise<OrtSession>;
  };
};
type OrtSession = {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
};

const require = createRequire(import.meta.url);
let ort: OrtModule | undefined;
const sessions = new Map<string, Promise<OrtSession>>();

function loadOrt(): OrtModule {
  try {
    ort ??= require('onnxruntime-node') as OrtModule;
  } catch (err) {
    throw new CallScopeError('STAGE_FAILED', `cannot load onnxruntime-node: ${messageOf(err)}`);
  }
  return ort;
}

/** One session per model file and thread count, kept for the life of the (ASR host) process. */
export function sileroSession(modelPath: string, threads: number): Promise<OrtSession> {
  const key = `${modelPath}#${threads}`;
  let s = sessions.get(key);
  if (!s) {
    if (!existsSync(modelPath)) throw new CallScopeError('ASR_MODEL_MISSING', `no Silero VAD model at ${modelPath}`);
    s = loadOrt()
      .InferenceSession.create(modelPath, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' })
      .then((session) => {
        const io = `${session.inputNames.join(',')} -> ${session.outputNames.join(',')}`;
        if (io !== 'input,sr,h,c -> output,hn,cn') {
          throw new CallScopeError('ASR_MODEL_MISSING', `${modelPath} is not a Silero v4 VAD model (its inputs/outputs are ${io})`);
        }
        return session;
      })
      .catch((err: unknown) => {
        sessions.delete(key);
        throw err instanceof CallScopeError ? err : new CallScopeError('ASR_MODEL_MISSING', `cannot load the VAD model ${modelPath}: ${messageOf(err)}`);
      });
    sessions.set(key, s);
  }
  return s;
}

/** The speech/silence decision for one channel, window by window (sherpa-onnx's rules). */
class SegmentTracker {
  readonly regions: SpeechRegion[] = [];
  private pos = 0;
  private triggered = false;
  private tempStart = 0;
  private tempEnd = 0;
  private segStart = -1;
  private readonly minSpeech: number;
  private readonly minSilence: number;
  private readonly maxSpeech: number;

  constructor(
    private readonly channel: number,
    private readonly rate: SileroRate,
    private readonly win: number,
    private readonly t: Record<keyof typeof VAD_OPTIONS, number>,
  ) {
    this.minSpeech = Math.floor((t.minSpeechDurationMs / 1000) * rate);
    this.minSilence = Math.floor((t.minSilenceDurationMs / 1000) * rate);
    this.maxSpeech = t.maxSpeechDurationS * rate;
  }

  private isSpeech(p: number): boolean {
    const long = this.segStart >= 0 && this.pos - this.segStart > this.maxSpeech;
    const thr = long ? LONG_THRESHOLD : this.t.threshold;
    const minSilence = long ? LONG_MIN_SILENCE_SEC * this.rate : this.minSilence;
    this.pos += this.win;
    if (p > thr && this.tempEnd !== 0) this.tempEnd = 0;
    if (p > thr && this.tempStart === 0) {
      this.tempStart = this.pos;
      return false;
    }
    if (p > thr && !this.triggered) {
      if (this.pos - this.tempStart < this.minSpeech) return false;
      this.triggered = true;
      return true;
    }
    if (!this.triggered) {
      this.tempStart = 0;
      this.tempEnd = 0;
      return false;
    }
    if (p > thr - 0.15) return true;
    if (this.tempEnd === 0) this.tempEnd = this.pos;
    if (this.pos - this.tempEnd < minSilence) return true;
    this.tempStart = 0;
    this.tempEnd = 0;
    this.triggered = false;
    return false;
  }

  push(p: number): void {
    if (this.isSpeech(p)) {
      if (this.segStart < 0) this.segStart = Math.max(0, this.pos - 2 * this.win - this.minSpeech);
    } else if (this.segStart >= 0) {
      this.close(this.pos - this.minSilence);
    }
  }

  close(end: number): void {
    if (this.segStart >= 0 && end > this.segStart) this.regions.push({ channel: this.channel, start: this.segStart / this.rate, end: end / this.rate });
    this.segStart = -1;
  }

  finish(totalSamples: number): SpeechRegion[] {
    this.close(totalSamples);
    const pad = this.t.speechPadMs / 1000;
    const total = totalSamples / this.rate;
    return this.regions.map((r) => ({ channel: r.channel, start: round2(Math.max(0, r.start - pad)), end: round2(Math.min(total, r.end + pad)) }));
  }
}

/** Growable float buffer: samples not yet run, plus the WARMUP windows before them. */
class Pending {
  buf = new Float32Array(0);
  len = 0;
  append(x: Float32Array): void {
    if (this.len + x.length > this.buf.length) {
      const bigger = new Float32Array(Math.max(this.buf.length * 2, this.len + x.length));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    this.buf.set(x, this.len);
    this.len += x.length;
  }
  /** Drops everything before `from`. */
  shift(from: number): void {
    this.buf.copyWithin(0, from, this.len);
    this.len -= from;
  }
}

/**
 * Streaming speech detection over one recording: push float samples per channel as they are
 * decoded, then `finish()` for the regions of every channel.
 */
export class SileroStream {
  private readonly pending: Pending[];
  private readonly trackers: SegmentTracker[];
  /** Samples at the head of each pending buffer already run (kept as the next lanes' warm-up). */
  private context = 0;
  private total = 0;
  private readonly win: number;
  private readonly blockWindows: number;

  constructor(
    private readonly session: OrtSession,
    private readonly rate: SileroRate,
    channels: number,
    tuning: VadTuning = {},
    /** Samples per window; Silero v4 takes 256/512/768 at 8 kHz, 512/1024/1536 at 16 kHz. */
    window: number = SILERO_WINDOW[rate],
    private readonly lanesWanted: number = LANES,
    private readonly warmup: number = WARMUP,
    /** Energy pre-gate margin over the noise floor in dB; null runs the network on every window. */
    private readonly gateDb: number | null = GATE_DB,
  ) {
    const t = { ...VAD_OPTIONS, ...SILERO_TUNING, ...tuning };
    this.win = window;
    this.blockWindows = Math.round((BLOCK_SEC * rate) / window);
    this.pending = Array.from({ length: channels }, () => new Pending());
    this.trackers = Array.from({ length: channels }, (_, c) => new SegmentTracker(c, rate, window, t));
  }

  /** One decoded chunk: the same number of samples for every channel. */
  async push(chunk: Float32Array[]): Promise<void> {
    for (const [c, x] of chunk.entries()) this.pending[c]!.append(x);
    this.total += chunk[0]?.length ?? 0;
    // Whole blocks of a fixed size: the result does not depend on how the decoder chunked the audio.
    while (this.pending[0]!.len - this.context >= this.blockWindows * this.win) await this.runBlock(false);
  }

  async finish(): Promise<SpeechRegion[]> {
    await this.runBlock(true);
    return this.trackers.flatMap((t) => t.finish(this.total));
  }

  /**
   * The energy pre-gate: per window, whether the network must run. A window is skipped when it
   * and every window within GATE_REACH of it are below the channel's noise floor + gateDb (the
   * reach gives the LSTM quiet windows before an onset and a hangover after an offset). The floor
   * is a low percentile of this block's window energies: in a two-channel call each side is silent
   * about half the time.
   */
  private gate(p: Pending, n: number): Uint8Array {
    const need = new Uint8Array(n).fill(1);
    if (this.gateDb === null) return need;
    const win = this.win;
    const energy = new Float32Array(n);
    for (let w = 0; w < n; w++) {
      let e = 0;
      const from = w * win;
      const to = Math.min(p.len, from + win);
      for (let i = from; i < to; i++) e += p.buf[i]! * p.buf[i]!;
      energy[w] = 10 * Math.log10(e / win + 1e-12);
    }
    const floor = [...energy].sort((a, b) => a - b)[Math.floor(n * FLOOR_PERCENTILE)]!;
    const loud = energy.map((e) => (e > floor + this.gateDb! ? 1 : 0));
    need.fill(0);
    for (let w = 0; w < n; w++) {
      if (!loud[w]) continue;
      need.fill(1, Math.max(0, w - GATE_REACH), Math.min(n, w + GATE_REACH + 1));
    }
    return need;
  }

  /** Runs one block of windows after the context; at the end, what is left (the last window zero-padded). */
  private async runBlock(last: boolean): Promise<void> {
    const { win } = this;
    const avail = this.pending[0]!.len - this.context;
    const windows = last ? Math.ceil(avail / win) : this.blockWindows;
    if (windows <= 0) return;
    const ctxWindows = this.context / win;
    const channels = this.pending.length;
    // Lane length: spread the block over about LANES lanes, never shorter than the warm-up.
    const perChannel = Math.max(1, Math.floor(this.lanesWanted / channels));
    const laneLen = Math.max(this.warmup * 2, Math.ceil(windows / perChannel));
    const lanesPerChannel = Math.ceil(windows / laneLen);
    const lanes = channels * lanesPerChannel;
    const steps = this.warmup + laneLen;
    const probs = this.pending.map(() => new Float32Array(lanesPerChannel * laneLen));
    // Which windows (from the first context window) the network must see; the others are far
    // below the channel's noise floor and far from any louder window: probability 0.
    const needed = this.pending.map((p) => this.gate(p, ctxWindows + windows));
    const ortm = loadOrt();
    const sr = new ortm.Tensor('int64', BigInt64Array.from([BigInt(this.rate)]), [1]);
    // LSTM state of every lane ([2 layers, lanes, 64]); each step runs only the lanes whose window is needed.
    const H = new Float32Array(2 * lanes * 64);
    const C = new Float32Array(2 * lanes * 64);
    const active: number[] = [];
    const windowOf = (lane: number, s: number) => (lane % lanesPerChannel) * laneLen + s - this.warmup;
    for (let s = 0; s < steps; s++) {
      active.length = 0;
      for (let lane = 0; lane < lanes; lane++) {
        const w = windowOf(lane, s);
        if (w >= -ctxWindows && w < windows && needed[Math.floor(lane / lanesPerChannel)]![w + ctxWindows]) active.push(lane);
      }
      if (active.length > 0) {
        const k = active.length;
        const x = new Float32Array(k * win);
        const h = new Float32Array(2 * k * 64);
        const c = new Float32Array(2 * k * 64);
        for (const [i, lane] of active.entries()) {
          const p = this.pending[Math.floor(lane / lanesPerChannel)]!;
          const from = this.context + windowOf(lane, s) * win;
          x.set(p.buf.subarray(from, Math.min(p.len, from + win)), i * win);
          for (let layer = 0; layer < 2; layer++) {
            h.set(H.subarray((layer * lanes + lane) * 64, (layer * lanes + lane + 1) * 64), (layer * k + i) * 64);
            c.set(C.subarray((layer * lanes + lane) * 64, (layer * lanes + lane + 1) * 64), (layer * k + i) * 64);
          }
        }
        const out = await this.session.run({
          input: new ortm.Tensor('float32', x, [k, win]),
          sr,
          h: new ortm.Tensor('float32', h, [2, k, 64]),
          c: new ortm.Tensor('float32', c, [2, k, 64]),
        });
        const hn = out.hn!.data;
        const cn = out.cn!.data;
        const y = out.output!.data;
        for (const [i, lane] of active.entries()) {
          for (let layer = 0; layer < 2; layer++) {
            H.set(hn.subarray((layer * k + i) * 64, (layer * k + i + 1) * 64), (layer * lanes + lane) * 64);
            C.set(cn.subarray((layer * k + i) * 64, (layer * k + i + 1) * 64), (layer * lanes + lane) * 64);
          }
          const w = windowOf(lane, s);
          if (w >= 0) probs[Math.floor(lane / lanesPerChannel)]![w] = y[i]!;
        }
      }
      // A lane that starts at the very beginning of the recording has nothing to replay: it
      // starts from the model's initial (zero) state at its first window, as a sequential run does.
      if (ctxWindows === 0 && s + 1 === this.warmup) {
        for (let ch = 0; ch < channels; ch++) zeroLane(H, C, lanes, ch * lanesPerChannel);
      }
    }
    for (let ch = 0; ch < channels; ch++) {
      const t = this.trackers[ch]!;
      const pr = probs[ch]!;
      for (let w = 0; w < windows; w++) t.push(pr[w]!);
      // Keep the last this.warmup windows run as the next block's context.
      const end = this.context + windows * win;
      const keep = Math.max(0, end - this.warmup * win);
      this.pending[ch]!.shift(Math.min(keep, this.pending[ch]!.len));
    }
    this.context = Math.min(this.warmup * win, this.context + windows * win);
  }
}

/** Speech regions of whole in-memory channels (benches, tests); the stage streams instead. */
export async function detectSpeechSilero(
  modelPath: string,
  channels: Float32Array[],
  opts: { rate: SileroRate; threads: number; tuning?: VadTuning; window?: number; lanes?: number; warmup?: number; gateDb?: number | null },
): Promise<SpeechRegion[]> {
  const stream = new SileroStream(await sileroSession(modelPath, opts.threads), opts.rate, channels.length, opts.tuning, opts.window, opts.lanes, opts.warmup, opts.gateDb);
  const step = BLOCK_SEC * opts.rate;
  const n = channels[0]?.length ?? 0;
  for (let i = 0; i < n; i += step) await stream.push(channels.map((x) => x.subarray(i, Math.min(n, i + step))));
  return stream.finish();
}

/** Resets one lane's LSTM state (h and c are [2 layers, lanes, 64]). */
function zeroLane(h: Float32Array, c: Float32Array, lanes: number, lane: number): void {
  for (let layer = 0; layer < 2; layer++) {
    const off = (layer * lanes + lane) * 64;
    h.fill(0, off, off + 64);
    c.fill(0, off, off + 64);
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
