import { createRequire } from 'node:module';
import { PACKAGE_ROOT } from '../package-root.js';
import { checked } from './checked.js';
import type { Kernels, RawKernels } from './types.js';

/** The addon built from native/addon.cc (build/Release or prebuilds/, found by node-gyp-build). */
export interface NativeAddon extends Required<RawKernels> {
  /** The CPU variant the addon dispatches to: 'base', 'v3' (AVX2) or 'v4' (AVX-512). */
  variant(): string;
  /** Switches to a variant this CPU supports (tests and benches); false when it is unknown or unsupported. */
  select(variant: string): boolean;
  /** libatlas's budget alloc/release (C atomics) on slot {slot, generation} of a DomainTable's Int32Array; an ErrorCode. */
  tableBudgetAlloc(table: Int32Array, slot: number, generation: number, amt: number): number;
  tableBudgetRelease(table: Int32Array, slot: number, generation: number, amt: number): number;
  /** Moves the calling thread to SCHED_IDLE (Linux); false where that is not possible. */
  idleThread(): boolean;
}

const require = createRequire(import.meta.url);

let addon: NativeAddon | undefined;

/** Loads the addon; throws when it has not been built for this platform. */
export function nativeAddon(): NativeAddon {
  if (addon) return addon;
  const load = require('node-gyp-build') as (dir: string) => unknown;
  addon = load(PACKAGE_ROOT) as NativeAddon;
  return addon;
}

export function loadNativeKernels(): Kernels {
  const a = nativeAddon();
  return checked('native', () => a.variant(), a);
}
