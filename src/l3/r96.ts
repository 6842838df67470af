import { ErrorCode, fail } from '../errors.js';
import { requireBytes, requireClass, requireIndex, requireLength } from '../validate.js';

export const PAGE_SIZE = 256;
export const CLASS_COUNT = 96;

/** r96(b) = b % 96 for every byte: 0..95, 0..95, 0..63. */
export const R96_TABLE: Readonly<Uint8Array> = Uint8Array.from({ length: 256 }, (_, b) => b % CLASS_COUNT);

export function r96Classify(byte: number): number {
  return R96_TABLE[requireIndex(byte, 256, 'byte')]!;
}

/** Classifies the first 256 bytes of `in256` into `out` (allocated when omitted). */
export function r96ClassifyPage(in256: Uint8Array, out256?: Uint8Array): Uint8Array {
  requireLength(requireBytes(in256, 'in256'), PAGE_SIZE, 'in256');
  const out = out256 === undefined ? new Uint8Array(PAGE_SIZE) : requireLength(requireBytes(out256, 'out256'), PAGE_SIZE, 'out256');
  for (let i = 0; i < PAGE_SIZE; i++) out[i] = R96_TABLE[in256[i]!]!;
  return out;
}

/** 96-bin histogram of the first 256 bytes; the output is zeroed first. */
export function r96HistogramPage(in256: Uint8Array, out96?: Uint16Array): Uint16Array {
  requireLength(requireBytes(in256, 'in256'), PAGE_SIZE, 'in256');
  let out: Uint16Array;
  if (out96 === undefined) out = new Uint16Array(CLASS_COUNT);
  else if (!(out96 instanceof Uint16Array) || out96.length < CLASS_COUNT) fail(ErrorCode.INVALID, 'out96 must be a Uint16Array of at least 96 counters');
  else out = out96.fill(0, 0, CLASS_COUNT);
  for (let i = 0; i < PAGE_SIZE; i++) out[R96_TABLE[in256[i]!]!]!++;
  return out;
}

/** Classifies every whole page of `input` into `output` (same length, a multiple of 256). */
export function r96ClassifyPages(input: Uint8Array, output: Uint8Array): Uint8Array {
  requireWholePages(input, 'input');
  requireBytes(output, 'output');
  if (output.length < input.length) fail(ErrorCode.INVALID, 'output is shorter than input');
  for (let i = 0; i < input.length; i++) output[i] = R96_TABLE[input[i]!]!;
  return output;
}

/** One 96-bin histogram per whole page of `input`, page p at output[96p .. 96p+95]. */
export function r96HistogramPages(input: Uint8Array, output: Uint16Array): Uint16Array {
  const pages = requireWholePages(input, 'input') / PAGE_SIZE;
  if (!(output instanceof Uint16Array) || output.length < pages * CLASS_COUNT) {
    fail(ErrorCode.INVALID, `output must be a Uint16Array of at least ${pages * CLASS_COUNT} counters`);
  }
  output.fill(0, 0, pages * CLASS_COUNT);
  for (let p = 0; p < pages; p++) {
    const base = p * CLASS_COUNT;
    const start = p * PAGE_SIZE;
    for (let i = start; i < start + PAGE_SIZE; i++) output[base + R96_TABLE[input[i]!]!]!++;
  }
  return output;
}

function requireWholePages(input: Uint8Array, what: string): number {
  requireBytes(input, what);
  if (input.length % PAGE_SIZE !== 0) fail(ErrorCode.INVALID, `${what} length ${input.length} is not a whole number of 256-byte pages`);
  return input.length;
}

/** (r1 + r2) % 96 == 0. Classes above 95 are rejected, never reduced. */
export function harmonizes(r1: number, r2: number): boolean {
  return (requireClass(r1, 'r1') + requireClass(r2, 'r2')) % CLASS_COUNT === 0;
}

export function conjugate(r: number): number {
  return (CLASS_COUNT - requireClass(r)) % CLASS_COUNT;
}

/** Argmax of a histogram with strict '>', so ties go to the lowest class; all zero gives 0. */
export function dominantClass(hist: ArrayLike<number>): number {
  if (hist === null || typeof hist !== 'object' || typeof hist.length !== 'number' || hist.length < CLASS_COUNT) {
    fail(ErrorCode.INVALID, 'hist must hold 96 counters');
  }
  let best = 0;
  for (let c = 0; c < CLASS_COUNT; c++) {
    const count = hist[c];
    if (typeof count !== 'number' || !(count >= 0)) fail(ErrorCode.INVALID, `hist[${c}] must be a non-negative count, got ${String(count)}`);
    if (count > hist[best]!) best = c;
  }
  return best;
}
