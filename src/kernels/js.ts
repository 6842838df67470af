import { eccEncode } from '../holo/ecc.js';
import { bindPhasePair, phaseCodeDot, phaseCodeRange, phasePairDot } from '../holo/phase-pair.js';
import { conservedMemcpy, conservedMemset } from '../l2/memory.js';
import { ConservationStream } from '../l2/stream.js';
import { byteSum, conservedDelta, conservedSum, windowCheck } from '../l2/sum.js';
import { clusterByResonance } from '../l3/cluster.js';
import { harmonizes, r96ClassifyPages, r96HistogramPages } from '../l3/r96.js';
import type { Kernels } from './types.js';

/** The pure-JS backend: the TypeScript reference itself. */
export const jsKernels: Kernels = Object.freeze({
  name: 'js',
  variant: 'reference',
  byteSum,
  conservedSum,
  windowCheck,
  conservedUpdate: (residue: number, chunk: Uint8Array) => ConservationStream.from({ residue, bytes: 0 }).update(chunk).residue,
  conservedDelta,
  conservedMemset,
  conservedMemcpy,
  r96ClassifyPages,
  r96HistogramPages,
  harmonizes,
  clusterByResonance,
  eccParity: eccEncode,
  bindPhasePair,
  phasePairDot,
  phaseCodeDotF32: phaseCodeDot,
  phaseCodeRange,
});
