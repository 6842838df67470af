import { ErrorCode, fail } from '../errors.js';

export type FloatArray = Float64Array | Float32Array;

/** The bins 0..D/2 of the spectrum of a real length-D signal (the rest follow by Hermitian symmetry). */
export interface HalfSpectrum<T extends FloatArray = Float64Array> {
  readonly re: T;
  readonly im: T;
}

/**
 * Radix-2 plan for size D: the twiddles W^k = e^{−2πik/D}, k < D/2, as plain arrays so that another backend
 * (WASM, GPU) can be handed exactly the same table. A size-D plan also serves the half-size transform inside rfft.
 */
export interface FftPlan {
  readonly size: number;
  readonly twiddleRe: Float64Array;
  readonly twiddleIm: Float64Array;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1 && (n & (n - 1)) === 0 && n <= 2 ** 30;
}

export function createFftPlan(size: number): FftPlan {
  if (!isPowerOfTwo(size) || size < 2) fail(ErrorCode.INVALID, `FFT size must be a power of two >= 2, got ${size}`);
  const half = size / 2;
  const twiddleRe = new Float64Array(half);
  const twiddleIm = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    twiddleRe[k] = Math.cos((2 * Math.PI * k) / size);
    twiddleIm[k] = -Math.sin((2 * Math.PI * k) / size);
  }
  return { size, twiddleRe, twiddleIm };
}

/** Unscaled in-place DIT transform of length n, reading the plan's twiddles with the given stride (n·stride = plan size). */
function transform(re: Float64Array, im: Float64Array, n: number, plan: FftPlan, stride: number, inverse: boolean): void {
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i]!; re[i] = re[j]!; re[j] = tr;
      const ti = im[i]!; im[i] = im[j]!; im[j] = ti;
    }
  }
  for (let a = 0; a + 1 < n; a += 2) {
    const xr = re[a + 1]!, xi = im[a + 1]!;
    re[a + 1] = re[a]! - xr;
    im[a + 1] = im[a]! - xi;
    re[a] = re[a]! + xr;
    im[a] = im[a]! + xi;
  }
  const { twiddleRe, twiddleIm } = plan;
  const sign = inverse ? -1 : 1;
  for (let len = 4; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = (n / len) * stride;
    // Block-outer, butterfly-inner: sequential memory and twiddle access (much faster for large n than k-outer).
    for (let start = 0; start < n; start += len) {
      for (let k = 0, t = 0; k < half; k++, t += step) {
        const wr = twiddleRe[t]!, wi = sign * twiddleIm[t]!;
        const a = start + k, b = a + half;
        const br = re[b]!, bi = im[b]!;
        const xr = br * wr - bi * wi, xi = br * wi + bi * wr;
        const ar = re[a]!, ai = im[a]!;
        re[b] = ar - xr;
        im[b] = ai - xi;
        re[a] = ar + xr;
        im[a] = ai + xi;
      }
    }
  }
}

function requireLength(what: string, length: number, expected: number): void {
  if (length !== expected) fail(ErrorCode.INVALID, `${what} must have length ${expected}, got ${length}`);
}

function unitary(re: Float64Array, im: Float64Array, plan: FftPlan, inverse: boolean): void {
  requireLength('fft re', re.length, plan.size);
  requireLength('fft im', im.length, plan.size);
  transform(re, im, plan.size, plan, 1, inverse);
  const s = 1 / Math.sqrt(plan.size);
  for (let i = 0; i < plan.size; i++) {
    re[i] = re[i]! * s;
    im[i] = im[i]! * s;
  }
}

/** In-place unitary forward DFT: X[k] = D^{−1/2} Σ x[n] e^{−2πikn/D}. */
export function fft(re: Float64Array, im: Float64Array, plan: FftPlan): void {
  unitary(re, im, plan, false);
}

/** In-place unitary inverse DFT (F⁻¹ = F*). */
export function ifft(re: Float64Array, im: Float64Array, plan: FftPlan): void {
  unitary(re, im, plan, true);
}

/** Unitary real FFT of x zero-padded to D = plan.size: bins 0..D/2, via one complex FFT of size D/2. */
export function rfft(x: ArrayLike<number>, plan: FftPlan): HalfSpectrum {
  const size = plan.size;
  const m = size / 2;
  if (x.length > size) fail(ErrorCode.INVALID, `rfft input of ${x.length} samples exceeds the plan size ${size}`);
  const zr = new Float64Array(m);
  const zi = new Float64Array(m);
  for (let n = 0; n < m; n++) {
    zr[n] = x[2 * n] ?? 0;
    zi[n] = x[2 * n + 1] ?? 0;
  }
  transform(zr, zi, m, plan, 2, false);
  const s = 1 / Math.sqrt(size);
  const re = new Float64Array(m + 1);
  const im = new Float64Array(m + 1);
  re[0] = (zr[0]! + zi[0]!) * s;
  re[m] = (zr[0]! - zi[0]!) * s;
  for (let k = 1; k < m; k++) {
    const ar = zr[k]!, ai = zi[k]!;
    const br = zr[m - k]!, bi = -zi[m - k]!;
    const er = (ar + br) / 2, ei = (ai + bi) / 2;
    const or = (ai - bi) / 2, oi = -(ar - br) / 2;
    const wr = plan.twiddleRe[k]!, wi = plan.twiddleIm[k]!;
    re[k] = (er + wr * or - wi * oi) * s;
    im[k] = (ei + wr * oi + wi * or) * s;
  }
  return { re, im };
}

/** Inverse of rfft: the real length-D signal whose unitary spectrum has the given bins 0..D/2 (imag of bins 0 and D/2 ignored). */
export function irfft(spectrum: HalfSpectrum<FloatArray>, plan: FftPlan): Float64Array {
  const size = plan.size;
  const m = size / 2;
  requireLength('irfft re', spectrum.re.length, m + 1);
  requireLength('irfft im', spectrum.im.length, m + 1);
  const { re, im } = spectrum;
  const zr = new Float64Array(m);
  const zi = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const ar = re[k]!, ai = k === 0 ? 0 : im[k]!;
    const br = re[m - k]!, bi = k === 0 ? 0 : -im[m - k]!;
    const er = ar + br, ei = ai + bi;
    const dr = ar - br, di = ai - bi;
    const wr = plan.twiddleRe[k]!, wi = -plan.twiddleIm[k]!;
    const or = dr * wr - di * wi, oi = dr * wi + di * wr;
    zr[k] = er - oi;
    zi[k] = ei + or;
  }
  transform(zr, zi, m, plan, 2, true);
  const s = 1 / Math.sqrt(size);
  const x = new Float64Array(size);
  for (let n = 0; n < m; n++) {
    x[2 * n] = zr[n]! * s;
    x[2 * n + 1] = zi[n]! * s;
  }
  return x;
}
