import { expect } from 'vitest';
import { AtlasError, errorName, getLastError } from '../../src/index.js';

/** Asserts that fn throws an AtlasError with exactly this code, and that the thread's last error records it. */
export function expectAtlasError(fn: () => unknown, code: number): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected AtlasError ${errorName(code)}`).toBeInstanceOf(AtlasError);
  expect(errorName((thrown as AtlasError).code)).toBe(errorName(code));
  expect(errorName(getLastError())).toBe(errorName(code));
}

/** Seeded runs for every property test, so a failure is reproducible. */
export const SEED = 0x5eed;
