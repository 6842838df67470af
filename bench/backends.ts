// The kernel backends a bench compares: js (the reference), wasm, and every native CPU variant this machine runs.
import { loadKernels, type Kernels } from '../src/kernels/index.js';
import { nativeAddon } from '../src/kernels/native.js';
import type { Case } from './common.js';

export interface BenchBackend {
  readonly label: string;
  readonly kernels: Kernels;
  /** Called at the start of every run: selects the native CPU variant. */
  readonly enter?: () => void;
}

export function benchBackends(): BenchBackend[] {
  const out: BenchBackend[] = [{ label: 'js (reference)', kernels: loadKernels('js') }, { label: 'wasm simd128', kernels: loadKernels('wasm') }];
  const native = loadKernels('native');
  const addon = nativeAddon();
  const best = addon.variant();
  for (const variant of ['base', 'v3', 'v4']) {
    if (!addon.select(variant)) continue;
    out.push({ label: `native ${variant === 'base' ? 'x86-64' : variant === 'v3' ? 'x86-64-v3 (AVX2)' : 'x86-64-v4 (AVX-512)'}`, kernels: native, enter: () => addon.select(variant) });
  }
  addon.select(best);
  return out;
}

/** One bench case per backend: make(kernels) gives the operation; `bytes` per operation, if it has a size in bytes. */
export function backendCases(backends: readonly BenchBackend[], make: (k: Kernels) => () => unknown, bytes?: number): Case[] {
  return backends.map((be) => ({ name: be.label, op: make(be.kernels), ...(bytes === undefined ? {} : { bytes }), ...(be.enter ? { enter: be.enter } : {}) }));
}
