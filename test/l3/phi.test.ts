import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PAGES, STRUCTURE_SIZE, phiDecode, phiEncode } from '../../src/index.js';
import { SEED, expectAtlasError } from '../l2/expect-code.js';

describe('Φ encode/decode', () => {
  it('spec vectors', () => {
    expect(phiEncode(0, 0)).toBe(0);
    expect(phiEncode(1, 2)).toBe(258);
    expect(phiEncode(47, 255)).toBe(12287);
    expect(phiDecode(12287)).toEqual({ page: 47, offset: 255 });
    expect(PAGES * 256).toBe(STRUCTURE_SIZE);
  });

  it('out of range or non-integers -> INVALID', () => {
    expectAtlasError(() => phiEncode(48, 0), ErrorCode.INVALID);
    expectAtlasError(() => phiEncode(0, 256), ErrorCode.INVALID);
    expectAtlasError(() => phiEncode(1.5, 0), ErrorCode.INVALID);
    expectAtlasError(() => phiEncode(-1, 0), ErrorCode.INVALID);
    expectAtlasError(() => phiDecode(12288), ErrorCode.INVALID);
    expectAtlasError(() => phiDecode(0.5), ErrorCode.INVALID);
    expectAtlasError(() => phiDecode(-1), ErrorCode.INVALID);
  });

  it('property: decode(encode(p, o)) = (p, o) and encode(decode(c)) = c', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 47 }), fc.integer({ min: 0, max: 255 }), (page, offset) => {
        const coord = phiEncode(page, offset);
        return coord >= 0 && coord < STRUCTURE_SIZE && phiDecode(coord).page === page && phiDecode(coord).offset === offset;
      }),
      { seed: SEED, numRuns: 2000 },
    );
    for (let c = 0; c < STRUCTURE_SIZE; c++) {
      const { page, offset } = phiDecode(c);
      expect(phiEncode(page, offset)).toBe(c);
    }
  });
});
