import type { CleanUp, FftPlan, FloatArray, HalfSpectrum, HoloField, PhaseCode } from '../holo/index.js';

export type FieldBackendName = 'cpu' | 'cuda' | 'cuda-emulated';

/** A key code with the amplitude a its item was (or is to be) superposed with; a defaults to 1. */
export interface KeyRef {
  readonly key: PhaseCode;
  readonly amplitude?: number;
}

export interface BindItem<T> extends KeyRef {
  readonly item: T;
}

/**
 * The heavy path of the holographic store, batched. Every backend returns what src/holo returns for the same calls,
 * bit for bit: the CPU backend is src/holo itself; the CUDA kernels repeat its operations in its order (docs/gpu.md).
 * The store picks one with fieldBackend() and keeps calling src/holo for everything else.
 */
export interface FieldBackend {
  readonly name: FieldBackendName;
  /** 'cpu', or the GPU's name. */
  readonly device: string;
  /** Unitary rfft of each real signal, zero-padded to plan.size (holo rfft). */
  rfft(signals: readonly ArrayLike<number>[], plan: FftPlan): HalfSpectrum[];
  /** Inverse of rfft for each spectrum (holo irfft). */
  irfft(spectra: readonly HalfSpectrum<FloatArray>[], plan: FftPlan): Float64Array[];
  /** For each item in order: ψ += a·b(centre(bytes), κ) (holo superpose of contentSpectrum). */
  bindContent(field: HoloField, items: readonly BindItem<Uint8Array>[], plan: FftPlan): void;
  /** For each item in order: ψ += a·(P_κ ⊙ X) for an item spectrum such as a value code (holo superpose). */
  bindSpectra(field: HoloField, items: readonly BindItem<HalfSpectrum<FloatArray>>[]): void;
  /** conj(P_κ) ⊙ ψ / a per key (holo unbind). */
  unbind(field: HoloField, keys: readonly KeyRef[]): HalfSpectrum[];
  /** One clean-up per probe key over the same candidates (holo cleanUp). */
  cleanUp(field: HoloField, probes: readonly KeyRef[], candidates: readonly HalfSpectrum<FloatArray>[]): CleanUp[];
  /** The phase codes of the given code ids (holo phaseCode). */
  phaseCodes(storeSecret: Uint8Array, codeIds: readonly Uint8Array[], dimension: number): PhaseCode[];
}
