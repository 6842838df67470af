import type { ClusterView } from '../l3/cluster.js';

export type BackendName = 'native' | 'wasm' | 'js';

export const BACKEND_ORDER: readonly BackendName[] = Object.freeze(['native', 'wasm', 'js']);

/**
 * The hot L2/L3 kernels, with the TypeScript reference's signatures, validation and errors. Every backend returns
 * identical results (test/kernels/conformance.test.ts).
 */
export interface Kernels {
  readonly name: BackendName;
  /** The CPU variant in use ('base' | 'v3' | 'v4' for native, 'simd128' for wasm, 'reference' for js). */
  readonly variant: string;
  byteSum(bytes: Uint8Array): number;
  conservedSum(bytes: Uint8Array): number;
  windowCheck(bytes: Uint8Array): boolean;
  /** (residue + Σchunk) mod 96: one streaming update; the byte count stays with the caller. */
  conservedUpdate(residue: number, chunk: Uint8Array): number;
  conservedDelta(before: Uint8Array, after: Uint8Array): number;
  conservedMemset(dst: Uint8Array, value: number): Uint8Array;
  conservedMemcpy(dst: Uint8Array, src: Uint8Array): Uint8Array;
  r96ClassifyPages(input: Uint8Array, output: Uint8Array): Uint8Array;
  r96HistogramPages(input: Uint8Array, output: Uint16Array): Uint16Array;
  harmonizes(r1: number, r2: number): boolean;
  clusterByResonance(base: Uint8Array, pages: number): ClusterView;
  /** eccEncode (src/holo/ecc.ts): the 1,792 RS(255,223) parity bytes of a block of ≤ 12,488 bytes, into `out` if given. */
  eccParity(block: Uint8Array, out?: Uint8Array): Uint8Array;
  /** bindPhasePair (src/holo/phase-pair.ts): re/im += scale·P_key ⊙ P_value over bins [from, to), from the codes' seeds. */
  bindPhasePair(key: Uint32Array, value: Uint32Array, dimension: number, from: number, to: number, scale: number, re: Float32Array, im: Float32Array): void;
  /** phasePairDot (src/holo/phase-pair.ts): Re⟨ψ, P_key ⊙ P_value⟩ over bins [from, to). */
  phasePairDot(key: Uint32Array, value: Uint32Array, dimension: number, from: number, to: number, re: Float32Array, im: Float32Array): number;
  /**
   * phaseCodeDot (src/holo/phase-pair.ts), Re⟨ψ, P_seed⟩ of one code, for ranking: cos/sin may be float32, as a bind's,
   * so each term is within 2^-22·(|re_k| + |im_k|) of the reference's.
   */
  phaseCodeDotF32(seed: Uint32Array, dimension: number, from: number, to: number, re: Float32Array, im: Float32Array): number;
  /** phaseCodeRange (src/holo/phase-pair.ts): one code's e^{iθ} over bins [from, to). */
  phaseCodeRange(seed: Uint32Array, dimension: number, from: number, to: number, re: Float64Array, im: Float64Array): void;
}

/** What a compiled backend provides: unchecked kernels over arguments that src/kernels/checked.ts has validated. */
export interface RawKernels {
  byteSum(bytes: Uint8Array): number;
  update(residue: number, chunk: Uint8Array): number;
  delta(before: Uint8Array, after: Uint8Array): number;
  memset(dst: Uint8Array, value: number): void;
  /** 0, or 1 when src is not conserved (dst untouched). dst.length >= src.length. */
  memcpy(dst: Uint8Array, src: Uint8Array): number;
  /** Classifies input.length bytes into output. */
  classify(input: Uint8Array, output: Uint8Array): void;
  /** input.length / 256 pages; output holds 96 counters per page. */
  histogramPages(input: Uint8Array, output: Uint16Array): void;
  harmonizes(r1: number, r2: number): boolean;
  /** CSR by class of the first indices.length bytes into offsets (97) and indices; 0, or 4 (MEMORY). Absent: the
   * backend uses the reference. */
  cluster?(base: Uint8Array, offsets: Uint32Array, indices: Uint32Array): number;
  /** RS parity of block (≤ 12,488 bytes) into out (1,792 bytes). Absent: the backend uses eccEncode. */
  eccParity?(block: Uint8Array, out: Uint8Array): void;
  /** The phase-pair kernels over validated arguments. Absent: the backend uses src/holo/phase-pair.ts. */
  bindPhasePair?(key: Uint32Array, value: Uint32Array, dimension: number, from: number, to: number, scale: number, re: Float32Array, im: Float32Array): void;
  phasePairDot?(key: Uint32Array, value: Uint32Array, dimension: number, from: number, to: number, re: Float32Array, im: Float32Array): number;
  phaseCodeDotF32?(seed: Uint32Array, dimension: number, from: number, to: number, re: Float32Array, im: Float32Array): number;
  phaseCodeRange?(seed: Uint32Array, dimension: number, from: number, to: number, re: Float64Array, im: Float64Array): void;
}
