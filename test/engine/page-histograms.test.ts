import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sumPageHistograms } from '../../src/engine/page-histograms.js';

describe('sumPageHistograms', () => {
  it('equals the plain per-class sum of the page counters, up to the largest counts a page can hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 48 }), fc.boolean(), fc.integer(), (pages, full, seed) => {
        const perPage = new Uint16Array(pages * 96);
        let x = seed | 1;
        for (let i = 0; i < perPage.length; i++) {
          x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
          perPage[i] = full ? 256 : (x >>> 0) % 257;
        }
        const out = new Uint32Array(96);
        sumPageHistograms(perPage, out);
        const expected = Array.from({ length: 96 }, (_, c) => { let t = 0; for (let p = 0; p < pages; p++) t += perPage[p * 96 + c]!; return t; });
        expect(Array.from(out)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
