import { timingSafeEqual } from 'node:crypto';
import { AtlasError, ErrorCode, fail } from '../errors.js';
import { sha256 } from '../l2/witness.js';
import { ECC_PARITY_BYTES } from '../holo/ecc.js';
import { STRUCTURE_SIZE } from '../l3/phi.js';

export const DIGEST_SIZE = 32;
const HEX64 = /^[0-9a-f]{64}$/;

export function requireDocumentId(id: unknown): string {
  if (typeof id !== 'string' || !HEX64.test(id)) fail(ErrorCode.INVALID, `'${String(id)}' is not a document id (64 lower-case hex characters)`);
  return id;
}

/** The number of structures a putStructures call hands over; INVALID when batch, digests and parity (if any) disagree. */
export function structureBatchCount(batch: Uint8Array, digests: Uint8Array, parity?: Uint8Array): number {
  const count = digests.length / DIGEST_SIZE;
  if (!Number.isInteger(count) || batch.length < count * STRUCTURE_SIZE) fail(ErrorCode.INVALID, 'putStructures: batch and digests disagree');
  if (parity !== undefined && parity.length !== count * ECC_PARITY_BYTES) fail(ErrorCode.INVALID, `putStructures: ${parity.length} parity bytes for ${count} structures (${ECC_PARITY_BYTES} each)`);
  return count;
}

/** Structure i's RS parity within a putStructures call's `parity`; undefined when the caller gave none. */
export function parityAt(parity: Uint8Array | undefined, i: number): Uint8Array | undefined {
  return parity?.subarray(i * ECC_PARITY_BYTES, (i + 1) * ECC_PARITY_BYTES);
}

/** Throws WITNESS unless bytes hash to digest (constant-time compare). */
export function requireDigest(bytes: Uint8Array, digest: Uint8Array, what: string): void {
  if (!timingSafeEqual(sha256(bytes), digest)) fail(ErrorCode.WITNESS, `${what} does not match its SHA-256 (${Buffer.from(digest).toString('hex')})`);
}

/**
 * Rebuilds an AtlasError from its "CODE: detail" message after it crossed a thread: comlink keeps name and message,
 * a worker's structured clone (piscina) only the message, and neither keeps the code.
 */
export function reviveError(err: unknown): unknown {
  const e = err as Error;
  if (err instanceof AtlasError || !(e?.name === 'AtlasError' || e?.name === 'Error') || typeof e.message !== 'string') return err;
  const m = /^([A-Z]+): (.*)$/s.exec(e.message);
  const code = m ? (ErrorCode as Record<string, ErrorCode>)[m[1]!] : undefined;
  return code === undefined ? err : new AtlasError(code, m![2]);
}
