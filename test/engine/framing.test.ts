import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { CONSERVATION_OFFSET, PAYLOAD_SIZE, documentId, frameDocument, isSealed, sealStructure, structureCount, unframe } from '../../src/framing/index.js';
import { byteSum } from '../../src/l2/sum.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { AtlasError, ErrorCode } from '../../src/errors.js';

const BOUNDARIES = [0, 1, PAYLOAD_SIZE - 1, PAYLOAD_SIZE, PAYLOAD_SIZE + 1, 2 * PAYLOAD_SIZE, 2 * PAYLOAD_SIZE + 1];

function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('framing', () => {
  it('frames boundary lengths into the expected structure counts and back, byte-exact', () => {
    for (const n of BOUNDARIES) {
      const doc = randomBytes(n, n + 7);
      const framed = frameDocument(doc);
      expect(framed.length).toBe(Math.ceil(n / PAYLOAD_SIZE) * STRUCTURE_SIZE);
      expect(structureCount(n)).toBe(framed.length / STRUCTURE_SIZE);
      expect(Buffer.from(unframe(framed, n)).equals(Buffer.from(doc))).toBe(true);
    }
    expect(structureCount(0)).toBe(0);
  });

  it('every structure sums to 0 mod 96 with a conservation byte in 0..95, and the tail is zero-padded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3 * PAYLOAD_SIZE + 5 }), (doc) => {
        const framed = frameDocument(doc);
        for (let s = 0; s < framed.length / STRUCTURE_SIZE; s++) {
          const structure = framed.subarray(s * STRUCTURE_SIZE, (s + 1) * STRUCTURE_SIZE);
          expect(byteSum(structure) % 96).toBe(0);
          expect(structure[CONSERVATION_OFFSET]!).toBeLessThan(96);
          expect(isSealed(structure)).toBe(true);
        }
        const used = doc.length - (structureCount(doc.length) - 1) * PAYLOAD_SIZE;
        if (doc.length > 0) expect(framed.subarray(framed.length - STRUCTURE_SIZE + used, framed.length - 1).every((b) => b === 0)).toBe(true);
        expect(Buffer.from(unframe(framed, doc.length)).equals(Buffer.from(doc))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('the document id is the SHA-256 hex of the unframed bytes', () => {
    const doc = randomBytes(20_000, 3);
    expect(documentId(doc)).toBe(createHash('sha256').update(doc).digest('hex'));
    expect(documentId(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('unframe rejects a changed byte, non-zero padding and a wrong length', () => {
    const doc = randomBytes(100, 5);
    const framed = frameDocument(doc);
    const changed = framed.slice();
    changed[3]! ^= 1;
    expect(() => unframe(changed, 100)).toThrow(expect.objectContaining({ code: ErrorCode.CONSERVATION }));
    const padded = framed.slice();
    padded[200] = 96;
    padded[201] = 0;
    padded[CONSERVATION_OFFSET] = framed[CONSERVATION_OFFSET]!; // sum + 96: still conserved, but padding is not zero
    expect(() => unframe(padded, 100)).toThrow(AtlasError);
    expect(() => unframe(framed, 12_288)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID }));
  });

  it('sealStructure rejects bad sizes', () => {
    expect(() => sealStructure(new Uint8Array(10), 1)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID }));
    expect(() => sealStructure(new Uint8Array(STRUCTURE_SIZE), PAYLOAD_SIZE + 1)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID }));
    expect(() => structureCount(-1)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID }));
  });
});
