import { ErrorCode, fail } from '../errors.js';
import { requireBytes } from '../validate.js';

/** Exact byte sum Σ (a safe integer for any buffer below 2^45 bytes). */
export function byteSum(bytes: Uint8Array): number {
  requireBytes(bytes);
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes[i]!;
  return sum;
}

/** Σ mod 96 over exactly bytes.length bytes. */
export function conservedSum(bytes: Uint8Array): number {
  return byteSum(bytes) % 96;
}

/** The whole buffer is conserved (Σ ≡ 0 mod 96); an empty buffer is conserved. */
export function windowCheck(bytes: Uint8Array): boolean {
  return conservedSum(bytes) === 0;
}

/** Every window [i, i+w) at stride 1 is conserved; w > length checks the whole buffer. */
export function slidingWindowCheck(bytes: Uint8Array, w: number): boolean {
  requireBytes(bytes);
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 1) fail(ErrorCode.INVALID, `window must be an integer >= 1, got ${String(w)}`);
  if (w >= bytes.length) return windowCheck(bytes);
  let sum = byteSum(bytes.subarray(0, w));
  if (sum % 96 !== 0) return false;
  for (let i = w; i < bytes.length; i++) {
    sum += bytes[i]! - bytes[i - w]!;
    if (sum % 96 !== 0) return false;
  }
  return true;
}

/** δ in 0..95 with (Σbefore + δ) % 96 == Σafter % 96, correct when the sum drops. */
export function conservedDelta(before: Uint8Array, after: Uint8Array): number {
  requireBytes(before, 'before');
  requireBytes(after, 'after');
  if (before.length !== after.length) fail(ErrorCode.INVALID, `before and after differ in length (${before.length} vs ${after.length})`);
  return residueDelta(byteSum(before), byteSum(after));
}

/** δ from two exact byte sums (non-negative safe integers). */
export function residueDelta(sumBefore: number, sumAfter: number): number {
  requireSum(sumBefore, 'sumBefore');
  requireSum(sumAfter, 'sumAfter');
  return (((sumAfter - sumBefore) % 96) + 96) % 96;
}

function requireSum(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(ErrorCode.INVALID, `${what} must be a non-negative safe integer, got ${String(value)}`);
}
