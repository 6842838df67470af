import { ErrorCode, fail } from './errors.js';

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

export function requireBytes(value: unknown, what = 'bytes'): Uint8Array {
  if (!(value instanceof Uint8Array)) fail(ErrorCode.INVALID, `${what} must be a Uint8Array`);
  return value;
}

export function requireIndex(value: unknown, limit: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= limit) {
    fail(ErrorCode.INVALID, `${what} must be an integer in 0..${limit - 1}, got ${String(value)}`);
  }
  return value;
}

export function requireClass(value: unknown, what = 'class'): number {
  return requireIndex(value, 96, what);
}

export function requireLength(value: Uint8Array, minimum: number, what: string): Uint8Array {
  if (value.length < minimum) fail(ErrorCode.INVALID, `${what} needs at least ${minimum} bytes, got ${value.length}`);
  return value;
}
