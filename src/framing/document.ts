import { ErrorCode, fail } from '../errors.js';
import { STRUCTURE_SIZE } from '../l3/phi.js';
import { isSealed, PAYLOAD_SIZE, payloadLength, sealStructure, structureCount } from './structure.js';

/** Frames a whole in-memory document into structureCount(length) consecutive sealed structures. */
export function frameDocument(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array)) fail(ErrorCode.INVALID, 'document must be a Uint8Array');
  const count = structureCount(bytes.length);
  const out = new Uint8Array(count * STRUCTURE_SIZE);
  for (let i = 0; i < count; i++) {
    const structure = out.subarray(i * STRUCTURE_SIZE, (i + 1) * STRUCTURE_SIZE);
    const used = payloadLength(bytes.length, i);
    structure.set(bytes.subarray(i * PAYLOAD_SIZE, i * PAYLOAD_SIZE + used));
    sealStructure(structure, used);
  }
  return out;
}

/** The inverse of frameDocument: checks every structure is sealed and the padding is zero, then returns the payload. */
export function unframe(structures: Uint8Array, length: number): Uint8Array {
  const count = structureCount(length);
  if (!(structures instanceof Uint8Array) || structures.length !== count * STRUCTURE_SIZE) {
    fail(ErrorCode.INVALID, `a document of ${length} bytes needs ${count} structures (${count * STRUCTURE_SIZE} bytes)`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < count; i++) {
    const structure = structures.subarray(i * STRUCTURE_SIZE, (i + 1) * STRUCTURE_SIZE);
    const used = payloadLength(length, i);
    if (!isSealed(structure)) fail(ErrorCode.CONSERVATION, `structure ${i} is not conserved`);
    if (structure.subarray(used, PAYLOAD_SIZE).some((b) => b !== 0)) fail(ErrorCode.INVALID, `structure ${i} has non-zero padding`);
    out.set(structure.subarray(0, used), i * PAYLOAD_SIZE);
  }
  return out;
}
