import { ErrorCode, fail } from '../errors.js';
import { PAYLOAD_SIZE, isSealed, payloadLength } from '../framing/structure.js';
import { requireDigest } from './check.js';

/**
 * The payload of structure `index` of document `id` (of `length` bytes) as read from a store: checked against its
 * digest, for conservation and for zero padding, so a store never returns a wrong byte.
 */
export function checkedPayload(bytes: Uint8Array | undefined | null, digest: Uint8Array, id: string, length: number, index: number): Uint8Array {
  if (bytes === undefined || bytes === null) fail(ErrorCode.STATE, `document ${id}: structure ${index} is missing from the store`);
  requireDigest(bytes, digest, `document ${id}: structure ${index}`);
  return sealedPayload(bytes, id, length, index);
}

/** The payload of a structure whose digest was already checked: conserved, conservation byte valid, zero padding. */
export function sealedPayload(bytes: Uint8Array, id: string, length: number, index: number): Uint8Array {
  const used = payloadLength(length, index);
  if (!isSealed(bytes) || bytes.subarray(used, PAYLOAD_SIZE).some((b) => b !== 0)) fail(ErrorCode.CONSERVATION, `document ${id}: structure ${index} is not a sealed structure`);
  return bytes.subarray(0, used);
}
