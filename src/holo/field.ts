import { ErrorCode, fail } from '../errors.js';
import { isPowerOfTwo, irfft, rfft, type FftPlan, type FloatArray, type HalfSpectrum } from './fft.js';
import type { PhaseCode } from './codebook.js';

export type FieldPrecision = 'f64' | 'f32';

export interface CleanUp {
  /** Index of the best-scoring candidate. */
  readonly index: number;
  readonly score: number;
  /** Best score minus the runner-up (the best score itself when there is a single candidate). */
  readonly margin: number;
  readonly scores: Float64Array;
}

/** x = b/255 − ½: content bytes as a centred real signal (§3.3). */
export function centre(bytes: Uint8Array): Float64Array {
  const x = new Float64Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) x[i] = bytes[i]! / 255 - 0.5;
  return x;
}

/** The unitary spectrum of a content item zero-padded to the plan size. */
export function contentSpectrum(bytes: Uint8Array, plan: FftPlan): HalfSpectrum {
  return rfft(centre(bytes), plan);
}

/** Re⟨a, b⟩ over the full Hermitian spectrum, computed from bins 0..D/2 (= the time-domain inner product). */
export function spectralInner(a: HalfSpectrum<FloatArray>, b: HalfSpectrum<FloatArray>): number {
  const m = a.re.length - 1;
  let sum = 0;
  for (let k = 1; k < m; k++) sum += a.re[k]! * b.re[k]! + a.im[k]! * b.im[k]!;
  return 2 * sum + a.re[0]! * b.re[0]! + a.re[m]! * b.re[m]!;
}

/**
 * One layer's holographic field ψ = Σ_j a_j·b(x_j, κ_j), held as its unitary rfft spectrum (bins 0..D/2), in float64
 * or float32 storage. Binding is P_κ ⊙ X on the spectrum, so phase-code items never need an FFT; content items are
 * transformed once (contentSpectrum). Fields of equal shape merge by addition (per-worker partial fields).
 */
export class HoloField {
  readonly dimension: number;
  readonly precision: FieldPrecision;
  readonly spectrum: HalfSpectrum<FloatArray>;
  items = 0;

  /** `shared`: the spectrum lives in SharedArrayBuffers, so other threads can bind into it (src/store/bind-pool.ts). */
  constructor(dimension: number, precision: FieldPrecision = 'f64', shared = false) {
    if (!isPowerOfTwo(dimension) || dimension < 2) fail(ErrorCode.INVALID, `field dimension must be a power of two >= 2, got ${dimension}`);
    if (precision !== 'f64' && precision !== 'f32') fail(ErrorCode.INVALID, `field precision must be f64 or f32, got ${String(precision)}`);
    this.dimension = dimension;
    this.precision = precision;
    const bins = dimension / 2 + 1;
    const width = precision === 'f64' ? 8 : 4;
    const part = (): FloatArray => {
      const buffer = shared ? new SharedArrayBuffer(bins * width) : new ArrayBuffer(bins * width);
      return precision === 'f64' ? new Float64Array(buffer) : new Float32Array(buffer);
    };
    this.spectrum = { re: part(), im: part() };
  }

  private requireShape(what: string, s: HalfSpectrum<FloatArray>): void {
    const bins = this.dimension / 2 + 1;
    if (s.re.length !== bins || s.im.length !== bins) fail(ErrorCode.INVALID, `${what} must have ${bins} bins for D = ${this.dimension}, got ${s.re.length}`);
  }

  private static requireAmplitude(amplitude: number): void {
    if (!Number.isFinite(amplitude) || amplitude === 0) fail(ErrorCode.INVALID, `amplitude must be finite and non-zero, got ${amplitude}`);
  }

  /** ψ += a·(P_κ ⊙ X): bind the item spectrum X under the key code and superpose it. */
  superpose(key: PhaseCode, item: HalfSpectrum<FloatArray>, amplitude = 1): void {
    this.requireShape('key code', key);
    this.requireShape('item spectrum', item);
    HoloField.requireAmplitude(amplitude);
    const { re, im } = this.spectrum;
    for (let k = 0; k < re.length; k++) {
      const pr = key.re[k]!, pi = key.im[k]!, xr = item.re[k]!, xi = item.im[k]!;
      re[k] = re[k]! + amplitude * (pr * xr - pi * xi);
      im[k] = im[k]! + amplitude * (pr * xi + pi * xr);
    }
    this.items++;
  }

  /** u(ψ, κ)/a = conj(P_κ) ⊙ ψ / a, as a spectrum (irfft gives the time-domain item). */
  unbind(key: PhaseCode, amplitude = 1): HalfSpectrum {
    this.requireShape('key code', key);
    HoloField.requireAmplitude(amplitude);
    const { re, im } = this.spectrum;
    const outRe = new Float64Array(re.length);
    const outIm = new Float64Array(re.length);
    for (let k = 0; k < re.length; k++) {
      const pr = key.re[k]!, pi = key.im[k]!, fr = re[k]!, fi = im[k]!;
      outRe[k] = (pr * fr + pi * fi) / amplitude;
      outIm[k] = (pr * fi - pi * fr) / amplitude;
    }
    return { re: outRe, im: outIm };
  }

  /** The time-domain item bound under κ, estimated from the field. */
  unbindSignal(key: PhaseCode, plan: FftPlan, amplitude = 1): Float64Array {
    if (plan.size !== this.dimension) fail(ErrorCode.INVALID, `plan size ${plan.size} does not match field dimension ${this.dimension}`);
    return irfft(this.unbind(key, amplitude), plan);
  }

  /**
   * How much of a·b(item, κ) the field holds: ⟨ψ, P_κ ⊙ X⟩ / (a·‖X‖²), ≈ 1 when the pair is stored, ≈ 0 ± √(N/D)
   * otherwise. Equal to ⟨u(ψ, κ), x⟩/‖x‖², computed without materialising u.
   */
  score(key: PhaseCode, item: HalfSpectrum<FloatArray>, amplitude = 1): number {
    this.requireShape('key code', key);
    this.requireShape('item spectrum', item);
    const { re, im } = this.spectrum;
    const kr = key.re, ki = key.im, xre = item.re, xim = item.im;
    const m = re.length - 1;
    // Bins 1..m−1 stand for two Hermitian bins each; 0 and m (real) once.
    let sum = 0, norm = 0;
    for (let k = 1; k < m; k++) {
      const pr = kr[k]!, pi = ki[k]!, xr = xre[k]!, xi = xim[k]!;
      sum += re[k]! * (pr * xr - pi * xi) + im[k]! * (pr * xi + pi * xr);
      norm += xr * xr + xi * xi;
    }
    sum = 2 * sum + re[0]! * kr[0]! * xre[0]! + re[m]! * kr[m]! * xre[m]!;
    norm = 2 * norm + xre[0]! ** 2 + xre[m]! ** 2;
    if (norm === 0) fail(ErrorCode.INVALID, 'cannot score an all-zero item');
    return sum / (amplitude * norm);
  }

  /** Adds another partial field of the same dimension and precision into this one. */
  merge(other: HoloField): void {
    if (other.dimension !== this.dimension || other.precision !== this.precision) {
      fail(ErrorCode.INVALID, `cannot merge a ${other.precision} field of D = ${other.dimension} into a ${this.precision} field of D = ${this.dimension}`);
    }
    const { re, im } = this.spectrum;
    for (let k = 0; k < re.length; k++) {
      re[k] = re[k]! + other.spectrum.re[k]!;
      im[k] = im[k]! + other.spectrum.im[k]!;
    }
    this.items += other.items;
  }
}

/** The best candidate of a score list, with its margin over the runner-up. */
export function rankScores(scores: Float64Array): CleanUp {
  if (scores.length === 0) fail(ErrorCode.INVALID, 'clean-up needs at least one candidate');
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  let second = -Infinity;
  for (let i = 0; i < scores.length; i++) if (i !== best && scores[i]! > second) second = scores[i]!;
  const score = scores[best]!;
  return { index: best, score, margin: scores.length === 1 ? score : score - second, scores };
}

/** Clean-up by key: which candidate item (e.g. value-code spectra) is bound under κ. */
export function cleanUp(field: HoloField, key: PhaseCode, candidates: readonly HalfSpectrum<FloatArray>[], amplitude = 1): CleanUp {
  return rankScores(Float64Array.from(candidates, (item) => field.score(key, item, amplitude)));
}

/** Clean-up by cue: which candidate key holds content like the (possibly corrupted) cue spectrum. */
export function recallByCue(field: HoloField, cue: HalfSpectrum<FloatArray>, candidateKeys: readonly PhaseCode[], amplitude = 1): CleanUp {
  return rankScores(Float64Array.from(candidateKeys, (key) => field.score(key, cue, amplitude)));
}
