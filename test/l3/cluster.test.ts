import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, clusterByResonance, clusterMembers, clusterValidate, type ClusterView } from '../../src/index.js';
import { SEED, expectAtlasError } from '../l2/expect-code.js';

const ramp = Uint8Array.from({ length: 256 }, (_, i) => i);

/** An independent check of the CSR contract that does not share code with clusterValidate. */
function independentCheck(view: ClusterView, base: Uint8Array, pages: number): void {
  const n = pages * 256;
  expect(view.offsets.length).toBe(97);
  expect(view.offsets[0]).toBe(0);
  expect(view.offsets[96]).toBe(n);
  expect(view.indices.length).toBe(n);
  const seen = new Uint8Array(n);
  for (let c = 0; c < 96; c++) {
    const members = Array.from(clusterMembers(view, c));
    const expected: number[] = [];
    for (let i = 0; i < n; i++) if (base[i]! % 96 === c) expected.push(i);
    expect(members).toEqual(expected); // homogeneous, ascending, and exactly the coords of class c
    for (const i of members) seen[i]!++;
  }
  expect(seen.every((k) => k === 1)).toBe(true); // complete: every coordinate exactly once
}

describe('clusterByResonance (CSR)', () => {
  it('ramp page: spec offsets and buckets', () => {
    const view = clusterByResonance(ramp, 1);
    for (let c = 0; c <= 96; c++) expect(view.offsets[c]).toBe(c <= 64 ? 3 * c : 192 + 2 * (c - 64));
    expect([view.offsets[1], view.offsets[63], view.offsets[64], view.offsets[65], view.offsets[95], view.offsets[96]]).toEqual([3, 189, 192, 194, 254, 256]);
    expect(Array.from(clusterMembers(view, 0))).toEqual([0, 96, 192]);
    expect(Array.from(clusterMembers(view, 63))).toEqual([63, 159, 255]);
    expect(Array.from(clusterMembers(view, 95))).toEqual([95, 191]);
    expect(clusterValidate(view, ramp)).toBe(true);
  });

  it('bad input -> INVALID', () => {
    expectAtlasError(() => clusterByResonance(ramp, 0), ErrorCode.INVALID);
    expectAtlasError(() => clusterByResonance(ramp, 2), ErrorCode.INVALID);
    expectAtlasError(() => clusterByResonance(ramp, 1.5), ErrorCode.INVALID);
    expectAtlasError(() => clusterMembers(clusterByResonance(ramp, 1), 96), ErrorCode.INVALID);
  });

  it('clusterValidate rejects a broken CSR', () => {
    const view = clusterByResonance(ramp, 1);
    const mixed = { offsets: view.offsets, indices: view.indices.slice() };
    [mixed.indices[0], mixed.indices[3]] = [mixed.indices[3]!, mixed.indices[0]!]; // coord 1 into bucket 0
    expect(clusterValidate(mixed, ramp)).toBe(false); // not homogeneous
    const descending = { offsets: view.offsets, indices: view.indices.slice() };
    descending.indices.set([192, 96, 0], 0); // homogeneous but not ascending
    expect(clusterValidate(descending, ramp)).toBe(false);
    const outOfRange = { offsets: view.offsets, indices: view.indices.slice() };
    outOfRange.indices[0] = 256;
    expect(clusterValidate(outOfRange, ramp)).toBe(false);
    const shortTotal = { offsets: view.offsets.slice(), indices: view.indices };
    shortTotal.offsets[96] = 255;
    expect(clusterValidate(shortTotal, ramp)).toBe(false);
    expect(clusterValidate({ offsets: new Uint32Array(3), indices: view.indices }, ramp)).toBe(false);
    expect(clusterValidate(clusterByResonance(ramp, 1), new Uint8Array(256).fill(1))).toBe(false); // other bytes
  });

  it('property: homogeneous, complete, ascending for random multi-page inputs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }).chain((pages) => fc.tuple(fc.constant(pages), fc.uint8Array({ minLength: pages * 256, maxLength: pages * 256 }))), ([pages, base]) => {
        const view = clusterByResonance(base, pages);
        expect(clusterValidate(view, base)).toBe(true);
        independentCheck(view, base, pages);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('a full 48-page structure', () => {
    const base = Uint8Array.from({ length: 48 * 256 }, (_, i) => (i * 37 + 11) & 255);
    const view = clusterByResonance(base, 48);
    expect(clusterValidate(view, base)).toBe(true);
    independentCheck(view, base, 48);
  });
});
