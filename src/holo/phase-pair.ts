import { ErrorCode, fail } from '../errors.js';
import { requirePhaseRange, seedPhaseRange } from './codebook.js';

// The store's O(D) loops over pairs of seeded phase codes, straight from the codes' seeds (codeSeed), over bins
// [from, to) of a dimension-D code; re/im are views that start at bin `from`. This is the reference of the kernels
// (src/kernels, native/kernels/phase_pair.c), which agree with it to rounding (test/kernels/conformance.test.ts).

type FloatView = Float32Array | Float64Array;

function requireSeed(seed: Uint32Array, what: string): void {
  if (!(seed instanceof Uint32Array) || seed.length !== 4) fail(ErrorCode.INVALID, `${what} seed must be a Uint32Array of 4 words`);
}

/** Validates the arguments every phase-pair kernel takes, in the order all backends check them. */
export function requirePhasePair(key: Uint32Array, value: Uint32Array | null, dimension: number, from: number, to: number, re: FloatView, im: FloatView, type: typeof Float32Array | typeof Float64Array): void {
  requireSeed(key, 'key');
  if (value !== null) requireSeed(value, 'value');
  requirePhaseRange(dimension, from, to);
  if (!(re instanceof type) || !(im instanceof type)) fail(ErrorCode.INVALID, `re and im must be ${type.name}s`);
  const bins = to - from;
  if (re.length < bins || im.length < bins) fail(ErrorCode.INVALID, `re and im must hold at least ${bins} bins, got ${re.length} and ${im.length}`);
}

/** requirePhasePair for a bind, which also takes a finite scale. */
export function requireBindPair(key: Uint32Array, value: Uint32Array, dimension: number, from: number, to: number, scale: number, re: Float32Array, im: Float32Array): void {
  requirePhasePair(key, value, dimension, from, to, re, im, Float32Array);
  if (!Number.isFinite(scale)) fail(ErrorCode.INVALID, `scale must be finite, got ${String(scale)}`);
}

/** The summed phases θ_key + θ_value of bins [from, to). */
function pairPhases(key: Uint32Array, value: Uint32Array, dimension: number, from: number, to: number): Float64Array {
  const theta = seedPhaseRange(key, dimension, from, to);
  const valueTheta = seedPhaseRange(value, dimension, from, to);
  for (let i = 0; i < theta.length; i++) theta[i] = theta[i]! + valueTheta[i]!;
  return theta;
}

/** re/im (float32) += scale·e^{i(θ_key + θ_value)}: binds the pair P_key ⊙ P_value into a field; Im of bins 0 and D/2 stays. */
export function bindPhasePair(key: Uint32Array, value: Uint32Array, dimension: number, from: number, to: number, scale: number, re: Float32Array, im: Float32Array): void {
  requireBindPair(key, value, dimension, from, to, scale, re, im);
  const theta = pairPhases(key, value, dimension, from, to);
  const half = dimension / 2;
  for (let k = from; k < to; k++) {
    re[k - from] = re[k - from]! + scale * Math.cos(theta[k - from]!);
    if (k > 0 && k < half) im[k - from] = im[k - from]! + scale * Math.sin(theta[k - from]!);
  }
}

/** Σ w_k (re_k cos θ_k + im_k sin θ_k) over [from, to) with θ = θ_key + θ_value, w = 1 at bins 0 and D/2, else 2: Re⟨ψ, P_key ⊙ P_value⟩. */
export function phasePairDot(key: Uint32Array, value: Uint32Array, dimension: number, from: number, to: number, re: Float32Array, im: Float32Array): number {
  requirePhasePair(key, value, dimension, from, to, re, im, Float32Array);
  return weightedDot(pairPhases(key, value, dimension, from, to), dimension, from, to, re, im);
}

/** Σ w_k (re_k cos θ_k + im_k sin θ_k) of one code over [from, to), w as in phasePairDot: Re⟨ψ, P_seed⟩. */
export function phaseCodeDot(seed: Uint32Array, dimension: number, from: number, to: number, re: Float32Array, im: Float32Array): number {
  requirePhasePair(seed, null, dimension, from, to, re, im, Float32Array);
  return weightedDot(seedPhaseRange(seed, dimension, from, to), dimension, from, to, re, im);
}

/** Σ w_k (re_k cos θ_k + im_k sin θ_k) over [from, to), θ given from bin `from`. */
function weightedDot(theta: Float64Array, dimension: number, from: number, to: number, re: Float32Array, im: Float32Array): number {
  const half = dimension / 2;
  let interior = 0, edges = 0;
  for (let k = from; k < to; k++) {
    const c = re[k - from]! * Math.cos(theta[k - from]!);
    if (k > 0 && k < half) interior += c + im[k - from]! * Math.sin(theta[k - from]!);
    else edges += c;
  }
  return 2 * interior + edges;
}

/** re/im (float64) = cos θ_k, sin θ_k of one code over [from, to) (sin 0 at bins 0 and D/2): a slice of phaseCode. */
export function phaseCodeRange(seed: Uint32Array, dimension: number, from: number, to: number, re: Float64Array, im: Float64Array): void {
  requirePhasePair(seed, null, dimension, from, to, re, im, Float64Array);
  const theta = seedPhaseRange(seed, dimension, from, to);
  const half = dimension / 2;
  for (let k = from; k < to; k++) {
    re[k - from] = Math.cos(theta[k - from]!);
    im[k - from] = k > 0 && k < half ? Math.sin(theta[k - from]!) : 0;
  }
}
