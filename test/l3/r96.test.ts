import { describe, expect, it } from 'vitest';
import {
  ErrorCode, R96_TABLE, conjugate, dominantClass, harmonizes, r96Classify, r96ClassifyPage, r96ClassifyPages,
  r96HistogramPage, r96HistogramPages,
} from '../../src/index.js';
import { expectAtlasError } from '../l2/expect-code.js';

const ramp = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('R96 classification', () => {
  it('matches the spec vector row', () => {
    const bytes = [0, 1, 2, 15, 48, 63, 64, 95, 96, 127, 128, 191, 192, 200, 255];
    const classes = [0, 1, 2, 15, 48, 63, 64, 95, 0, 31, 32, 95, 0, 8, 63];
    expect(bytes.map(r96Classify)).toEqual(classes);
  });

  it('the LUT equals b % 96 for all 256 bytes, and r96Classify uses it', () => {
    expect(R96_TABLE.length).toBe(256);
    for (let b = 0; b < 256; b++) {
      expect(R96_TABLE[b]).toBe(b % 96);
      expect(r96Classify(b)).toBe(b % 96);
    }
  });

  it('multiplicities: classes 0..63 hold 3 bytes, 64..95 hold 2 (64*3 + 32*2 = 256)', () => {
    const count = new Array<number>(96).fill(0);
    for (const c of R96_TABLE) count[c]!++;
    expect(count.slice(0, 64).every((n) => n === 3)).toBe(true);
    expect(count.slice(64).every((n) => n === 2)).toBe(true);
    expect(ramp.reduce((a, b) => a + b, 0)).toBe(32640);
    expect(32640 % 96).toBe(0);
  });

  it('rejects non-bytes with INVALID', () => {
    for (const bad of [256, -1, 1.5, Number.NaN]) expectAtlasError(() => r96Classify(bad), ErrorCode.INVALID);
  });

  it('classifies a page into a fresh or a given buffer', () => {
    const out = r96ClassifyPage(ramp);
    expect(Array.from(out)).toEqual(Array.from(ramp, (b) => b % 96));
    const given = new Uint8Array(256).fill(0xff);
    expect(r96ClassifyPage(ramp, given)).toBe(given);
    expect(given).toEqual(out);
    expectAtlasError(() => r96ClassifyPage(new Uint8Array(255)), ErrorCode.INVALID);
    expectAtlasError(() => r96ClassifyPage(ramp, new Uint8Array(10)), ErrorCode.INVALID);
  });

  it('classifies and histograms many pages', () => {
    const input = new Uint8Array(512);
    input.set(ramp);
    input.fill(200, 256);
    const classes = r96ClassifyPages(input, new Uint8Array(512));
    expect(classes[255]).toBe(63);
    expect(classes[300]).toBe(8);
    const hist = r96HistogramPages(input, new Uint16Array(192).fill(9));
    expect(hist[0]).toBe(3);
    expect(hist[64]).toBe(2);
    expect(hist[96 + 8]).toBe(256);
    expect(hist.slice(96).reduce((a, b) => a + b, 0)).toBe(256);
    expectAtlasError(() => r96ClassifyPages(new Uint8Array(100), new Uint8Array(100)), ErrorCode.INVALID);
    expectAtlasError(() => r96HistogramPages(input, new Uint16Array(100)), ErrorCode.INVALID);
  });
});

describe('histogram and dominant class', () => {
  it('zeroes a reused histogram and counts 256 bytes', () => {
    const hist = new Uint16Array(96).fill(77);
    r96HistogramPage(ramp, hist);
    for (let c = 0; c < 96; c++) expect(hist[c]).toBe(c < 64 ? 3 : 2);
    expectAtlasError(() => r96HistogramPage(ramp, new Uint16Array(95)), ErrorCode.INVALID);
    expectAtlasError(() => r96HistogramPage(ramp, new Uint32Array(96) as unknown as Uint16Array), ErrorCode.INVALID);
  });

  it('spec vectors: ramp -> 0, 256 x 200 -> 8, 128 x 50 + 128 x 7 -> 7 (tie, lower wins), zero page -> 0', () => {
    expect(dominantClass(r96HistogramPage(ramp))).toBe(0);
    expect(dominantClass(r96HistogramPage(new Uint8Array(256).fill(200)))).toBe(8);
    const tie = new Uint8Array(256).fill(50);
    tie.fill(7, 128);
    expect(dominantClass(r96HistogramPage(tie))).toBe(7);
    expect(dominantClass(r96HistogramPage(new Uint8Array(256)))).toBe(0);
    expect(dominantClass(new Uint16Array(96))).toBe(0);
    expectAtlasError(() => dominantClass(new Uint16Array(95)), ErrorCode.INVALID);
    expectAtlasError(() => dominantClass(new Array<number>(96).fill(Number.NaN)), ErrorCode.INVALID);
    expectAtlasError(() => dominantClass(new Array(96).fill(Symbol('x')) as unknown as number[]), ErrorCode.INVALID);
  });
});

describe('harmonizes and conjugate', () => {
  it('spec vectors', () => {
    for (const [a, b] of [[0, 0], [48, 48], [1, 95], [10, 86]] as const) expect(harmonizes(a, b)).toBe(true);
    for (const [a, b] of [[10, 85], [48, 0]] as const) expect(harmonizes(a, b)).toBe(false);
    expectAtlasError(() => harmonizes(96, 0), ErrorCode.INVALID);
    expectAtlasError(() => harmonizes(0, 96), ErrorCode.INVALID);
  });

  it('conjugate(r) harmonizes with r for every class; 0 and 48 are the self-harmonic classes', () => {
    const selfHarmonic: number[] = [];
    for (let r = 0; r < 96; r++) {
      expect(harmonizes(r, conjugate(r))).toBe(true);
      if (harmonizes(r, r)) selfHarmonic.push(r);
    }
    expect(selfHarmonic).toEqual([0, 48]);
    expectAtlasError(() => conjugate(96), ErrorCode.INVALID);
  });
});
