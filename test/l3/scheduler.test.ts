import { describe, expect, it } from 'vitest';
import { AtlasError, ErrorCode, nextHarmonicWindowFrom } from '../../src/index.js';

const VECTORS: [bigint, number, bigint | 'INVALID'][] = [
  [0n, 0, 0n],
  [0n, 1, 95n],
  [1n, 0, 96n],
  [95n, 1, 95n],
  [100n, 5, 187n],
  [4294967295n, 0, 4294967328n],
  [4294967296n, 0, 4294967328n],
  [4294967296n, 95, 4294967329n],
  [4294967327n, 1, 4294967327n],
  [9007199254740991n, 0, 9007199254741056n],
  [18446744073709551520n, 0, 18446744073709551552n],
  [18446744073709551615n, 33, 18446744073709551615n],
  [18446744073709551615n, 0, 'INVALID'],
  [12345n, 96, 'INVALID'],
];

describe('nextHarmonicWindowFrom: spec vectors', () => {
  for (const [now, r, next] of VECTORS) {
    it(`(${now}, ${r}) -> ${next}`, () => {
      if (next === 'INVALID') {
        expect(() => nextHarmonicWindowFrom(now, r)).toThrowError(AtlasError);
        try {
          nextHarmonicWindowFrom(now, r);
        } catch (err) {
          expect((err as AtlasError).code).toBe(ErrorCode.INVALID);
        }
      } else {
        expect(nextHarmonicWindowFrom(now, r)).toBe(next);
      }
    });
  }
});
