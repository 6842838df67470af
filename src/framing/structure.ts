import { ErrorCode, fail } from '../errors.js';
import { kernels } from '../kernels/select.js';
import { STRUCTURE_SIZE } from '../l3/phi.js';

/** Payload bytes per structure; the last byte of each structure is the conservation byte. */
export const PAYLOAD_SIZE = STRUCTURE_SIZE - 1;
export const CONSERVATION_OFFSET = PAYLOAD_SIZE;

/** Number of structures a document of `length` bytes frames into: 0 for the empty document. */
export function structureCount(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) fail(ErrorCode.INVALID, `document length must be a non-negative safe integer, got ${String(length)}`);
  return Math.ceil(length / PAYLOAD_SIZE);
}

/** Payload bytes held by structure `index` of a document of `length` bytes. */
export function payloadLength(length: number, index: number): number {
  return Math.min(PAYLOAD_SIZE, length - index * PAYLOAD_SIZE);
}

/**
 * Seals a structure in place whose first `used` bytes are payload: zeroes the rest of the payload area and sets the
 * conservation byte (0..95) so the structure's byte sum is 0 mod 96.
 */
export function sealStructure(structure: Uint8Array, used: number): Uint8Array {
  if (structure.length !== STRUCTURE_SIZE) fail(ErrorCode.INVALID, `a structure is ${STRUCTURE_SIZE} bytes, got ${structure.length}`);
  if (!Number.isInteger(used) || used < 0 || used > PAYLOAD_SIZE) fail(ErrorCode.INVALID, `payload must be 0..${PAYLOAD_SIZE} bytes, got ${String(used)}`);
  structure.fill(0, used, PAYLOAD_SIZE);
  structure[CONSERVATION_OFFSET] = (96 - (kernels().byteSum(structure.subarray(0, used)) % 96)) % 96;
  return structure;
}

/** Checks a stored structure's shape: 12,288 bytes, conserved, conservation byte in 0..95. */
export function isSealed(structure: Uint8Array): boolean {
  return structure.length === STRUCTURE_SIZE && structure[CONSERVATION_OFFSET]! < 96 && kernels().byteSum(structure) % 96 === 0;
}
