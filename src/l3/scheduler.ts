import { ErrorCode, fail } from '../errors.js';
import { requireClass } from '../validate.js';

export const U64_MAX = (1n << 64n) - 1n;

/** next = now + ((96 - ((now + r) mod 96)) mod 96), exact in 64 bits; may return now; never wraps. */
export function nextHarmonicWindowFrom(now: bigint | number, r: number): bigint {
  let t: bigint;
  if (typeof now === 'bigint') t = now;
  else if (typeof now === 'number' && Number.isSafeInteger(now)) t = BigInt(now);
  else fail(ErrorCode.INVALID, `now must be a bigint or a safe integer, got ${String(now)}`);
  if (t < 0n || t > U64_MAX) fail(ErrorCode.INVALID, 'now must be in 0..2^64-1');
  const next = t + ((96n - ((t + BigInt(requireClass(r, 'r'))) % 96n)) % 96n);
  if (next > U64_MAX) fail(ErrorCode.INVALID, 'the next window would exceed 2^64-1');
  return next;
}

/** The same decision for a safe-integer now, in plain numbers (no bigint): for hot scheduling loops. */
export function nextHarmonicWindowFromNumber(now: number, r: number): number {
  if (typeof now !== 'number' || !Number.isSafeInteger(now) || now < 0) fail(ErrorCode.INVALID, `now must be a non-negative safe integer, got ${String(now)}`);
  // now % 96 on a value past 2^31 is a slow floating-point remainder; floor division with a fix-up is exact below 2^53.
  let rem = now - Math.floor(now / 96) * 96;
  if (rem < 0) rem += 96;
  else if (rem >= 96) rem -= 96;
  const x = rem + requireClass(r, 'r');
  const next = now + (x === 0 ? 0 : x <= 96 ? 96 - x : 192 - x);
  if (next > Number.MAX_SAFE_INTEGER) fail(ErrorCode.INVALID, 'the next window would exceed 2^53-1: use nextHarmonicWindowFrom with a bigint');
  return next;
}

export function nextHarmonicWindow(r: number): bigint {
  return nextHarmonicWindowFrom(0n, r);
}
