import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PAYLOAD_SIZE, sealStructure, storedCopy, storedForm, wholeStructure } from '../../src/framing/index.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';

function sealed(payload: Uint8Array, offset = 0): Uint8Array {
  const s = new Uint8Array(offset + STRUCTURE_SIZE).subarray(offset);
  s.set(payload);
  return sealStructure(s, payload.length);
}

describe('a structure in its stored form', () => {
  it('drops the zero padding, keeps the conservation byte, and comes back whole, at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: PAYLOAD_SIZE }), fc.nat(PAYLOAD_SIZE), fc.integer({ min: 0, max: 3 }), (bytes, zeros, offset) => {
        // Payloads that end in zeros of their own too: those are trimmed like padding and restored as zeros.
        const payload = new Uint8Array(Math.min(PAYLOAD_SIZE, bytes.length + zeros));
        payload.set(bytes.subarray(0, payload.length));
        const whole = sealed(payload, offset);
        const stored = storedForm(whole);
        let last = PAYLOAD_SIZE;
        while (last > 0 && whole[last - 1] === 0) last--;
        expect(stored.length).toBe(last === PAYLOAD_SIZE ? STRUCTURE_SIZE : last + 1);
        expect(Buffer.from(wholeStructure(stored)).equals(Buffer.from(whole))).toBe(true);
        expect(storedForm(stored)).toBe(stored); // a stored form is left as it is
      }),
      { numRuns: 300, seed: 4096 },
    );
  });

  it('edge lengths: empty, one byte, a word boundary, a full payload (kept whole, the same bytes)', () => {
    for (const n of [0, 1, 3, 4, 5, 4096, PAYLOAD_SIZE - 4, PAYLOAD_SIZE - 1]) {
      const whole = sealed(new Uint8Array(n).fill(7));
      const stored = storedForm(whole);
      expect(stored.length).toBe(n + 1);
      expect(stored[n]).toBe(whole[PAYLOAD_SIZE]);
      expect(Buffer.from(wholeStructure(stored)).equals(Buffer.from(whole))).toBe(true);
    }
    const full = sealed(new Uint8Array(PAYLOAD_SIZE).fill(9));
    expect(storedForm(full)).toBe(full);
    expect(wholeStructure(full)).toBe(full);
  });

  it('a value of a length storedForm never makes comes back unchanged, for the digest check to refuse', () => {
    for (const n of [0, STRUCTURE_SIZE + 1]) {
      const odd = new Uint8Array(n);
      expect(wholeStructure(odd)).toBe(odd);
    }
  });

  it('storedCopy keeps nothing of the caller: a full structure is copied too', () => {
    for (const n of [100, PAYLOAD_SIZE]) {
      const whole = sealed(new Uint8Array(n).fill(3));
      const copy = storedCopy(whole);
      expect(Buffer.from(copy).equals(Buffer.from(storedForm(whole)))).toBe(true);
      whole.fill(0);
      expect(copy[0]).toBe(3);
    }
  });
});
