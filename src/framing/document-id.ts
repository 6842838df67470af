import { sha256 } from '../l2/witness.js';

/** A document's id: the lower-case hex SHA-256 of its bytes (framing does not change it). */
export function documentId(bytes: Uint8Array): string {
  return sha256(bytes).toString('hex');
}
