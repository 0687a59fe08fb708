/**
 * Speaker features computed in TypeScript from 16 kHz PCM, for diarisation without a neural
 * speaker model: per 10 ms frame, 12 MFCCs (c1–c12 of a 24-band mel filterbank limited to the
 * 300–3400 Hz telephone band) and the pitch (autocorrelation peak, 70–400 Hz, with its strength).
 */
const RATE = 16000;
export const HOP = 160; // 10 ms
const WIN = 400; // 25 ms
const NFFT = 512;
const PITCH_NFFT = 1024; // autocorrelation without wrap-around up to the longest pitch lag
const MEL_BANDS = 24;
export const N_MFCC = 12;
const F_LO = 300;
const F_HI = 3400;
const LAG_MIN = Math.floor(RATE / 400);
const LAG_MAX = Math.ceil(RATE / 70);

/** In-place radix-2 complex FFT. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

const hz2mel = (f: number) => 2595 * Math.log10(1 + f / 700);
const mel2hz = (m: number) => 700 * (10 ** (m / 2595) - 1);

const melFilters: Float64Array[] = (() => {
  const lo = hz2mel(F_LO);
  const hi = hz2mel(F_HI);
  const edges = Array.from({ length: MEL_BANDS + 2 }, (_, i) => mel2hz(lo + ((hi - lo) * i) / (MEL_BANDS + 1)) / (RATE / NFFT));
  return Array.from({ length: MEL_BANDS }, (_, b) => {
    const f = new Float64Array(NFFT / 2 + 1);
    const [l, c, r] = [edges[b]!, edges[b + 1]!, edges[b + 2]!];
    for (let k = Math.floor(l); k <= Math.ceil(r) && k <= NFFT / 2; k++) {
      f[k] = k < l || k > r ? 0 : k <= c ? (k - l) / (c - l) : (r - k) / (r - c);
    }
    return f;
  });
})();

const hamming = Float64Array.from({ length: WIN }, (_, i) => 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (WIN - 1)));
const dct = Array.from({ length: N_MFCC }, (_, k) =>
  Float64Array.from({ length: MEL_BANDS }, (_, b) => Math.cos((Math.PI * (k + 1) * (b + 0.5)) / MEL_BANDS)),
);

export type Frame = { mfcc: Float64Array; logEnergy: number; pitchHz: number | null; pitchStrength: number };

/** Features of frame i (starting at sample i·HOP). */
export function frameFeatures(pcm: Int16Array, i: number): Frame {
  const off = i * HOP;
  const re = new Float64Array(NFFT);
  const im = new Float64Array(NFFT);
  for (let n = 0; n < WIN && off + n < pcm.length; n++) re[n] = (pcm[off + n]! / 32768) * hamming[n]!;
  fft(re, im);
  const power = new Float64Array(NFFT / 2 + 1);
  let energy = 1e-10;
  for (let k = 0; k <= NFFT / 2; k++) {
    power[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    energy += power[k]!;
  }
  const logMel = melFilters.map((f) => {
    let s = 1e-10;
    for (let k = 0; k < f.length; k++) if (f[k]) s += f[k]! * power[k]!;
    return Math.log(s);
  });
  const mfcc = Float64Array.from(dct, (row) => row.reduce((acc, w, b) => acc + w * logMel[b]!, 0));
  const { hz, strength } = pitch(pcm, off);
  return { mfcc, logEnergy: Math.log(energy), pitchHz: hz, pitchStrength: strength };
}

/** Normalised autocorrelation peak over a 40 ms window (FFT-based). */
function pitch(pcm: Int16Array, off: number): { hz: number | null; strength: number } {
  const len = 640;
  const re = new Float64Array(PITCH_NFFT);
  const im = new Float64Array(PITCH_NFFT);
  let mean = 0;
  const n = Math.min(len, pcm.length - off);
  if (n < LAG_MAX * 2) return { hz: null, strength: 0 };
  for (let k = 0; k < n; k++) mean += pcm[off + k]!;
  mean /= n;
  for (let k = 0; k < n; k++) re[k] = (pcm[off + k]! - mean) / 32768;
  fft(re, im);
  for (let k = 0; k < PITCH_NFFT; k++) {
    re[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    im[k] = 0;
  }
  fft(re, im); // inverse up to scale and a mirror: the power spectrum is real and symmetric
  const r0 = re[0]!;
  if (r0 <= 0) return { hz: null, strength: 0 };
  const r = new Float64Array(LAG_MAX + 2);
  let best = 0;
  for (let lag = LAG_MIN; lag <= LAG_MAX + 1; lag++) {
    // Unbiased: correct for the shrinking overlap at longer lags.
    r[lag] = (re[lag]! / r0) * (n / (n - lag));
    if (lag <= LAG_MAX) best = Math.max(best, r[lag]!);
  }
  // Multiples of the period correlate as well as the period itself: take the shortest lag whose
  // local peak comes close to the best (otherwise 220 Hz reads as 73 Hz on band-limited audio).
  let bestLag = 0;
  for (let lag = LAG_MIN + 1; lag <= LAG_MAX; lag++) {
    if (r[lag]! >= 0.85 * best && r[lag]! >= r[lag - 1]! && r[lag]! >= r[lag + 1]!) {
      bestLag = lag;
      best = r[lag]!;
      break;
    }
  }
  return best > 0.45 && bestLag > 0 ? { hz: RATE / bestLag, strength: best } : { hz: null, strength: best };
}

export const FRAMES_PER_SEC = RATE / HOP;
