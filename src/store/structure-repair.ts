import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, fail } from '../errors.js';
import { sha256 } from '../l2/witness.js';
import { ECC_PARITY_BYTES, eccDecode } from '../holo/ecc.js';
import { kernels } from '../kernels/index.js';

/** What a layer's reads counted: ECC repairs and failures, holographic reads and their misses, stored bytes. */
export interface LayerCounters {
  eccRepairs: number;
  eccFailures: number;
  reads: number;
  readMisses: number;
  bytes: number;
}

export function emptyCounters(): LayerCounters {
  return { eccRepairs: 0, eccFailures: 0, reads: 0, readMisses: 0, bytes: 0 };
}

/** RS parity of a structure or sealed chunk, computed by the selected kernel backend straight into the stored Buffer. */
export function parityOf(bytes: Uint8Array): Buffer {
  const parity = Buffer.allocUnsafe(ECC_PARITY_BYTES);
  kernels().eccParity(bytes, parity);
  return parity;
}

/**
 * Stored bytes checked against their digest; on a mismatch repaired from their RS parity (counted and, when the store
 * can, written back through `writeBack` so the damage is healed once) or refused.
 */
export function repairStructure(raw: Uint8Array, digest: Uint8Array, parity: Uint8Array | undefined, counters: LayerCounters, what: string, writeBack?: (repaired: Uint8Array) => void): Uint8Array {
  if (timingSafeEqual(sha256(raw), digest)) return raw;
  try {
    if (parity === undefined) fail(ErrorCode.WITNESS, 'no parity stored');
    const repaired = eccDecode(raw, parity).data;
    if (!timingSafeEqual(sha256(repaired), digest)) fail(ErrorCode.WITNESS, 'the repaired bytes do not match');
    counters.eccRepairs++;
    writeBack?.(repaired);
    return repaired;
  } catch (err) {
    counters.eccFailures++;
    return fail(ErrorCode.WITNESS, `${what} is corrupt and unrecoverable (${(err as Error).message})`);
  }
}
