import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, fail } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { checked } from './checked.js';
import type { Kernels, RawKernels } from './types.js';

/**
 * dist/wasm/atlas.wasm, linked by `make wasm` from the same ir/*.ll and native/kernels/phase_pair.c as the native addon.
 * It has no cluster or RS parity kernel: clusterByResonance and eccParity run the reference.
 */
export const WASM_PATH = join(PACKAGE_ROOT, 'dist', 'wasm', 'atlas.wasm');

interface Exports {
  /** The end of the data and the shadow stack: the staging areas start above it. */
  __heap_base: { value: number };
  ak_byte_sum(p: number, len: number): bigint;
  ak_update(residue: number, p: number, len: number): number;
  ak_delta(before: number, after: number, len: number): number;
  ak_memset(dst: number, len: number, value: number): void;
  ak_r96_classify(input: number, output: number, len: number): void;
  ak_r96_histogram_pages(input: number, output: number, pages: number): void;
  ak_r96_harmonizes(r1: number, r2: number): number;
  atlas_k_bind_phase_pair(key: number, value: number, dimension: number, from: number, to: number, scale: number, re: number, im: number): void;
  atlas_k_phase_pair_dot(key: number, value: number, dimension: number, from: number, to: number, re: number, im: number): number;
  atlas_k_phase_code_dot_f32(seed: number, dimension: number, from: number, to: number, re: number, im: number): number;
  atlas_k_phase_code(seed: number, dimension: number, from: number, to: number, re: number, im: number): void;
}

/*
 * Copy-in/copy-out. wasm-ld puts the data and the shadow stack below 1<<17 (only the phase-pair kernels use the stack,
 * for their last, partial step); the phase codes' seeds are staged in the 32 bytes under 1<<17, and two staging areas
 * of CHUNK bytes sit above. Caller data is copied in (and results out) CHUNK at a time: one extra pass over the bytes
 * per call, the price of accepting any Uint8Array, SharedArrayBuffer views included. CHUNK is a multiple of 96 and 256,
 * so chunking never changes a memset fixup and never splits a page; a phase-pair call covers CHUNK / 4 float32 or
 * CHUNK / 8 float64 bins. Each thread that imports this module gets its own shared Memory, so the staging areas are
 * never shared between threads.
 */
// lib ES2022 and @types/node 20 leave out the WebAssembly namespace; this is the part used here.
interface WasmModule {
  readonly __brand: 'WebAssembly.Module';
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (desc: { initial: number; maximum: number; shared: true }) => { buffer: SharedArrayBuffer };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const A = 1 << 17;
const CHUNK = 96 * 256 * 40;
const B = A + CHUNK;
const PAGES_PER_CHUNK = CHUNK / 256;
const SEEDS = A - 32;
const F32_BINS = CHUNK / 4;
const F64_BINS = CHUNK / 8;

export function instantiateWasm(module: WasmModule = new WA.Module(readFileSync(WASM_PATH))): RawKernels {
  const memory = new WA.Memory({ initial: (B + CHUNK) >> 16, maximum: 1024, shared: true });
  const x = new WA.Instance(module, { env: { memory } }).exports as unknown as Exports;
  if (x.__heap_base.value > SEEDS) fail(ErrorCode.STATE, `atlas.wasm's data and stack end at ${x.__heap_base.value}, above its staging areas (${SEEDS})`);
  const heap = new Uint8Array(memory.buffer);
  const stageIn = (bytes: Uint8Array, at: number, n: number, to: number): void => heap.set(bytes.subarray(at, at + n), to);
  const f32 = (at: number) => new Float32Array(memory.buffer, at, F32_BINS);
  const f64 = (at: number) => new Float64Array(memory.buffer, at, F64_BINS);
  const [reA, imB, reA64, imB64] = [f32(A), f32(B), f64(A), f64(B)];
  const seeds = new Uint32Array(memory.buffer, SEEDS, 8);
  /** Stages the seeds and the field's bins [from, from + n) (at view offset `at`) of a float32 kernel's chunk. */
  const stagePair = (key: Uint32Array, value: Uint32Array | null, re: Float32Array, im: Float32Array, at: number, n: number): void => {
    seeds.set(key);
    if (value) seeds.set(value, 4);
    reA.set(re.subarray(at, at + n));
    imB.set(im.subarray(at, at + n));
  };

  /** A dot export of one code (value null) or a pair, over staged chunks of the bins. */
  const stagedDot = (key: Uint32Array, value: Uint32Array | null, from: number, to: number, re: Float32Array, im: Float32Array, dot: (from: number, to: number) => number): number => {
    let sum = 0;
    for (let at = 0; at < to - from; at += F32_BINS) {
      const n = Math.min(F32_BINS, to - from - at);
      stagePair(key, value, re, im, at, n);
      sum += dot(from + at, from + at + n);
    }
    return sum;
  };
  const update = (residue: number, chunk: Uint8Array): number => {
    for (let at = 0; at < chunk.length; at += CHUNK) {
      const n = Math.min(CHUNK, chunk.length - at);
      stageIn(chunk, at, n, A);
      residue = x.ak_update(residue, A, n);
    }
    return residue;
  };

  return {
    byteSum(bytes) {
      let total = 0;
      for (let at = 0; at < bytes.length; at += CHUNK) {
        const n = Math.min(CHUNK, bytes.length - at);
        stageIn(bytes, at, n, A);
        total += Number(x.ak_byte_sum(A, n));
      }
      return total;
    },
    update,
    delta(before, after) {
      let d = 0;
      for (let at = 0; at < before.length; at += CHUNK) {
        const n = Math.min(CHUNK, before.length - at);
        stageIn(before, at, n, A);
        stageIn(after, at, n, B);
        d = (d + x.ak_delta(A, B, n)) % 96;
      }
      return d;
    },
    memset(dst, value) {
      for (let at = 0; at < dst.length; at += CHUNK) {
        const n = Math.min(CHUNK, dst.length - at);
        x.ak_memset(A, n, value);
        dst.set(heap.subarray(A, A + n), at);
      }
    },
    memcpy(dst, src) {
      // The pre-check runs in wasm; the copy is TypedArray#set, which has memmove semantics.
      if (update(0, src) !== 0) return 1;
      dst.set(src);
      return 0;
    },
    classify(input, output) {
      for (let at = 0; at < input.length; at += CHUNK) {
        const n = Math.min(CHUNK, input.length - at);
        stageIn(input, at, n, A);
        x.ak_r96_classify(A, B, n);
        output.set(heap.subarray(B, B + n), at);
      }
    },
    histogramPages(input, output) {
      const pages = input.length / 256;
      const counters = new Uint16Array(memory.buffer, B, PAGES_PER_CHUNK * 96);
      for (let p = 0; p < pages; p += PAGES_PER_CHUNK) {
        const n = Math.min(PAGES_PER_CHUNK, pages - p);
        stageIn(input, p * 256, n * 256, A);
        x.ak_r96_histogram_pages(A, B, n);
        output.set(counters.subarray(0, n * 96), p * 96);
      }
    },
    harmonizes: (r1, r2) => x.ak_r96_harmonizes(r1, r2) !== 0,
    bindPhasePair(key, value, dimension, from, to, scale, re, im) {
      for (let at = 0; at < to - from; at += F32_BINS) {
        const n = Math.min(F32_BINS, to - from - at);
        stagePair(key, value, re, im, at, n);
        x.atlas_k_bind_phase_pair(SEEDS, SEEDS + 16, dimension, from + at, from + at + n, scale, A, B);
        re.set(reA.subarray(0, n), at);
        im.set(imB.subarray(0, n), at);
      }
    },
    phasePairDot: (key, value, dimension, from, to, re, im) => stagedDot(key, value, from, to, re, im, (f, t) => x.atlas_k_phase_pair_dot(SEEDS, SEEDS + 16, dimension, f, t, A, B)),
    phaseCodeDotF32: (seed, dimension, from, to, re, im) => stagedDot(seed, null, from, to, re, im, (f, t) => x.atlas_k_phase_code_dot_f32(SEEDS, dimension, f, t, A, B)),
    phaseCodeRange(seed, dimension, from, to, re, im) {
      seeds.set(seed);
      for (let at = 0; at < to - from; at += F64_BINS) {
        const n = Math.min(F64_BINS, to - from - at);
        x.atlas_k_phase_code(SEEDS, dimension, from + at, from + at + n, A, B);
        re.set(reA64.subarray(0, n), at);
        im.set(imB64.subarray(0, n), at);
      }
    },
  };
}

export function loadWasmKernels(): Kernels {
  return checked('wasm', () => 'simd128', instantiateWasm());
}
