import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ECC_DEPTH, ECC_MAX_BLOCK, ECC_PARITY_BYTES, eccDecode, eccEncode } from '../../src/holo/ecc.js';
import { createFftPlan, irfft, rfft } from '../../src/holo/fft.js';
import { LAYERS } from '../../src/holo/layers.js';
import { routeToLayer } from '../../src/holo/routing.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('properties', () => {
  it('routeToLayer accepts any bytes and name, returns one of the seven layers, and is deterministic', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.string({ maxLength: 600 }).map(utf8)), fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), (bytes, name) => {
        const doc = name === undefined ? { bytes } : { bytes, name };
        const layer = routeToLayer(doc);
        expect(LAYERS).toContain(layer);
        expect(routeToLayer({ ...doc, bytes: bytes.slice() })).toBe(layer);
      }),
      { numRuns: 300 },
    );
  });

  it('irfft(rfft(x)) = x for any power-of-two size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 11 }), fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 2048 }), (log2, values) => {
        const plan = createFftPlan(2 ** log2);
        const x = Float64Array.from(values.slice(0, plan.size));
        const back = irfft(rfft(x, plan), plan);
        const scale = Math.max(1, ...x.map(Math.abs));
        for (let n = 0; n < plan.size; n++) expect(Math.abs(back[n]! - (x[n] ?? 0))).toBeLessThan(1e-9 * scale);
      }),
      { numRuns: 100 },
    );
  });

  it('ECC repairs any ≤ 16 corrupted bytes per codeword, for any block length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: ECC_MAX_BLOCK }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 200 }),
        (length, seed, hits) => {
          const data = Uint8Array.from({ length }, (_, i) => (Math.imul(i + 1, seed | 1) >>> 13) & 0xff);
          const block = new Uint8Array([...data, ...eccEncode(data)]);
          const perCodeword = new Array<number>(ECC_DEPTH).fill(0);
          const used = new Set<number>();
          for (const [position, flip] of hits) {
            const j = position % block.length;
            if (used.has(j) || perCodeword[j % ECC_DEPTH]! >= 16) continue;
            used.add(j);
            perCodeword[j % ECC_DEPTH]!++;
            block[j] = block[j]! ^ flip;
          }
          const result = eccDecode(block.subarray(0, length), block.subarray(length));
          expect(result.data).toEqual(data);
          expect(result.repairs).toBe(used.size);
          expect(block.length).toBe(length + ECC_PARITY_BYTES);
        },
      ),
      { numRuns: 60 },
    );
  });
});
