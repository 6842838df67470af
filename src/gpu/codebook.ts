import { createHmac } from 'node:crypto';
import { ErrorCode, fail } from '../errors.js';
import { isPowerOfTwo, type PhaseCode } from '../holo/index.js';
import { requireBytes } from '../validate.js';

/** seed = HMAC-SHA256(storeSecret, κ)[0..16) as the little-endian u64 halves (s0, s1) per code (holo-store.md §3.2). */
export function codeSeeds(storeSecret: Uint8Array, codeIds: readonly Uint8Array[], dimension: number): BigUint64Array {
  if (!isPowerOfTwo(dimension) || dimension < 2) fail(ErrorCode.INVALID, `code dimension must be a power of two >= 2, got ${dimension}`);
  requireBytes(storeSecret, 'storeSecret');
  if (storeSecret.length === 0) fail(ErrorCode.INVALID, 'storeSecret must not be empty');
  const seeds = new BigUint64Array(2 * codeIds.length);
  codeIds.forEach((id, i) => {
    const seed = createHmac('sha256', storeSecret).update(requireBytes(id, 'codeId')).digest();
    seeds[2 * i] = seed.readBigUInt64LE(0);
    seeds[2 * i + 1] = seed.readBigUInt64LE(8);
  });
  return seeds;
}

/** P[k] = e^{iθ_k} from phases θ_0..θ_{D/2}, on the host in float64 as §3.2 requires (so codes are bitwise the CPU's). */
export function codeFromPhases(theta: Float64Array): PhaseCode {
  const re = theta.map(Math.cos);
  const im = theta.map(Math.sin);
  im[0] = 0;
  im[theta.length - 1] = 0;
  return { re, im };
}
