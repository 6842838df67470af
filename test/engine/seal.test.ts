import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PAYLOAD_SIZE, isSealed, sealStructure } from '../../src/framing/index.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { sealFast } from '../../src/engine/seal.js';

describe('sealFast', () => {
  it('gives the same bytes as framing sealStructure for any payload, leftovers in the padding included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: PAYLOAD_SIZE }), fc.integer({ min: 0, max: 255 }), (payload, junk) => {
        const a = new Uint8Array(STRUCTURE_SIZE).fill(junk);
        a.set(payload);
        const b = a.slice();
        sealFast(a, payload.length);
        sealStructure(b, payload.length);
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
        expect(isSealed(a)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('seals a full payload of 0xff bytes (the largest sum)', () => {
    const a = new Uint8Array(STRUCTURE_SIZE).fill(0xff);
    sealFast(a, PAYLOAD_SIZE);
    expect(isSealed(a)).toBe(true);
  });
});
