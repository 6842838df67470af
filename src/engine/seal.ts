import { CONSERVATION_OFFSET, PAYLOAD_SIZE } from '../framing/structure.js';
import { conservedSum } from './kernels.js';

/**
 * framing's sealStructure on the engine's hot path, with the selected backend's sum (the reference sums in JS at
 * ~0.9 GB/s): zeroes the payload after `used` bytes and sets the conservation byte. test/engine/seal.test.ts checks
 * that both give the same bytes.
 */
export function sealFast(structure: Uint8Array, used: number): void {
  structure.fill(0, used, PAYLOAD_SIZE);
  structure[CONSERVATION_OFFSET] = (96 - conservedSum(structure.subarray(0, used))) % 96;
}
