import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

/** One implementation table of native/cuda/addon.cc; `false` from scores means an all-zero candidate. */
export interface CudaKernels {
  fft(re: Float64Array, im: Float64Array, n: number, batch: number, twRe: Float64Array, twIm: Float64Array, inverse: number, scale: number): boolean;
  rfft(x: Float64Array, d: number, batch: number, twRe: Float64Array, twIm: Float64Array, scale: number, outRe: Float64Array, outIm: Float64Array): boolean;
  irfft(re: Float64Array, im: Float64Array, d: number, batch: number, twRe: Float64Array, twIm: Float64Array, scale: number, out: Float64Array): boolean;
  bindContent(
    fieldRe: Float64Array | Float32Array, fieldIm: Float64Array | Float32Array, d: number, bytes: Uint8Array, lengths: Uint32Array,
    stride: number, batch: number, keyRe: Float64Array, keyIm: Float64Array, amplitudes: Float64Array, twRe: Float64Array, twIm: Float64Array, scale: number,
  ): boolean;
  bindSpectra(
    fieldRe: Float64Array | Float32Array, fieldIm: Float64Array | Float32Array, bins: number, batch: number,
    keyRe: Float64Array, keyIm: Float64Array, itemRe: Float64Array, itemIm: Float64Array, amplitudes: Float64Array,
  ): boolean;
  unbind(
    fieldRe: Float64Array | Float32Array, fieldIm: Float64Array | Float32Array, bins: number, batch: number,
    keyRe: Float64Array, keyIm: Float64Array, amplitudes: Float64Array, outRe: Float64Array, outIm: Float64Array,
  ): boolean;
  scores(
    fieldRe: Float64Array | Float32Array, fieldIm: Float64Array | Float32Array, bins: number, probes: number,
    keyRe: Float64Array, keyIm: Float64Array, amplitudes: Float64Array, candidates: number, candRe: Float64Array, candIm: Float64Array, out: Float64Array,
  ): boolean;
  codePhases(seeds: BigUint64Array, d: number, count: number, theta: Float64Array): boolean;
}

export interface CudaAddon {
  /** cudaGetDeviceCount: count 0 with error 35 on a host without a driver. */
  deviceCount(): { count: number; error: number; message: string };
  deviceName(): string;
  /** The kernels on the device. */
  cuda: CudaKernels;
  /** The same per-element code run by host loops (native/cuda/emulate.cc): checks the arithmetic without a GPU. */
  emulated: CudaKernels;
}

/** Where build:cuda (native/cuda/build.sh) writes the addon. */
export const CUDA_ADDON_PATH = join(PACKAGE_ROOT, 'dist', 'cuda', 'atlas_cuda.node');

const require = createRequire(import.meta.url);
let loaded: { addon?: CudaAddon; error?: string } | undefined;

/** The CUDA addon, or the reason it cannot load here (not built, or not loadable). Loading needs no GPU. */
export function loadCudaAddon(): { addon?: CudaAddon; error?: string } {
  if (loaded) return loaded;
  try {
    loaded = { addon: require(CUDA_ADDON_PATH) as CudaAddon };
  } catch (e) {
    loaded = { error: `CUDA addon not loadable (${CUDA_ADDON_PATH}): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  return loaded;
}
