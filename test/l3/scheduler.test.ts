import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtlasError, ErrorCode, U64_MAX, nextHarmonicWindow, nextHarmonicWindowFrom } from '../../src/index.js';
import { SEED, expectAtlasError } from '../l2/expect-code.js';

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

describe('nextHarmonicWindowFrom: properties', () => {
  it('(next + r) % 96 == 0 and 0 <= next - now < 96 for bigint now up to 2^64-1', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.integer({ min: 0, max: 95 }), (now, r) => {
        let next: bigint;
        try {
          next = nextHarmonicWindowFrom(now, r);
        } catch (err) {
          // Only legal when the aligned window lies beyond 2^64-1.
          expect((err as AtlasError).code).toBe(ErrorCode.INVALID);
          expect(now + ((96n - ((now + BigInt(r)) % 96n)) % 96n)).toBeGreaterThan(U64_MAX);
          return;
        }
        expect((next + BigInt(r)) % 96n).toBe(0n);
        expect(next - now >= 0n && next - now < 96n).toBe(true);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it('near 2^32 and 2^64 every (now, r) is aligned, minimal, and never wraps', () => {
    for (const start of [(1n << 32n) - 100n, U64_MAX - 200n]) {
      for (let now = start; now < start + 200n; now++) {
        for (let r = 0; r < 96; r += 7) {
          const aligned = now + ((96n - ((now + BigInt(r)) % 96n)) % 96n);
          if (aligned > U64_MAX) expectAtlasError(() => nextHarmonicWindowFrom(now, r), ErrorCode.INVALID);
          else expect(nextHarmonicWindowFrom(now, r)).toBe(aligned);
        }
      }
    }
  });

  it('accepts safe-integer numbers, rejects unsafe numbers, negatives, and bad classes', () => {
    expect(nextHarmonicWindowFrom(100, 5)).toBe(187n);
    expect(nextHarmonicWindow(1)).toBe(95n);
    expectAtlasError(() => nextHarmonicWindowFrom(2 ** 53, 0), ErrorCode.INVALID);
    expectAtlasError(() => nextHarmonicWindowFrom(-1n, 0), ErrorCode.INVALID);
    expectAtlasError(() => nextHarmonicWindowFrom(U64_MAX + 1n, 0), ErrorCode.INVALID);
    expectAtlasError(() => nextHarmonicWindowFrom(0n, -1), ErrorCode.INVALID);
    expectAtlasError(() => nextHarmonicWindowFrom(0n, 1.5), ErrorCode.INVALID);
  });
});

describe('nextHarmonicWindowFromNumber agrees with the bigint form', () => {
  it('on every spec vector within the safe range, and on a seeded sample', async () => {
    const { nextHarmonicWindowFromNumber } = await import('../../src/index.js');
    const fc = (await import('fast-check')).default;
    for (const [now, r, next] of VECTORS) {
      if (next === 'INVALID' || next > BigInt(Number.MAX_SAFE_INTEGER)) continue;
      expect(nextHarmonicWindowFromNumber(Number(now), r)).toBe(Number(next));
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 96 }), fc.integer({ min: 0, max: 95 }), (now, r) => {
        expect(BigInt(nextHarmonicWindowFromNumber(now, r))).toBe(nextHarmonicWindowFrom(BigInt(now), r));
      }),
      { seed: 96, numRuns: 2000 },
    );
  });

  it('rejects what it cannot answer exactly', async () => {
    const { nextHarmonicWindowFromNumber } = await import('../../src/index.js');
    expect(() => nextHarmonicWindowFromNumber(Number.MAX_SAFE_INTEGER, 0)).toThrowError(AtlasError);
    expect(() => nextHarmonicWindowFromNumber(2 ** 53, 0)).toThrowError(AtlasError);
    expect(() => nextHarmonicWindowFromNumber(-1, 0)).toThrowError(AtlasError);
    expect(() => nextHarmonicWindowFromNumber(5, 96)).toThrowError(AtlasError);
  });
});
