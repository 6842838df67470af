import { AtlasError, ErrorCode, fail } from '../errors.js';
import type { FftPlan, FloatArray, HalfSpectrum, HoloField, PhaseCode } from '../holo/index.js';
import type { CudaKernels } from './addon.js';
import type { BindItem, FieldBackend, FieldBackendName, KeyRef } from './backend.js';
import { codeFromPhases, codeSeeds } from './codebook.js';
import { rankScores } from '../holo/field.js';

const CUDA_ERROR_MEMORY_ALLOCATION = 2;

function run(call: () => boolean): boolean {
  try {
    return call();
  } catch (e) {
    const cudaError = (e as { cudaError?: unknown }).cudaError;
    if (typeof cudaError !== 'number') throw e;
    throw new AtlasError(cudaError === CUDA_ERROR_MEMORY_ALLOCATION ? ErrorCode.MEMORY : ErrorCode.STATE, (e as Error).message);
  }
}

function requirePlan(plan: FftPlan, dimension?: number): void {
  if (plan.twiddleRe.length !== plan.size / 2 || plan.twiddleIm.length !== plan.size / 2) fail(ErrorCode.INVALID, `FFT plan of size ${plan.size} has a twiddle table of the wrong length`);
  if (dimension !== undefined && plan.size !== dimension) fail(ErrorCode.INVALID, `plan size ${plan.size} does not match field dimension ${dimension}`);
}

function requireAmplitude(amplitude: number): number {
  if (!Number.isFinite(amplitude) || amplitude === 0) fail(ErrorCode.INVALID, `amplitude must be finite and non-zero, got ${amplitude}`);
  return amplitude;
}

/** Rows of `width` values each, packed into one Float64Array (shorter rows are zero-padded). */
function pack(rows: readonly ArrayLike<number>[], width: number): Float64Array {
  const out = new Float64Array(rows.length * width);
  rows.forEach((row, i) => out.set(row, i * width));
  return out;
}

function requireBins(what: string, s: HalfSpectrum<FloatArray>, bins: number): void {
  if (s.re.length !== bins || s.im.length !== bins) fail(ErrorCode.INVALID, `${what} must have ${bins} bins, got ${s.re.length}`);
}

function keyRows(keys: readonly KeyRef[], bins: number): { re: Float64Array; im: Float64Array; amplitudes: Float64Array } {
  keys.forEach(({ key }) => requireBins('key code', key, bins));
  return {
    re: pack(keys.map(({ key }) => key.re), bins),
    im: pack(keys.map(({ key }) => key.im), bins),
    amplitudes: Float64Array.from(keys, ({ amplitude }) => requireAmplitude(amplitude ?? 1)),
  };
}

function split(re: Float64Array, im: Float64Array, count: number, width: number): HalfSpectrum[] {
  return Array.from({ length: count }, (_, i) => ({ re: re.slice(i * width, (i + 1) * width), im: im.slice(i * width, (i + 1) * width) }));
}

/**
 * A FieldBackend over one kernel table of the CUDA addon: `cuda` (the device) or `emulated` (the same per-element
 * code on the host). Rows are packed, sent in one call per batch, and unpacked; the field is updated in place.
 */
export function createCudaFieldBackend(kernels: CudaKernels, name: Exclude<FieldBackendName, 'cpu'>, device: string): FieldBackend {
  return Object.freeze({
    name,
    device,
    rfft(signals: readonly ArrayLike<number>[], plan: FftPlan): HalfSpectrum[] {
      requirePlan(plan);
      const d = plan.size, bins = d / 2 + 1;
      for (const x of signals) if (x.length > d) fail(ErrorCode.INVALID, `rfft input of ${x.length} samples exceeds the plan size ${d}`);
      if (signals.length === 0) return [];
      const re = new Float64Array(signals.length * bins), im = new Float64Array(signals.length * bins);
      run(() => kernels.rfft(pack(signals, d), d, signals.length, plan.twiddleRe, plan.twiddleIm, 1 / Math.sqrt(d), re, im));
      return split(re, im, signals.length, bins);
    },
    irfft(spectra: readonly HalfSpectrum<FloatArray>[], plan: FftPlan): Float64Array[] {
      requirePlan(plan);
      const d = plan.size, bins = d / 2 + 1;
      spectra.forEach((s) => requireBins('irfft spectrum', s, bins));
      if (spectra.length === 0) return [];
      const out = new Float64Array(spectra.length * d);
      run(() => kernels.irfft(pack(spectra.map((s) => s.re), bins), pack(spectra.map((s) => s.im), bins), d, spectra.length, plan.twiddleRe, plan.twiddleIm, 1 / Math.sqrt(d), out));
      return spectra.map((_, i) => out.slice(i * d, (i + 1) * d));
    },
    bindContent(field: HoloField, items: readonly BindItem<Uint8Array>[], plan: FftPlan): void {
      requirePlan(plan, field.dimension);
      const d = field.dimension;
      const keys = keyRows(items, d / 2 + 1);
      for (const { item } of items) if (item.length > d) fail(ErrorCode.INVALID, `rfft input of ${item.length} samples exceeds the plan size ${d}`);
      if (items.length === 0) return;
      const stride = Math.max(1, ...items.map(({ item }) => item.length));
      const bytes = new Uint8Array(items.length * stride);
      items.forEach(({ item }, i) => bytes.set(item, i * stride));
      const lengths = Uint32Array.from(items, ({ item }) => item.length);
      const { re, im } = field.spectrum;
      run(() => kernels.bindContent(re, im, d, bytes, lengths, stride, items.length, keys.re, keys.im, keys.amplitudes, plan.twiddleRe, plan.twiddleIm, 1 / Math.sqrt(d)));
      field.items += items.length;
    },
    bindSpectra(field: HoloField, items: readonly BindItem<HalfSpectrum<FloatArray>>[]): void {
      const bins = field.dimension / 2 + 1;
      const keys = keyRows(items, bins);
      items.forEach(({ item }) => requireBins('item spectrum', item, bins));
      if (items.length === 0) return;
      const { re, im } = field.spectrum;
      const itemRe = pack(items.map(({ item }) => item.re), bins), itemIm = pack(items.map(({ item }) => item.im), bins);
      run(() => kernels.bindSpectra(re, im, bins, items.length, keys.re, keys.im, itemRe, itemIm, keys.amplitudes));
      field.items += items.length;
    },
    unbind(field: HoloField, refs: readonly KeyRef[]): HalfSpectrum[] {
      const bins = field.dimension / 2 + 1;
      const keys = keyRows(refs, bins);
      if (refs.length === 0) return [];
      const outRe = new Float64Array(refs.length * bins), outIm = new Float64Array(refs.length * bins);
      run(() => kernels.unbind(field.spectrum.re, field.spectrum.im, bins, refs.length, keys.re, keys.im, keys.amplitudes, outRe, outIm));
      return split(outRe, outIm, refs.length, bins);
    },
    cleanUp(field: HoloField, probes: readonly KeyRef[], candidates: readonly HalfSpectrum<FloatArray>[]) {
      const bins = field.dimension / 2 + 1;
      const keys = keyRows(probes, bins);
      candidates.forEach((c) => requireBins('item spectrum', c, bins));
      if (candidates.length === 0 && probes.length > 0) fail(ErrorCode.INVALID, 'clean-up needs at least one candidate');
      if (probes.length === 0) return [];
      const c = candidates.length;
      const scores = new Float64Array(probes.length * c);
      const candRe = pack(candidates.map((s) => s.re), bins), candIm = pack(candidates.map((s) => s.im), bins);
      const ok = run(() => kernels.scores(field.spectrum.re, field.spectrum.im, bins, probes.length, keys.re, keys.im, keys.amplitudes, c, candRe, candIm, scores));
      if (!ok) fail(ErrorCode.INVALID, 'cannot score an all-zero item');
      return probes.map((_, p) => rankScores(scores.slice(p * c, (p + 1) * c)));
    },
    phaseCodes(storeSecret: Uint8Array, codeIds: readonly Uint8Array[], dimension: number): PhaseCode[] {
      const seeds = codeSeeds(storeSecret, codeIds, dimension);
      if (codeIds.length === 0) return [];
      const width = dimension / 2 + 1;
      const theta = new Float64Array(codeIds.length * width);
      run(() => kernels.codePhases(seeds, dimension, codeIds.length, theta));
      return codeIds.map((_, i) => codeFromPhases(theta.subarray(i * width, (i + 1) * width)));
    },
  } satisfies FieldBackend);
}
