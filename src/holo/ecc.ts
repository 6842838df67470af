import { AtlasError, ErrorCode, fail } from '../errors.js';
import { requireBytes } from '../validate.js';

/**
 * RS(255,223) over GF(2^8) (primitive polynomial 0x11D, α = 2, generator roots α^0..α^31, systematic), interleaved
 * to depth 56: byte j of the protected block (data ‖ parity) belongs to codeword j mod 56, so each shortened codeword
 * gets every 56th data byte plus 32 parity bytes and any burst of ≤ 16·56 = 896 bytes costs a codeword ≤ 16 symbols.
 */
export const RS_N = 255;
export const RS_K = 223;
export const RS_PARITY = 32;
export const ECC_DEPTH = 56;
export const ECC_PARITY_BYTES = RS_PARITY * ECC_DEPTH;
export const ECC_MAX_BLOCK = RS_K * ECC_DEPTH;

const T = RS_PARITY / 2;

/** A block the code cannot repair (more than 16 symbol errors in one codeword). Its bytes are never returned. */
export class UnrecoverableError extends AtlasError {
  readonly codeword: number;
  constructor(codeword: number, why: string) {
    super(ErrorCode.WITNESS, `unrecoverable: codeword ${codeword} ${why}`);
    this.name = 'UnrecoverableError';
    this.codeword = codeword;
  }
}

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

function mul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

function div(a: number, b: number): number {
  return a === 0 ? 0 : EXP[LOG[a]! + 255 - LOG[b]!]!;
}

/** g(x) = Π_{i<32} (x − α^i), coefficients from x^32 (= 1) down to x^0. */
const GENERATOR = (() => {
  let g = [1];
  for (let i = 0; i < RS_PARITY; i++) {
    const next = new Array<number>(g.length + 1).fill(0);
    g.forEach((c, j) => {
      next[j] = next[j]! ^ c;
      next[j + 1] = next[j + 1]! ^ mul(c, EXP[i]!);
    });
    g = next;
  }
  return Uint8Array.from(g);
})();

const WORDS = RS_PARITY / 4;
/** GEN_ROWS[f·8 + w]: the products g_1·f … g_32·f packed big-endian into 8 words (byte j = g_{j+1}·f). */
const GEN_ROWS = new Uint32Array(256 * WORDS);
/** ALPHA_MUL[i·256 + s] = α^i·s: one Horner step of syndrome i. */
const ALPHA_MUL = new Uint8Array(RS_PARITY * 256);
for (let f = 0; f < 256; f++) {
  for (let j = 0; j < RS_PARITY; j++) {
    GEN_ROWS[f * WORDS + (j >> 2)] = (GEN_ROWS[f * WORDS + (j >> 2)]! | (mul(GENERATOR[j + 1]!, f) << (24 - 8 * (j & 3)))) >>> 0;
    ALPHA_MUL[j * 256 + f] = mul(EXP[j]!, f);
  }
}

/**
 * Feeds one data symbol into the 32-byte parity register held as 8 big-endian words at offset r: shift the register
 * one byte towards the high degree and add the generator row of the feedback symbol, a word at a time.
 */
function lfsrStep(register: Uint32Array, r: number, symbol: number): void {
  const row = (symbol ^ (register[r]! >>> 24)) * WORDS;
  for (let w = 0; w < WORDS - 1; w++) register[r + w] = ((register[r + w]! << 8) | (register[r + w + 1]! >>> 24)) ^ GEN_ROWS[row + w]!;
  register[r + WORDS - 1] = (register[r + WORDS - 1]! << 8) ^ GEN_ROWS[row + WORDS - 1]!;
}

/** Parity byte t (0 = highest degree) of the register at offset r. */
function registerByte(register: Uint32Array, r: number, t: number): number {
  return (register[r + (t >> 2)]! >>> (24 - 8 * (t & 3))) & 0xff;
}

/** The 32 parity symbols of one (possibly shortened) codeword with data.length ≤ 223. */
export function rsEncode(data: Uint8Array): Uint8Array {
  requireBytes(data, 'data');
  if (data.length > RS_K) fail(ErrorCode.INVALID, `an RS(255,223) codeword holds at most ${RS_K} data bytes, got ${data.length}`);
  const register = new Uint32Array(WORDS);
  for (const symbol of data) lfsrStep(register, 0, symbol);
  return Uint8Array.from({ length: RS_PARITY }, (_, t) => registerByte(register, 0, t));
}

/**
 * S_i = c(α^i) for i < 32, from Δ(x) = (parity recomputed from the data) ⊕ (stored parity): c(x) ≡ Δ(x) mod g(x)
 * and g(α^i) = 0, so S_i = Δ(α^i), a 32-term Horner sum instead of one over the whole codeword.
 */
function syndromes(codeword: Uint8Array): Uint8Array {
  const k = codeword.length - RS_PARITY;
  const register = new Uint32Array(WORDS);
  for (let j = 0; j < k; j++) lfsrStep(register, 0, codeword[j]!);
  const delta = Uint8Array.from({ length: RS_PARITY }, (_, t) => registerByte(register, 0, t) ^ codeword[k + t]!);
  const s = new Uint8Array(RS_PARITY);
  for (let i = 0; i < RS_PARITY; i++) {
    const row = i * 256;
    let acc = 0;
    for (let t = 0; t < RS_PARITY; t++) acc = ALPHA_MUL[row + acc]! ^ delta[t]!;
    s[i] = acc;
  }
  return s;
}

/**
 * Berlekamp–Massey seeded with the erasure locator Γ(x) = Π(1 − X_e x): returns the errata locator
 * Λ(x) = Π(1 − X_j x) over errors and erasures, lowest degree first, and its length L.
 */
function errataLocator(s: Uint8Array, erasure: readonly number[]): { locator: Uint8Array; length: number } {
  const e = erasure.length - 1;
  // Fixed-size zero-filled buffers: x^shift·B(x) never reaches past degree 2·32.
  const size = 2 * RS_PARITY + 2;
  let locator = new Uint8Array(size);
  let previous = new Uint8Array(size);
  locator.set(erasure);
  previous.set(erasure);
  let length = e, shift = 1, lastDiscrepancy = 1;
  for (let n = e; n < RS_PARITY; n++) {
    let d = 0;
    for (let i = 0; i <= n; i++) d ^= mul(locator[i]!, s[n - i]!);
    if (d === 0) {
      shift++;
      continue;
    }
    const factor = div(d, lastDiscrepancy);
    const next = locator.slice();
    for (let i = 0; i + shift < size; i++) next[i + shift] = next[i + shift]! ^ mul(factor, previous[i]!);
    if (2 * length <= n + e) {
      previous = locator;
      length = n + 1 + e - length;
      lastDiscrepancy = d;
      shift = 1;
    } else {
      shift++;
    }
    locator = next;
  }
  // deg Λ ≤ L when decoding succeeds; a non-zero coefficient above L means more errata than the code can locate.
  if (locator.subarray(length + 1).some((c) => c !== 0)) return { locator: locator.subarray(0, 0), length };
  return { locator: locator.slice(0, length + 1), length };
}

/** Chien search: the exponents p < n with Λ(α^{−p}) = 0, evaluating every term in the log domain incrementally. */
function chienRoots(locator: Uint8Array, n: number): number[] {
  const degree = locator.length - 1;
  const exponent = Int32Array.from(locator, (c) => (c === 0 ? -1 : LOG[c]!));
  const roots: number[] = [];
  for (let p = 0; p < n; p++) {
    let sum = locator[0]!;
    for (let i = 1; i <= degree; i++) {
      const e = exponent[i]!;
      if (e < 0) continue;
      sum ^= EXP[e]!;
      exponent[i] = e - i < 0 ? e - i + 255 : e - i;
    }
    if (sum === 0) roots.push(p);
  }
  return roots;
}

function evaluate(poly: ArrayLike<number>, x: number): number {
  let acc = 0;
  for (let i = poly.length - 1; i >= 0; i--) acc = mul(acc, x) ^ poly[i]!;
  return acc;
}

/**
 * Corrects a codeword (data ‖ 32 parity, ≤ 255 bytes) in place; returns the number of symbols changed. `erasures`
 * are indices in the codeword known to be bad: 2·errors + erasures ≤ 32 is correctable. Throws UnrecoverableError
 * beyond that; a result is only returned after the syndromes of the corrected word are re-checked to be zero.
 */
export function rsDecode(codeword: Uint8Array, codewordIndex = 0, erasures: readonly number[] = []): number {
  const n = codeword.length;
  if (n < RS_PARITY || n > RS_N) fail(ErrorCode.INVALID, `an RS(255,223) codeword has 32..255 bytes, got ${n}`);
  if (new Set(erasures).size !== erasures.length || erasures.some((i) => !Number.isInteger(i) || i < 0 || i >= n)) {
    fail(ErrorCode.INVALID, `erasures must be distinct indices in 0..${n - 1}`);
  }
  if (erasures.length > RS_PARITY) throw new UnrecoverableError(codewordIndex, `has ${erasures.length} erasures, more than ${RS_PARITY}`);
  const s = syndromes(codeword);
  if (s.every((v) => v === 0)) return 0;
  let gamma = [1];
  for (const i of erasures) {
    const x = EXP[n - 1 - i]!;
    gamma = [...gamma, 0].map((c, k) => c ^ (k > 0 ? mul(gamma[k - 1]!, x) : 0));
  }
  const { locator, length } = errataLocator(s, gamma);
  if (locator.length !== length + 1 || 2 * (length - erasures.length) + erasures.length > RS_PARITY) {
    throw new UnrecoverableError(codewordIndex, `has more than ${T} symbol errors (or too many with its ${erasures.length} erasures)`);
  }
  // Ω(x) = S(x)·Λ(x) mod x^32; Λ'(x) keeps the odd terms (characteristic 2).
  const omega = new Array<number>(RS_PARITY).fill(0);
  for (let i = 0; i < RS_PARITY; i++) for (let j = 0; j < locator.length && i + j < RS_PARITY; j++) omega[i + j] = omega[i + j]! ^ mul(s[i]!, locator[j]!);
  const derivative = locator.map((c, i) => (i % 2 === 1 ? c : 0)).subarray(1);
  let found = 0, changed = 0;
  for (const p of chienRoots(locator, n)) {
    const inverse = EXP[(255 - p) % 255]!;
    const denominator = evaluate(derivative, inverse);
    if (denominator === 0) throw new UnrecoverableError(codewordIndex, 'has an inconsistent errata locator');
    const magnitude = mul(EXP[p]!, div(evaluate(omega, inverse), denominator));
    codeword[n - 1 - p] = codeword[n - 1 - p]! ^ magnitude;
    found++;
    if (magnitude !== 0) changed++;
  }
  if (found !== length || syndromes(codeword).some((v) => v !== 0)) {
    throw new UnrecoverableError(codewordIndex, `has more than ${T} symbol errors (locator roots ${found} of ${length})`);
  }
  return changed;
}

/** Validates a block for eccEncode/eccDecode (and every backend's eccParity). */
export function requireEccBlock(block: Uint8Array): void {
  requireBytes(block, 'block');
  if (block.length > ECC_MAX_BLOCK) fail(ErrorCode.INVALID, `an interleaved block holds at most ${ECC_MAX_BLOCK} bytes, got ${block.length}`);
}

/** `out` when it is a Uint8Array of exactly 1,792 bytes, a fresh one when it is undefined. */
export function parityBuffer(out?: Uint8Array): Uint8Array {
  if (out === undefined) return new Uint8Array(ECC_PARITY_BYTES);
  requireBytes(out, 'out');
  if (out.length !== ECC_PARITY_BYTES) fail(ErrorCode.INVALID, `parity output must be ${ECC_PARITY_BYTES} bytes, got ${out.length}`);
  return out;
}

/** Index in the parity array of parity symbol t of codeword c, for a block of `length` data bytes. */
function parityIndex(length: number, c: number, t: number): number {
  return ((c - (length % ECC_DEPTH) + ECC_DEPTH) % ECC_DEPTH) + ECC_DEPTH * t;
}

/**
 * The 1,792 parity bytes of a block of ≤ 12,488 bytes (a 12,288-byte structure: 56 codewords of 219–220 data bytes),
 * written into `out` (every byte of it) when given.
 */
export function eccEncode(block: Uint8Array, out?: Uint8Array): Uint8Array {
  requireEccBlock(block);
  const parity = parityBuffer(out);
  const registers = new Uint32Array(ECC_DEPTH * WORDS);
  for (let j = 0, c = 0; j < block.length; j++, c = c === ECC_DEPTH - 1 ? 0 : c + 1) lfsrStep(registers, c * WORDS, block[j]!);
  for (let c = 0; c < ECC_DEPTH; c++) for (let t = 0; t < RS_PARITY; t++) parity[parityIndex(block.length, c, t)] = registerByte(registers, c * WORDS, t);
  return parity;
}

export interface EccRepair {
  readonly data: Uint8Array;
  readonly parity: Uint8Array;
  /** Symbols corrected, data and parity together. */
  readonly repairs: number;
  readonly codewordsRepaired: number;
}

/** Codeword c and its symbol index for byte j of the protected block data ‖ parity (data of `length` bytes). */
function symbolOf(length: number, j: number): [number, number] {
  const c = j % ECC_DEPTH;
  if (j < length) return [c, (j - c) / ECC_DEPTH];
  const dataCount = c < length ? Math.ceil((length - c) / ECC_DEPTH) : 0;
  return [c, dataCount + (j - length - parityIndex(length, c, 0)) / ECC_DEPTH];
}

/**
 * Checks and repairs a block against its parity; returns corrected copies, or throws UnrecoverableError.
 * `erasures` are byte positions in data ‖ parity known to be bad (lost or unreadable): up to 32 per codeword.
 */
export function eccDecode(block: Uint8Array, parity: Uint8Array, erasures: Iterable<number> = []): EccRepair {
  requireEccBlock(block);
  requireBytes(parity, 'parity');
  if (parity.length !== ECC_PARITY_BYTES) fail(ErrorCode.INVALID, `parity must be ${ECC_PARITY_BYTES} bytes, got ${parity.length}`);
  const erased: number[][] = Array.from({ length: ECC_DEPTH }, () => []);
  for (const j of erasures) {
    if (!Number.isInteger(j) || j < 0 || j >= block.length + ECC_PARITY_BYTES) fail(ErrorCode.INVALID, `erasure position ${j} is outside the protected block`);
    const [c, i] = symbolOf(block.length, j);
    erased[c]!.push(i);
  }
  const data = block.slice();
  const fixedParity = parity.slice();
  let repairs = 0, codewordsRepaired = 0;
  // Fast path: a codeword whose stored parity equals the parity recomputed from its data is a valid codeword.
  const expected = eccEncode(block);
  for (let c = 0; c < ECC_DEPTH; c++) {
    let consistent = erased[c]!.length === 0;
    for (let t = 0; consistent && t < RS_PARITY; t++) consistent = expected[parityIndex(block.length, c, t)] === parity[parityIndex(block.length, c, t)];
    if (consistent) continue;
    const dataCount = c < block.length ? Math.ceil((block.length - c) / ECC_DEPTH) : 0;
    const codeword = new Uint8Array(dataCount + RS_PARITY);
    for (let i = 0; i < dataCount; i++) codeword[i] = block[c + i * ECC_DEPTH]!;
    for (let t = 0; t < RS_PARITY; t++) codeword[dataCount + t] = parity[parityIndex(block.length, c, t)]!;
    const fixed = rsDecode(codeword, c, erased[c]);
    if (fixed === 0) continue;
    repairs += fixed;
    codewordsRepaired++;
    for (let i = 0; i < dataCount; i++) data[c + i * ECC_DEPTH] = codeword[i]!;
    for (let t = 0; t < RS_PARITY; t++) fixedParity[parityIndex(block.length, c, t)] = codeword[dataCount + t]!;
  }
  return { data, parity: fixedParity, repairs, codewordsRepaired };
}
