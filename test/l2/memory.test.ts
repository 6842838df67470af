import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, byteSum, conservedMemcpy, conservedMemset } from '../../src/index.js';
import { SEED, expectAtlasError } from './expect-code.js';

/** Σ ≡ 0, every byte a byte, and only the last byte may differ from value. */
function checkMemset(dst: Uint8Array, value: number): void {
  const len = dst.length;
  let sum = 0;
  for (let i = 0; i < len; i++) {
    const b = dst[i]!;
    if (i < len - 1 && b !== value) throw new Error(`byte ${i} is ${b}, not ${value} (len ${len})`);
    sum += b;
  }
  if (sum % 96 !== 0) throw new Error(`memset(${value}, len ${len}) left Σ % 96 = ${sum % 96}`);
}

describe('conservedMemset', () => {
  const ROWS: [number, number, number, number][] = [
    // value, len, expected last byte, expected Σ
    [200, 2, 184, 384], [200, 1, 192, 192], [250, 300, 226, 74976], [7, 5, 68, 96], [255, 3, 162, 672],
    [1, 1, 96, 96], [160, 1, 192, 192], [255, 1, 192, 192], [48, 2, 48, 96], [100, 12288, 100, 1228800],
  ];

  it.each(ROWS)('value %i, len %i -> last byte %i, Σ %i', (value, len, last, sum) => {
    const dst = conservedMemset(new Uint8Array(len), value);
    expect(dst[len - 1]).toBe(last);
    expect(byteSum(dst)).toBe(sum);
    checkMemset(dst, value);
  });

  it('len 1 always gives a multiple of 96; len 0 is a no-op', () => {
    for (let v = 0; v < 256; v++) expect(conservedMemset(new Uint8Array(1), v)[0]! % 96).toBe(0);
    expect(conservedMemset(new Uint8Array(0), 200).length).toBe(0);
  });

  it('exhaustive: value 0..255 x len 0..399', () => {
    const buf = new Uint8Array(400);
    for (let value = 0; value < 256; value++) {
      for (let len = 0; len < 400; len++) checkMemset(conservedMemset(buf.subarray(0, len), value), value);
    }
  });

  it('property: conserved for every value and lengths up to 12288', () => {
    const buf = new Uint8Array(12288);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 12288 }), (value, len) => {
        checkMemset(conservedMemset(buf.subarray(0, len), value), value);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('bad value -> INVALID', () => {
    for (const v of [256, -1, 1.5, Number.NaN]) expectAtlasError(() => conservedMemset(new Uint8Array(4), v), ErrorCode.INVALID);
  });
});

describe('conservedMemcpy', () => {
  it('non-conserved src [1,2,3] -> CONSERVATION, dst prefilled with 0xAA untouched', () => {
    const dst = new Uint8Array(8).fill(0xaa);
    expectAtlasError(() => conservedMemcpy(dst, new Uint8Array([1, 2, 3])), ErrorCode.CONSERVATION);
    expect(dst.every((b) => b === 0xaa)).toBe(true);
  });

  it('conserved src 0..63 -> copied', () => {
    const src = Uint8Array.from({ length: 64 }, (_, i) => i);
    const dst = new Uint8Array(64);
    expect(conservedMemcpy(dst, src)).toBe(dst);
    expect(dst).toEqual(src);
  });

  it('dst shorter than src -> INVALID, dst untouched', () => {
    const dst = new Uint8Array(10).fill(0xaa);
    expectAtlasError(() => conservedMemcpy(dst, new Uint8Array(96).fill(1)), ErrorCode.INVALID);
    expect(dst.every((b) => b === 0xaa)).toBe(true);
  });

  it('memmove semantics on overlapping views of one buffer', () => {
    const buf = new Uint8Array(200);
    const src = buf.subarray(0, 96);
    for (let i = 0; i < 95; i++) src[i] = (i * 13 + 5) & 255;
    src[95] = (96 - (byteSum(src.subarray(0, 95)) % 96)) % 96; // makes src conserved
    expect(byteSum(src) % 96).toBe(0);
    const expected = src.slice();
    conservedMemcpy(buf.subarray(10, 106), src); // forward overlap
    expect(buf.subarray(10, 106)).toEqual(expected);
    conservedMemcpy(buf.subarray(0, 96), buf.subarray(10, 106)); // backward overlap
    expect(buf.subarray(0, 96)).toEqual(expected);
  });
});
