import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConservationStream, ErrorCode, byteSum, conservedDelta, conservedSum, residueDelta, slidingWindowCheck, windowCheck } from '../../src/index.js';
import { SEED, expectAtlasError } from './expect-code.js';

const ramp = Uint8Array.from({ length: 256 }, (_, i) => i);
const first64 = Uint8Array.from({ length: 64 }, (_, i) => i);

/** A buffer of `len` bytes whose exact byte sum is `sum` (greedy 255s, then the rest). */
function withSum(len: number, sum: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0, left = sum; i < len; i++, left -= out[i - 1]!) out[i] = Math.min(255, left);
  expect(byteSum(out)).toBe(sum);
  return out;
}

describe('conserved sum and window check', () => {
  it('spec vectors', () => {
    expect(conservedSum(new Uint8Array(64).fill(16))).toBe(64); // the reference v16i8 path gives 0
    expect(conservedSum(ramp)).toBe(0);
    expect(windowCheck(ramp)).toBe(true);
    expect(windowCheck(new Uint8Array(0))).toBe(true);
    expect(byteSum(first64)).toBe(2016);
    expect(conservedSum(first64)).toBe(0);
  });

  it('sums exactly len bytes of a subarray, with no 8-bit wrap', () => {
    const big = new Uint8Array(12288).fill(255);
    expect(byteSum(big)).toBe(12288 * 255);
    expect(conservedSum(big.subarray(0, 3))).toBe(765 % 96);
    expect(windowCheck(new Uint8Array([95]))).toBe(false);
  });

  it('sliding window check', () => {
    expect(slidingWindowCheck(new Uint8Array([96, 0, 96, 0]), 1)).toBe(true);
    expect(slidingWindowCheck(new Uint8Array([48, 48, 48, 48]), 2)).toBe(true);
    expect(slidingWindowCheck(new Uint8Array([48, 48, 48, 47]), 2)).toBe(false);
    expect(slidingWindowCheck(ramp, 1000)).toBe(true); // w > len checks the whole buffer
    expectAtlasError(() => slidingWindowCheck(ramp, 0), ErrorCode.INVALID);
  });
});

describe('ConservationStream', () => {
  it('six chunks of 16 x 7: residues 16, 32, 48, 64, 80, 0; bytes 96; conserved', () => {
    const stream = new ConservationStream();
    const residues: number[] = [];
    for (let i = 0; i < 6; i++) residues.push(stream.update(new Uint8Array(16).fill(7)).residue);
    expect(residues).toEqual([16, 32, 48, 64, 80, 0]);
    expect(stream.bytes).toBe(96);
    expect(stream.isConserved()).toBe(true);
  });

  it('state is plain data that survives structuredClone and resumes', () => {
    const a = new ConservationStream().update(new Uint8Array([50]));
    const state = structuredClone(a.state());
    expect(state).toEqual({ residue: 50, bytes: 1 });
    const b = ConservationStream.from(state).update(new Uint8Array([46]));
    expect(b.residue).toBe(0);
    expect(b.bytes).toBe(2);
    expectAtlasError(() => ConservationStream.from({ residue: 96, bytes: 0 }), ErrorCode.INVALID);
    expectAtlasError(() => ConservationStream.from({ residue: 0, bytes: -1 }), ErrorCode.INVALID);
  });

  it('property: chunked residue equals the one-shot sum', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), (chunks) => {
        const stream = new ConservationStream();
        for (const c of chunks) stream.update(c);
        const all = Uint8Array.from(chunks.flatMap((c) => Array.from(c)));
        return stream.residue === conservedSum(all) && stream.bytes === all.length;
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('delta', () => {
  const ROWS: [number, number, number][] = [
    [100, 95, 91], [320, 315, 91], [95, 0, 1], [0, 95, 95], [5, 101, 0], [510, 0, 66], [1, 0, 95], [32640, 0, 0],
  ];

  it.each(ROWS)('Σbefore %i, Σafter %i -> %i (residueDelta and conservedDelta on real buffers)', (before, after, delta) => {
    expect(residueDelta(before, after)).toBe(delta);
    const len = Math.max(2, Math.ceil(Math.max(before, after) / 255));
    expect(conservedDelta(withSum(len, before), withSum(len, after))).toBe(delta);
  });

  it('named buffers from the spec: 32 x 10 minus 5 on one byte, [255,255] -> [0,0], ramp -> zero page', () => {
    const a = new Uint8Array(32).fill(10);
    const b = a.slice();
    b[7] = 5;
    expect(conservedDelta(a, b)).toBe(91);
    expect(conservedDelta(new Uint8Array([255, 255]), new Uint8Array(2))).toBe(66);
    expect(conservedDelta(ramp, new Uint8Array(256))).toBe(0);
    expectAtlasError(() => conservedDelta(ramp, new Uint8Array(10)), ErrorCode.INVALID);
    expectAtlasError(() => residueDelta(-1, 0), ErrorCode.INVALID);
  });

  it('property: (Σb + δ) % 96 == Σa % 96 for lengths 0, 1, 96, 256, 512, 12288, including sums that drop', () => {
    let drops = 0;
    for (const len of [0, 1, 96, 256, 512, 12288]) {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: len, maxLength: len }), fc.uint8Array({ minLength: len, maxLength: len }), (before, after) => {
          const delta = conservedDelta(before, after);
          const sb = byteSum(before);
          const sa = byteSum(after);
          if (sa < sb) drops++;
          return Number.isInteger(delta) && delta >= 0 && delta < 96 && (sb + delta) % 96 === sa % 96;
        }),
        { seed: SEED + len, numRuns: len === 12288 ? 40 : 200 },
      );
    }
    expect(drops).toBeGreaterThan(100); // the property really exercised after < before
  });
});
