import { ErrorCode, fail } from '../errors.js';
import { eccEncode, parityBuffer, requireEccBlock } from '../holo/ecc.js';
import { bindPhasePair, phaseCodeDot, phaseCodeRange, phasePairDot, requireBindPair, requirePhasePair } from '../holo/phase-pair.js';
import { clusterByResonance } from '../l3/cluster.js';
import { CLASS_COUNT, PAGE_SIZE } from '../l3/r96.js';
import { requireBytes, requireClass } from '../validate.js';
import type { BackendName, Kernels, RawKernels } from './types.js';

// The same checks, in the same order, as the reference in src/l2 and src/l3, so that every backend fails alike.

function wholePages(input: Uint8Array, what: string): number {
  requireBytes(input, what);
  if (input.length % PAGE_SIZE !== 0) fail(ErrorCode.INVALID, `${what} length ${input.length} is not a whole number of 256-byte pages`);
  return input.length / PAGE_SIZE;
}

function requireResidue(residue: number): number {
  if (typeof residue !== 'number' || !Number.isInteger(residue) || residue < 0 || residue > 95) fail(ErrorCode.INVALID, `residue must be in 0..95, got ${String(residue)}`);
  return residue;
}

/** Wraps unchecked compiled kernels in the reference's argument validation. */
export function checked(name: BackendName, variant: () => string, raw: RawKernels): Kernels {
  return Object.freeze({
    name,
    get variant() {
      return variant();
    },
    byteSum: (bytes) => raw.byteSum(requireBytes(bytes)),
    conservedSum: (bytes) => raw.update(0, requireBytes(bytes)),
    windowCheck: (bytes) => raw.update(0, requireBytes(bytes)) === 0,
    conservedUpdate: (residue, chunk) => raw.update(requireResidue(residue), requireBytes(chunk, 'chunk')),
    conservedDelta(before, after) {
      requireBytes(before, 'before');
      requireBytes(after, 'after');
      if (before.length !== after.length) fail(ErrorCode.INVALID, `before and after differ in length (${before.length} vs ${after.length})`);
      return raw.delta(before, after);
    },
    conservedMemset(dst, value) {
      requireBytes(dst, 'dst');
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) fail(ErrorCode.INVALID, `value must be a byte, got ${String(value)}`);
      raw.memset(dst, value);
      return dst;
    },
    conservedMemcpy(dst, src) {
      requireBytes(dst, 'dst');
      requireBytes(src, 'src');
      if (dst.length < src.length) {
        if (raw.update(0, src) !== 0) fail(ErrorCode.CONSERVATION, 'source is not conserved (sum mod 96 != 0); destination untouched');
        fail(ErrorCode.INVALID, `dst holds ${dst.length} bytes, src has ${src.length}`);
      }
      if (raw.memcpy(dst, src) !== 0) fail(ErrorCode.CONSERVATION, 'source is not conserved (sum mod 96 != 0); destination untouched');
      return dst;
    },
    r96ClassifyPages(input, output) {
      wholePages(input, 'input');
      requireBytes(output, 'output');
      if (output.length < input.length) fail(ErrorCode.INVALID, 'output is shorter than input');
      raw.classify(input, output);
      return output;
    },
    r96HistogramPages(input, output) {
      const pages = wholePages(input, 'input');
      if (!(output instanceof Uint16Array) || output.length < pages * CLASS_COUNT) {
        fail(ErrorCode.INVALID, `output must be a Uint16Array of at least ${pages * CLASS_COUNT} counters`);
      }
      raw.histogramPages(input, output);
      return output;
    },
    harmonizes: (r1, r2) => raw.harmonizes(requireClass(r1, 'r1'), requireClass(r2, 'r2')),
    clusterByResonance(base, pages) {
      const { cluster } = raw;
      if (cluster === undefined) return clusterByResonance(base, pages);
      requireBytes(base, 'base');
      if (typeof pages !== 'number' || !Number.isInteger(pages) || pages < 1) fail(ErrorCode.INVALID, `pages must be an integer >= 1, got ${String(pages)}`);
      const n = pages * PAGE_SIZE;
      if (base.length < n) fail(ErrorCode.INVALID, `base holds ${base.length} bytes, ${n} needed for ${pages} pages`);
      const offsets = new Uint32Array(CLASS_COUNT + 1);
      const indices = new Uint32Array(n);
      if (cluster.call(raw, base, offsets, indices) !== ErrorCode.OK) fail(ErrorCode.MEMORY, 'cluster scratch allocation failed');
      return { offsets, indices };
    },
    eccParity(block, out) {
      const { eccParity } = raw;
      if (eccParity === undefined) return eccEncode(block, out);
      requireEccBlock(block);
      const parity = parityBuffer(out);
      eccParity.call(raw, block, parity);
      return parity;
    },
    bindPhasePair(key, value, dimension, from, to, scale, re, im) {
      if (raw.bindPhasePair === undefined) return bindPhasePair(key, value, dimension, from, to, scale, re, im);
      requireBindPair(key, value, dimension, from, to, scale, re, im);
      raw.bindPhasePair(key, value, dimension, from, to, scale, re, im);
    },
    phasePairDot(key, value, dimension, from, to, re, im) {
      if (raw.phasePairDot === undefined) return phasePairDot(key, value, dimension, from, to, re, im);
      requirePhasePair(key, value, dimension, from, to, re, im, Float32Array);
      return raw.phasePairDot(key, value, dimension, from, to, re, im);
    },
    phaseCodeDotF32(seed, dimension, from, to, re, im) {
      if (raw.phaseCodeDotF32 === undefined) return phaseCodeDot(seed, dimension, from, to, re, im);
      requirePhasePair(seed, null, dimension, from, to, re, im, Float32Array);
      return raw.phaseCodeDotF32(seed, dimension, from, to, re, im);
    },
    phaseCodeRange(seed, dimension, from, to, re, im) {
      if (raw.phaseCodeRange === undefined) return phaseCodeRange(seed, dimension, from, to, re, im);
      requirePhasePair(seed, null, dimension, from, to, re, im, Float64Array);
      raw.phaseCodeRange(seed, dimension, from, to, re, im);
    },
  } satisfies Kernels);
}
