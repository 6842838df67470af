import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { checked } from './checked.js';
import type { Kernels, RawKernels } from './types.js';

/** dist/wasm/atlas.wasm (no cluster or RS parity kernel: clusterByResonance and eccParity run the reference), linked by `make wasm` from the same ir/*.ll as the native addon. */
export const WASM_PATH = join(PACKAGE_ROOT, 'dist', 'wasm', 'atlas.wasm');

interface Exports {
  ak_byte_sum(p: number, len: number): bigint;
  ak_update(residue: number, p: number, len: number): number;
  ak_delta(before: number, after: number, len: number): number;
  ak_memset(dst: number, len: number, value: number): void;
  ak_r96_classify(input: number, output: number, len: number): void;
  ak_r96_histogram_pages(input: number, output: number, pages: number): void;
  ak_r96_harmonizes(r1: number, r2: number): number;
}

/*
 * Copy-in/copy-out. The kernels are stack-free, so wasm-ld's shadow stack (below 1<<17) is never touched and two
 * staging areas of CHUNK bytes sit above it. Caller data is copied in (and results out) CHUNK at a time: one extra
 * pass over the bytes per call, the price of accepting any Uint8Array, SharedArrayBuffer views included. CHUNK is a
 * multiple of 96 and 256, so chunking never changes a memset fixup and never splits a page. Each thread that imports
 * this module gets its own shared Memory, so the staging areas are never shared between threads.
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

export function instantiateWasm(module: WasmModule = new WA.Module(readFileSync(WASM_PATH))): RawKernels {
  const memory = new WA.Memory({ initial: (B + CHUNK) >> 16, maximum: 1024, shared: true });
  const x = new WA.Instance(module, { env: { memory } }).exports as unknown as Exports;
  const heap = new Uint8Array(memory.buffer);
  const stageIn = (bytes: Uint8Array, at: number, n: number, to: number): void => heap.set(bytes.subarray(at, at + n), to);

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
  };
}

export function loadWasmKernels(): Kernels {
  return checked('wasm', () => 'simd128', instantiateWasm());
}
