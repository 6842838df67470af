import { describe, expect, it } from 'vitest';
import { bindCue, cueKeyCode, cueKeySeed, cueNorm, cueSignal, scoreCueKey, unbindByCue, whitenedSpectrum } from '../../src/holo/cue-code.js';
import { createFftPlan } from '../../src/holo/fft.js';
import { seededBytes } from '../fixtures/engine/data.js';

const D = 4096;
const plan = createFftPlan(D);
const secret = new Uint8Array(32).fill(5);
const doc = new Uint8Array(32).fill(1);

describe('cue code', () => {
  it('whitens to unit magnitude on bins 1..D/2−1, drops trailing zeros and the mean, and gives a constant payload nothing', () => {
    const x = whitenedSpectrum(seededBytes(1500, 3), plan);
    expect(x.re[0]).toBe(0);
    expect(x.re[D / 2]).toBe(0);
    for (let k = 1; k < D / 2; k += 97) expect(Math.hypot(x.re[k]!, x.im[k]!)).toBeCloseTo(1, 12);
    const padded = new Uint8Array(1800);
    padded.set(seededBytes(1500, 3));
    expect(whitenedSpectrum(padded, plan)).toEqual(x);
    expect(cueSignal(Uint8Array.of(10, 20, 30, 0, 0))).toEqual(Float64Array.of(-10 / 255, 0, 10 / 255));
    expect(cueNorm(whitenedSpectrum(new Uint8Array(2000).fill(77), plan), D / 2)).toBe(0);
  });

  it('keys are keyed by secret, layer, document and index, and a code prefix does not depend on its length', () => {
    const seed = cueKeySeed(secret, 1, doc, 0);
    expect(cueKeySeed(secret, 1, doc, 0)).toEqual(seed);
    for (const other of [cueKeySeed(secret, 2, doc, 0), cueKeySeed(secret, 1, doc, 1), cueKeySeed(new Uint8Array(32).fill(6), 1, doc, 0)]) expect(other).not.toEqual(seed);
    const long = cueKeyCode(seed, D / 2);
    expect(cueKeyCode(seed, 100)).toEqual(long.subarray(0, 100));
    const counts = [0, 0, 0, 0];
    for (let k = 1; k < long.length; k++) counts[long[k]!]!++;
    for (const c of counts) expect(Math.abs(c / (D / 2) - 0.25)).toBeLessThan(0.05);
  });

  it('unbinding by a stored content scores its key ≈ 1 and every other key ≈ 0 ± √(N/D), in full and on a partial range', () => {
    const re = new Float32Array(D / 2 + 1), im = new Float32Array(D / 2 + 1);
    const items = Array.from({ length: 16 }, (_, i) => ({ seed: cueKeySeed(secret, 1, doc, i), x: whitenedSpectrum(seededBytes(3000, 100 + i), plan) }));
    for (const { seed, x } of items) bindCue(re, im, seed, x);
    for (const to of [D / 2, 512]) {
      const cue = items[5]!.x;
      const table = unbindByCue(re, im, cue, to);
      const norm = cueNorm(cue, to);
      const scores = items.map(({ seed }) => scoreCueKey(table, seed, to) / norm);
      const sigma = Math.sqrt(items.length / (2 * to));
      expect(Math.abs(scores[5]! - 1)).toBeLessThan(4 * sigma);
      for (const [i, s] of scores.entries()) if (i !== 5) expect(Math.abs(s)).toBeLessThan(4 * sigma);
    }
  });
});
