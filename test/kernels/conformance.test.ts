// One suite, every backend, against the TypeScript reference. A backend that cannot load fails here: no skips.
import { describe, expect, it } from 'vitest';
import { AtlasError, ErrorCode } from '../../src/errors.js';
import { codeSeed } from '../../src/holo/codebook.js';
import { ECC_MAX_BLOCK, ECC_PARITY_BYTES, eccDecode, eccEncode } from '../../src/holo/ecc.js';
import { bindPhasePair, phaseCodeDot, phaseCodeRange, phasePairDot } from '../../src/holo/phase-pair.js';
import { conservedMemcpy, conservedMemset } from '../../src/l2/memory.js';
import { byteSum, conservedDelta } from '../../src/l2/sum.js';
import { clusterByResonance } from '../../src/l3/cluster.js';
import { harmonizes, r96ClassifyPages, r96HistogramPages } from '../../src/l3/r96.js';
import { loadKernels, type Kernels } from '../../src/kernels/index.js';
import { nativeAddon } from '../../src/kernels/native.js';
import { seededRandom } from '../holo/helpers.js';

const LENGTHS = [0, 1, 2, 31, 32, 63, 64, 65, 96, 255, 256, 257, 8191, 8192, 8193, 12288, 12289, 70000];
const PAGE_COUNTS = [0, 1, 2, 3, 48, 49];
const OFFSETS = [0, 1, 3, 7];
/** Block lengths around the interleave depth (56) and codeword size (223), a structure, and the largest block. */
const ECC_LENGTHS = [0, 1, 55, 56, 57, 223, 12287, 12288, 12289, ECC_MAX_BLOCK];


const PHASE_SECRET = new TextEncoder().encode('conformance secret');
const seedOf = (n: number): Uint32Array => codeSeed(PHASE_SECRET, Uint8Array.of(n, n >> 8));
/** Bin ranges of a dimension-D code: the whole code, both real edge bins alone, interior and edge slices, and a long
 * slice from an odd bin (at D = 2^19 the long ranges outrun the wasm backend's staging chunks). */
function phaseRanges(d: number): [number, number][] {
  const half = d / 2;
  return [[0, half + 1], [0, 1], [half, half + 1], [0, 0], [1, Math.min(half, 9)], [Math.max(0, half - 5), half + 1], [Math.floor(half / 3), Math.min(half + 1, Math.floor(half / 3) + 17)], [Math.floor(half / 7) | 1, half]];
}

/** Σ w_k (|re_k| + |im_k|) over bins [from, to) of a dimension-d field (w = 2 inside, 1 at bins 0 and d/2): what bounds
 * a dot product's error from per-term errors in cos/sin. */
function weightedAbs(re: Float32Array, im: Float32Array, d: number, from: number, to: number): number {
  let sum = 0;
  for (let k = from; k < to; k++) sum += (k > 0 && k < d / 2 ? 2 : 1) * (Math.abs(re[k - from]!) + Math.abs(im[k - from]!));
  return sum;
}

/** The largest |a_i − b_i|, and its index, so that one assertion covers a whole code. */
function maxDeviation(a: ArrayLike<number>, b: ArrayLike<number>): { deviation: number; at: number } {
  let deviation = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const x = Math.abs(a[i]! - b[i]!);
    if (!(x <= deviation)) (deviation = x), (at = i);
  }
  return { deviation, at };
}

/** A random float32 field slice of `bins` bins in a view at an odd offset of a shared buffer. */
function fieldViews(bins: number, seed: number): { re: Float32Array; im: Float32Array } {
  const next = seededRandom(seed);
  const view = () => Float32Array.from({ length: bins }, () => next() * 2 - 1);
  const shared = (a: Float32Array) => {
    const out = new Float32Array(new SharedArrayBuffer(4 * (bins + 3)), 12, bins);
    out.set(a);
    return out;
  };
  return { re: shared(view()), im: shared(view()) };
}

/** Random bytes in a view at `offset` of a plain or shared buffer, so alignment and SAB paths are both covered. */
function bytes(len: number, seed: number, offset = 0, shared = false): Uint8Array {
  const next = seededRandom(seed);
  const buf = shared ? new SharedArrayBuffer(len + offset + 5) : new ArrayBuffer(len + offset + 5);
  const view = new Uint8Array(buf, offset, len);
  for (let i = 0; i < len; i++) view[i] = Math.floor(next() * 256);
  return view;
}

function codeOf(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof AtlasError) return e.code;
    throw e;
  }
}

/** The native addon runs every CPU variant this machine supports; wasm and js run once. */
function targets(): { label: string; load: () => Kernels }[] {
  const out: { label: string; load: () => Kernels }[] = [];
  for (const variant of ['base', 'v3', 'v4']) {
    out.push({
      label: `native/${variant}`,
      load: () => {
        const k = loadKernels('native');
        if (!nativeAddon().select(variant)) {
          expect(variant, 'only AVX-512 may be missing on this CPU').toBe('v4');
          return k;
        }
        return k;
      },
    });
  }
  out.push({ label: 'wasm', load: () => loadKernels('wasm') });
  out.push({ label: 'js', load: () => loadKernels('js') });
  return out;
}

describe.each(targets())('kernels conformance: $label', ({ load }) => {
  const k = (): Kernels => load();

  it('loads and names itself', () => {
    expect(['native', 'wasm', 'js']).toContain(k().name);
  });

  it('sum, window check, update: spec vectors', () => {
    expect(k().conservedSum(new Uint8Array(64).fill(16))).toBe(64);
    expect(k().conservedSum(Uint8Array.from({ length: 256 }, (_, i) => i))).toBe(0);
    expect(k().windowCheck(new Uint8Array(0))).toBe(true);
    expect(k().windowCheck(Uint8Array.from({ length: 64 }, (_, i) => i))).toBe(true);
    let r = 0;
    const seen: number[] = [];
    for (let c = 0; c < 6; c++) seen.push((r = k().conservedUpdate(r, new Uint8Array(16).fill(7))));
    expect(seen).toEqual([16, 32, 48, 64, 80, 0]);
  });

  it('byteSum, sum, update and delta match the reference on random, unaligned and shared views', () => {
    let seed = 1;
    for (const len of LENGTHS) {
      for (const offset of OFFSETS) {
        for (const shared of [false, true]) {
          const a = bytes(len, seed++, offset, shared);
          const b = bytes(len, seed++, (offset + 1) % 8, !shared);
          const sa = byteSum(a);
          expect(k().byteSum(a)).toBe(sa);
          expect(k().conservedSum(a)).toBe(sa % 96);
          expect(k().windowCheck(a)).toBe(sa % 96 === 0);
          expect(k().conservedUpdate(95, a)).toBe((95 + sa) % 96);
          expect(k().conservedDelta(a, b)).toBe(conservedDelta(a, b));
          expect(k().conservedDelta(b, a)).toBe(conservedDelta(b, a));
        }
      }
    }
  });

  it('sums never wrap in narrow lanes: all-255 buffers', () => {
    for (const len of [64, 8192, 8256, 65536, 1 << 20]) {
      const a = new Uint8Array(len).fill(255);
      expect(k().byteSum(a)).toBe(255 * len);
      expect(k().conservedSum(a)).toBe((255 * len) % 96);
    }
  });

  it('delta: the spec table, including Σafter < Σbefore', () => {
    const table: [number[], number[], number][] = [
      [[100], [95], 91],
      [[...new Array<number>(32).fill(10)], [...new Array<number>(31).fill(10), 5], 91],
      [[95], [0], 1],
      [[0], [95], 95],
      [[5, 0], [101, 0], 0],
      [[255, 255], [0, 0], 66],
      [[1], [0], 95],
    ];
    for (const [before, after, delta] of table) expect(k().conservedDelta(Uint8Array.from(before), Uint8Array.from(after))).toBe(delta);
    const ramp = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(k().conservedDelta(ramp, new Uint8Array(256))).toBe(0);
  });

  it('memset: the spec table and the exhaustive grid val 0..255 x len 0..399 equal the reference', () => {
    expect([...k().conservedMemset(new Uint8Array(2), 200)]).toEqual([200, 184]);
    expect([...k().conservedMemset(new Uint8Array(1), 200)]).toEqual([192]);
    expect([...k().conservedMemset(new Uint8Array(5), 7)]).toEqual([7, 7, 7, 7, 68]);
    const ours = new Uint8Array(400);
    const ref = new Uint8Array(400);
    for (let val = 0; val < 256; val++) {
      for (let len = 0; len < 400; len++) {
        k().conservedMemset(ours.subarray(1, 1 + len), val);
        conservedMemset(ref.subarray(1, 1 + len), val);
        if (ours.subarray(1, 1 + len).some((x, i) => x !== ref[1 + i])) expect({ val, len, ours: [...ours.subarray(1, 1 + len)] }).toEqual({ val, len, ours: [...ref.subarray(1, 1 + len)] });
      }
    }
    const big = new Uint8Array(12288 * 3 + 5);
    expect(byteSum(k().conservedMemset(big, 250)) % 96).toBe(0);
    expect(big.subarray(0, big.length - 1).every((x) => x === 250)).toBe(true);
  });

  it('memcpy: fails closed, copies conserved sources, memmove on overlap', () => {
    const dst = new Uint8Array(3).fill(0xaa);
    expect(codeOf(() => k().conservedMemcpy(dst, Uint8Array.from([1, 2, 3])))).toBe(ErrorCode.CONSERVATION);
    expect([...dst]).toEqual([0xaa, 0xaa, 0xaa]);
    const src = Uint8Array.from({ length: 64 }, (_, i) => i);
    const out = new Uint8Array(64);
    expect(k().conservedMemcpy(out, src)).toBe(out);
    expect(out).toEqual(src);
    for (const len of LENGTHS) {
      const shared = new Uint8Array(new SharedArrayBuffer(len + 96 + 8));
      shared.set(bytes(len, len + 7), 3);
      const fix = (96 - (byteSum(shared.subarray(3, 3 + len)) % 96)) % 96;
      if (len > 0) shared[3] = (shared[3]! + fix) % 256 === shared[3]! + fix ? shared[3]! + fix : shared[3]! - (96 - fix);
      const s = shared.subarray(3, 3 + len);
      const expected = new Uint8Array(shared);
      const refCode = codeOf(() => conservedMemcpy(expected.subarray(5, 5 + len), expected.subarray(3, 3 + len)));
      expect(codeOf(() => k().conservedMemcpy(shared.subarray(5, 5 + len), s))).toBe(refCode);
      expect(shared).toEqual(expected);
    }
  });

  it('classify and histogram pages match the reference on random, unaligned and shared inputs', () => {
    let seed = 100;
    for (const pages of PAGE_COUNTS) {
      for (const offset of OFFSETS) {
        const input = bytes(pages * 256, seed++, offset, offset % 2 === 1);
        const ours = new Uint8Array(pages * 256 + 3);
        const ref = new Uint8Array(pages * 256 + 3);
        expect(k().r96ClassifyPages(input, ours.subarray(offset % 3))).toEqual(r96ClassifyPages(input, ref.subarray(offset % 3)));
        const hist = new Uint16Array(pages * 96 + 1).fill(9);
        const refHist = new Uint16Array(pages * 96 + 1).fill(9);
        expect(k().r96HistogramPages(input, hist)).toEqual(r96HistogramPages(input, refHist));
      }
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const cls = k().r96ClassifyPages(all, new Uint8Array(256));
    expect([...cls]).toEqual([...all].map((b) => b % 96));
    const hist = k().r96HistogramPages(all, new Uint16Array(96));
    expect([...hist]).toEqual(Array.from({ length: 96 }, (_, c) => (c < 64 ? 3 : 2)));
  });

  it('harmonizes: every pair of classes', () => {
    for (let r1 = 0; r1 < 96; r1++) for (let r2 = 0; r2 < 96; r2++) expect(k().harmonizes(r1, r2)).toBe(harmonizes(r1, r2));
  });

  it('cluster by resonance equals the reference CSR on random, skewed, unaligned and shared inputs', () => {
    let seed = 500;
    for (const pages of [1, 2, 48, 49]) {
      for (const offset of [0, 5]) {
        const base = bytes(pages * 256 + 7, seed++, offset, offset > 0);
        if (seed % 2 === 0) base.subarray(0, 300).fill(200);
        const ours = k().clusterByResonance(base, pages);
        const ref = clusterByResonance(base, pages);
        expect(ours.offsets).toEqual(ref.offsets);
        expect(ours.indices).toEqual(ref.indices);
      }
    }
    const ramp = k().clusterByResonance(Uint8Array.from({ length: 256 }, (_, i) => i), 1);
    expect([ramp.offsets[1], ramp.offsets[64], ramp.offsets[65], ramp.offsets[96]]).toEqual([3, 192, 194, 256]);
    expect([...ramp.indices.subarray(0, 3)]).toEqual([0, 96, 192]);
  });

  it('eccParity equals eccEncode bit for bit on random, unaligned and shared blocks, into fresh or given outputs', () => {
    let seed = 900;
    for (const len of ECC_LENGTHS) {
      for (const offset of [0, 3]) {
        for (const shared of [false, true]) {
          const block = bytes(len, seed++, offset, shared);
          const expected = eccEncode(block);
          expect(k().eccParity(block)).toEqual(expected);
          // A stale, unaligned, shared output: every byte must be overwritten.
          const out = new Uint8Array(new SharedArrayBuffer(ECC_PARITY_BYTES + 9), 5, ECC_PARITY_BYTES).fill(0xa5);
          expect(k().eccParity(block, out)).toBe(out);
          expect(out).toEqual(expected);
        }
      }
    }
    for (const fill of [0, 255]) {
      const block = new Uint8Array(12288).fill(fill);
      expect(k().eccParity(block)).toEqual(eccEncode(block));
    }
  });

  it('eccParity output repairs a corrupted structure through eccDecode', () => {
    const block = bytes(12288, 77);
    const parity = k().eccParity(block);
    const damaged = block.slice();
    for (let j = 1000; j < 1000 + 16 * 56; j++) damaged[j] = damaged[j]! ^ 0x5a;
    const repair = eccDecode(damaged, parity);
    expect(repair.data).toEqual(block);
    expect(repair.repairs).toBe(16 * 56);
  });

  it('phase-pair kernels agree with src/holo/phase-pair.ts to rounding, over whole codes and slices', () => {
    let seed = 3000;
    for (const d of [2, 4, 16, 1024, 65536, 1 << 19]) {
      for (const [from, to] of phaseRanges(d)) {
        const key = seedOf(seed++), value = seedOf(seed++), scale = 1 / Math.sqrt(d);
        const got = fieldViews(to - from, seed), want = fieldViews(to - from, seed++);
        k().bindPhasePair(key, value, d, from, to, scale, got.re, got.im);
        bindPhasePair(key, value, d, from, to, scale, want.re, want.im);
        const where = `D ${d}, bins [${from}, ${to})`;
        // The kernels bind in float32 (cos/sin within ~1.2e-7 of the float64 reference's), the reference in float64 and
        // rounds: the fields stay within one float32 rounding step of each other.
        expect(maxDeviation(got.re, want.re).deviation, `bind re, ${where}`).toBeLessThanOrEqual(2 ** -23);
        expect(maxDeviation(got.im, want.im).deviation, `bind im, ${where}`).toBeLessThanOrEqual(2 ** -23);
        const dot = k().phasePairDot(key, value, d, from, to, got.re, got.im);
        expect(Math.abs(dot - phasePairDot(key, value, d, from, to, got.re, got.im)), `dot, ${where}`).toBeLessThanOrEqual(1e-12 * (to - from + 1));
        // One code's dot with cos/sin in float32: each term within 2^-22 of its weight times |re| + |im|.
        const dot32 = k().phaseCodeDotF32(value, d, from, to, got.re, got.im);
        expect(Math.abs(dot32 - phaseCodeDot(value, d, from, to, got.re, got.im)), `code dot f32, ${where}`).toBeLessThanOrEqual(2 ** -22 * weightedAbs(got.re, got.im, d, from, to) + 1e-12 * (to - from + 1));
        const code = { re: new Float64Array(to - from), im: new Float64Array(to - from) }, ref = { re: new Float64Array(to - from), im: new Float64Array(to - from) };
        k().phaseCodeRange(key, d, from, to, code.re, code.im);
        phaseCodeRange(key, d, from, to, ref.re, ref.im);
        expect(maxDeviation(code.re, ref.re).deviation, `code re, ${where}`).toBeLessThanOrEqual(1e-14);
        expect(maxDeviation(code.im, ref.im).deviation, `code im, ${where}`).toBeLessThanOrEqual(1e-14);
      }
    }
  });

  it('a pair bound into an empty field scores 1 against itself and about 0 against another value', () => {
    const d = 1 << 16, bins = d / 2 + 1;
    const re = new Float32Array(bins), im = new Float32Array(bins);
    const key = seedOf(1), value = seedOf(2);
    k().bindPhasePair(key, value, d, 0, bins, 1 / Math.sqrt(d), re, im);
    expect(k().phasePairDot(key, value, d, 0, bins, re, im) / Math.sqrt(d)).toBeCloseTo(1, 5);
    expect(Math.abs(k().phasePairDot(key, seedOf(3), d, 0, bins, re, im) / Math.sqrt(d))).toBeLessThan(0.05);
    // One code against itself: Σ w (cos² + sin²) = D; against another, about 0 ± 1/√D.
    const code = { re: new Float64Array(bins), im: new Float64Array(bins) };
    k().phaseCodeRange(value, d, 0, bins, code.re, code.im);
    const [cr, ci] = [Float32Array.from(code.re), Float32Array.from(code.im)];
    expect(k().phaseCodeDotF32(value, d, 0, bins, cr, ci) / d).toBeCloseTo(1, 5);
    expect(Math.abs(k().phaseCodeDotF32(seedOf(3), d, 0, bins, cr, ci) / d)).toBeLessThan(0.02);
  });

  it('rejects bad input with the reference error codes', () => {
    const ref = loadKernels('js');
    const cases: ((x: Kernels) => unknown)[] = [
      (x) => x.conservedSum([1, 2] as unknown as Uint8Array),
      (x) => x.conservedUpdate(96, new Uint8Array(1)),
      (x) => x.conservedDelta(new Uint8Array(2), new Uint8Array(3)),
      (x) => x.conservedMemset(new Uint8Array(2), 256),
      (x) => x.conservedMemset(new Uint8Array(2), 1.5),
      (x) => x.conservedMemcpy(new Uint8Array(1), new Uint8Array(2)),
      (x) => x.conservedMemcpy(new Uint8Array(1), Uint8Array.from([1, 2])),
      (x) => x.r96ClassifyPages(new Uint8Array(255), new Uint8Array(256)),
      (x) => x.r96ClassifyPages(new Uint8Array(256), new Uint8Array(255)),
      (x) => x.r96HistogramPages(new Uint8Array(512), new Uint16Array(191)),
      (x) => x.r96HistogramPages(new Uint8Array(256), new Uint8Array(192) as unknown as Uint16Array),
      (x) => x.harmonizes(96, 0),
      (x) => x.harmonizes(-1, 0),
      (x) => x.clusterByResonance(new Uint8Array(256), 0),
      (x) => x.clusterByResonance(new Uint8Array(256), 2),
      (x) => x.clusterByResonance(new Uint8Array(256), 1.5),
      (x) => x.clusterByResonance('x' as unknown as Uint8Array, 1),
      (x) => x.eccParity(new Uint8Array(ECC_MAX_BLOCK + 1)),
      (x) => x.eccParity([1, 2] as unknown as Uint8Array),
      (x) => x.eccParity(new Uint8Array(56), new Uint8Array(ECC_PARITY_BYTES - 1)),
      (x) => x.eccParity(new Uint8Array(56), new Uint8Array(ECC_PARITY_BYTES + 1)),
      (x) => x.eccParity(new Uint8Array(56), new Uint16Array(ECC_PARITY_BYTES) as unknown as Uint8Array),
      (x) => x.bindPhasePair(new Uint32Array(3), seedOf(1), 16, 0, 9, 1, new Float32Array(9), new Float32Array(9)),
      (x) => x.bindPhasePair(seedOf(1), seedOf(2), 12, 0, 7, 1, new Float32Array(9), new Float32Array(9)),
      (x) => x.bindPhasePair(seedOf(1), seedOf(2), 16, 0, 10, 1, new Float32Array(10), new Float32Array(10)),
      (x) => x.bindPhasePair(seedOf(1), seedOf(2), 16, 5, 4, 1, new Float32Array(9), new Float32Array(9)),
      (x) => x.bindPhasePair(seedOf(1), seedOf(2), 16, 0, 9, 1, new Float32Array(8), new Float32Array(9)),
      (x) => x.bindPhasePair(seedOf(1), seedOf(2), 16, 0, 9, 1, new Float64Array(9) as unknown as Float32Array, new Float32Array(9)),
      (x) => x.bindPhasePair(seedOf(1), seedOf(2), 16, 0, 9, Number.NaN, new Float32Array(9), new Float32Array(9)),
      (x) => x.phasePairDot(seedOf(1), [1, 2, 3, 4] as unknown as Uint32Array, 16, 0, 9, new Float32Array(9), new Float32Array(9)),
      (x) => x.phasePairDot(seedOf(1), seedOf(2), 16, 0, 9, new Float32Array(9), new Float32Array(2)),
      (x) => x.phaseCodeDotF32([1, 2, 3, 4] as unknown as Uint32Array, 16, 0, 9, new Float32Array(9), new Float32Array(9)),
      (x) => x.phaseCodeDotF32(seedOf(1), 16, 3, 2, new Float32Array(9), new Float32Array(9)),
      (x) => x.phaseCodeDotF32(seedOf(1), 16, 0, 9, new Float64Array(9) as unknown as Float32Array, new Float32Array(9)),
      (x) => x.phaseCodeDotF32(seedOf(1), 24, 0, 9, new Float32Array(9), new Float32Array(9)),
      (x) => x.phaseCodeRange(seedOf(1), 16, 0, 9, new Float32Array(9) as unknown as Float64Array, new Float64Array(9)),
      (x) => x.phaseCodeRange(seedOf(1), 2 ** 32, 0, 9, new Float64Array(9), new Float64Array(9)),
    ];
    for (const c of cases) {
      const expected = codeOf(() => c(ref));
      expect(expected).not.toBe('ok');
      expect(codeOf(() => c(k()))).toBe(expected);
    }
  });
});
