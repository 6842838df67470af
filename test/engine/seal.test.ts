import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CONSERVATION_OFFSET, PAYLOAD_SIZE, isSealed, sealStructure } from '../../src/framing/index.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';

/** An independent statement of the seal: zero padding, and the conservation byte that makes Σ ≡ 0 (mod 96). */
function expectedSeal(input: Uint8Array, used: number): Uint8Array {
  const out = new Uint8Array(STRUCTURE_SIZE);
  out.set(input.subarray(0, used));
  let sum = 0;
  for (let i = 0; i < used; i++) sum += out[i]!;
  out[CONSERVATION_OFFSET] = (96 - (sum % 96)) % 96;
  return out;
}

describe('sealStructure on the selected kernel backend', () => {
  it('zeroes leftovers in the padding and sets the conservation byte, for any payload', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: PAYLOAD_SIZE }), fc.integer({ min: 0, max: 255 }), (payload, junk) => {
        const a = new Uint8Array(STRUCTURE_SIZE).fill(junk);
        a.set(payload);
        const expected = expectedSeal(a, payload.length);
        sealStructure(a, payload.length);
        expect(Buffer.from(a).equals(Buffer.from(expected))).toBe(true);
        expect(isSealed(a)).toBe(true);
      }),
      { numRuns: 200, seed: 12287 },
    );
  });

  it('seals a full payload of 0xff bytes (the largest sum)', () => {
    const a = new Uint8Array(STRUCTURE_SIZE).fill(0xff);
    sealStructure(a, PAYLOAD_SIZE);
    expect(Buffer.from(a).equals(Buffer.from(expectedSeal(a, PAYLOAD_SIZE)))).toBe(true);
    expect(isSealed(a)).toBe(true);
  });
});
