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

/**
 * A sealed structure as the stores keep it: the payload up to its last non-zero byte, then the conservation byte, so
 * the zero padding of a document's last structure takes no room (a 4 KiB document is stored in 4 KiB, not 12). A
 * structure with nothing to trim is kept whole: a stored value of STRUCTURE_SIZE bytes is always a whole structure.
 * Bytes of another length are taken as a stored form already and returned as they are.
 */
export function storedForm(structure: Uint8Array): Uint8Array {
  if (structure.length !== STRUCTURE_SIZE) return structure;
  let end = PAYLOAD_SIZE;
  while (end > 0 && end % 4 !== 0 && structure[end - 1] === 0) end--;
  if (end % 4 === 0 && structure.byteOffset % 4 === 0) {
    // A word at a time across the padding (structures in batch buffers are word-aligned).
    const words = new Int32Array(structure.buffer, structure.byteOffset, end >>> 2);
    let w = words.length;
    while (w > 0 && words[w - 1] === 0) w--;
    end = w * 4;
  }
  while (end > 0 && structure[end - 1] === 0) end--;
  if (end === PAYLOAD_SIZE) return structure;
  const stored = new Uint8Array(end + 1);
  stored.set(structure.subarray(0, end));
  stored[end] = structure[CONSERVATION_OFFSET]!;
  return stored;
}

/** storedForm in a Buffer of its own (a copy even when nothing trims), for a store to keep after the caller reuses `structure`. */
export function storedCopy(structure: Uint8Array): Buffer {
  const form = storedForm(structure);
  return form === structure ? Buffer.from(structure) : Buffer.from(form.buffer, form.byteOffset, form.length);
}

/** The whole structure of a stored value (storedForm's inverse); a value of another length than storedForm makes comes back as is, for the caller's digest check to refuse. */
export function wholeStructure(stored: Uint8Array): Uint8Array {
  if (stored.length === STRUCTURE_SIZE || stored.length === 0 || stored.length > STRUCTURE_SIZE) return stored;
  const structure = new Uint8Array(STRUCTURE_SIZE);
  structure.set(stored.subarray(0, stored.length - 1));
  structure[CONSERVATION_OFFSET] = stored[stored.length - 1]!;
  return structure;
}
