import { ErrorCode, fail } from '../errors.js';
import { requireBytes } from '../validate.js';
import { byteSum } from './sum.js';

/** Fills dst with value, then adjusts only the last byte so Σ ≡ 0 mod 96, never overflowing it. */
export function conservedMemset(dst: Uint8Array, value: number): Uint8Array {
  requireBytes(dst, 'dst');
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) fail(ErrorCode.INVALID, `value must be a byte, got ${String(value)}`);
  const len = dst.length;
  if (len === 0) return dst;
  dst.fill(value);
  const r = (value * (len % 96)) % 96;
  if (r !== 0) dst[len - 1] = value + 96 - r <= 255 ? value + 96 - r : value - r;
  return dst;
}

/** Copies a conserved src into dst (memmove semantics). Fails closed: nothing is written unless src is conserved. */
export function conservedMemcpy(dst: Uint8Array, src: Uint8Array): Uint8Array {
  requireBytes(dst, 'dst');
  requireBytes(src, 'src');
  if (byteSum(src) % 96 !== 0) fail(ErrorCode.CONSERVATION, 'source is not conserved (sum mod 96 != 0); destination untouched');
  if (dst.length < src.length) fail(ErrorCode.INVALID, `dst holds ${dst.length} bytes, src has ${src.length}`);
  dst.set(src); // TypedArray#set copies as if through a temporary when both views share a buffer
  return dst;
}
