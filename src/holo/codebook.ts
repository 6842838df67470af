import { createHmac } from 'node:crypto';
import { ErrorCode, fail } from '../errors.js';
import { requireBytes } from '../validate.js';
import { createFftPlan, irfft, isPowerOfTwo, type FftPlan, type HalfSpectrum } from './fft.js';

/**
 * Seeded Hermitian phase codebook (holo-store.md §3.2). A code is returned as its bins 0..D/2, P[k] = e^{iθ_k};
 * the upper half is implied by θ_{D−k} = −θ_k, so the time-domain code is real.
 */
export type PhaseCode = HalfSpectrum;

const GOLDEN_HI = 0x9e3779b9, GOLDEN_LO = 0x7f4a7c15;
const MIX1_HI = 0xbf58476d, MIX1_LO = 0x1ce4e5b9;
const MIX2_HI = 0x94d049bb, MIX2_LO = 0x133111eb;
const TWO_POW_32 = 2 ** 32;

/** κ = "K" ‖ u8 layer ‖ docId ‖ u32be chunkIndex. */
export function keyCodeId(layer: number, docId: Uint8Array, chunkIndex: number): Uint8Array {
  if (!Number.isInteger(layer) || layer < 0 || layer > 255) fail(ErrorCode.INVALID, `layer must be a u8, got ${layer}`);
  if (!Number.isInteger(chunkIndex) || chunkIndex < 0 || chunkIndex > 0xffffffff) fail(ErrorCode.INVALID, `chunk index must be a u32, got ${chunkIndex}`);
  requireBytes(docId, 'docId');
  const id = new Uint8Array(2 + docId.length + 4);
  id[0] = 0x4b;
  id[1] = layer;
  id.set(docId, 2);
  new DataView(id.buffer).setUint32(2 + docId.length, chunkIndex, false);
  return id;
}

/** κ = "V" ‖ chunkHash. */
export function valueCodeId(chunkHash: Uint8Array): Uint8Array {
  requireBytes(chunkHash, 'chunkHash');
  const id = new Uint8Array(1 + chunkHash.length);
  id[0] = 0x56;
  id.set(chunkHash, 1);
  return id;
}

// Results of mul64/mix64Into, kept in module scope so the hot loop allocates nothing.
let outHi = 0, outLo = 0;

/** High 32 bits of the 64-bit product of two u32s, exact with 16-bit limbs. */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p01 = a0 * b1, p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
}

/** Low 64 bits of (aHi:aLo)·(bHi:bLo) into outHi:outLo. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  outHi = (mulHi32(aLo, bLo) + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
  outLo = Math.imul(aLo, bLo) >>> 0;
}

/** The splitmix64 finaliser on hi:lo into outHi:outLo. */
function mix64Into(hi: number, lo: number): void {
  mul64((hi ^ (hi >>> 30)) >>> 0, (lo ^ ((lo >>> 30) | (hi << 2))) >>> 0, MIX1_HI, MIX1_LO);
  hi = outHi; lo = outLo;
  mul64((hi ^ (hi >>> 27)) >>> 0, (lo ^ ((lo >>> 27) | (hi << 5))) >>> 0, MIX2_HI, MIX2_LO);
  hi = outHi; lo = outLo;
  outHi = (hi ^ (hi >>> 31)) >>> 0;
  outLo = (lo ^ ((lo >>> 31) | (hi << 1))) >>> 0;
}

/** The splitmix64 finaliser on a 64-bit value held as two u32 halves. */
export function mix64(hi: number, lo: number): [number, number] {
  mix64Into(hi, lo);
  return [outHi, outLo];
}

/** The phases θ_0..θ_{D/2} of the code for κ under storeSecret, exactly as §3.2 derives them. */
export function codePhases(storeSecret: Uint8Array, codeId: Uint8Array, dimension: number): Float64Array {
  return codePhaseRange(storeSecret, codeId, dimension, 0, dimension / 2 + 1);
}

/** The code's seed (§3.2): HMAC-SHA256(storeSecret, κ)[0..16) as u32 words s0 lo, s0 hi, s1 lo, s1 hi. */
export function codeSeed(storeSecret: Uint8Array, codeId: Uint8Array): Uint32Array {
  requireBytes(storeSecret, 'storeSecret');
  if (storeSecret.length === 0) fail(ErrorCode.INVALID, 'storeSecret must not be empty');
  const seed = createHmac('sha256', storeSecret).update(requireBytes(codeId, 'codeId')).digest();
  return Uint32Array.of(seed.readUInt32LE(0), seed.readUInt32LE(4), seed.readUInt32LE(8), seed.readUInt32LE(12));
}

/** Checks a bin range [from, to) of a dimension-D code: D a power of two >= 2, 0 <= from <= to <= D/2 + 1. */
export function requirePhaseRange(dimension: number, from: number, to: number): void {
  if (!isPowerOfTwo(dimension) || dimension < 2 || dimension > 2 ** 31) fail(ErrorCode.INVALID, `code dimension must be a power of two in 2..2^31, got ${dimension}`);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > dimension / 2 + 1 || from > to) fail(ErrorCode.INVALID, `phase range [${from}, ${to}) is outside 0..${dimension / 2}`);
}

/**
 * θ_from..θ_{to−1} of the same code (index k − from), so a large code can be produced in slices: the splitmix64
 * state at k is s0 + k·golden, reached directly by one 64-bit multiply.
 */
export function codePhaseRange(storeSecret: Uint8Array, codeId: Uint8Array, dimension: number, from: number, to: number): Float64Array {
  requirePhaseRange(dimension, from, to);
  return seedPhaseRange(codeSeed(storeSecret, codeId), dimension, from, to);
}

/** codePhaseRange from a code's seed (codeSeed). */
export function seedPhaseRange(seed: Uint32Array, dimension: number, from: number, to: number): Float64Array {
  const half = dimension / 2;
  const s0Lo = seed[0]!, s0Hi = seed[1]!, s1Lo = seed[2]!, s1Hi = seed[3]!;
  const theta = new Float64Array(to - from); // θ_0 = 0
  const start = Math.max(from, 1);
  // state = s0 + (start − 1)·golden (mod 2^64), then advanced by one golden step per k.
  mul64(0, start - 1, GOLDEN_HI, GOLDEN_LO);
  const first = outLo + s0Lo;
  let stateHi = (outHi + s0Hi + (first >= TWO_POW_32 ? 1 : 0)) >>> 0, stateLo = first >>> 0;
  for (let k = start; k < to; k++) {
    const lo = stateLo + GOLDEN_LO;
    stateHi = (stateHi + GOLDEN_HI + (lo >= TWO_POW_32 ? 1 : 0)) >>> 0;
    stateLo = lo >>> 0;
    mix64Into(stateHi, stateLo);
    const xHi = (outHi ^ s1Hi) >>> 0, xLo = (outLo ^ s1Lo) >>> 0;
    theta[k - from] = k < half ? 2 * Math.PI * ((xHi * 2 ** 21 + (xLo >>> 11)) * 2 ** -53) : Math.PI * (xHi >>> 31);
  }
  return theta;
}

/** P_κ[k] = e^{iθ_k} for k = 0..D/2, computed in float64 on the host and passed as data to every backend. */
export function phaseCode(storeSecret: Uint8Array, codeId: Uint8Array, dimension: number): PhaseCode {
  const theta = codePhases(storeSecret, codeId, dimension);
  const re = new Float64Array(theta.length);
  const im = new Float64Array(theta.length);
  for (let k = 0; k < theta.length; k++) {
    re[k] = Math.cos(theta[k]!);
    im[k] = Math.sin(theta[k]!);
  }
  im[0] = 0;
  im[theta.length - 1] = 0;
  return { re, im };
}

/** The spectrum F p_κ = D^{−1/2} P_κ of the unit-norm time code: what a phase code contributes as a bound item. */
export function codeSpectrum(code: PhaseCode): HalfSpectrum {
  const s = 1 / Math.sqrt(2 * (code.re.length - 1));
  return { re: code.re.map((v) => v * s), im: code.im.map((v) => v * s) };
}

/** The real, unit-norm time-domain code p_κ = D^{−1/2} F⁻¹ P_κ. */
export function timeCode(code: PhaseCode, plan: FftPlan = createFftPlan(2 * (code.re.length - 1))): Float64Array {
  return irfft(codeSpectrum(code), plan);
}
