import { describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/errors.js';
import { createFftPlan, fft, ifft, irfft, rfft } from '../../src/holo/fft.js';
import { seededRandom } from './helpers.js';

/** Naive unitary DFT, the oracle. */
function naiveDft(re: ArrayLike<number>, im: ArrayLike<number>, inverse = false): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let sr = 0, si = 0;
    for (let t = 0; t < n; t++) {
      const angle = (sign * 2 * Math.PI * k * t) / n;
      sr += re[t]! * Math.cos(angle) - im[t]! * Math.sin(angle);
      si += re[t]! * Math.sin(angle) + im[t]! * Math.cos(angle);
    }
    outRe[k] = sr / Math.sqrt(n);
    outIm[k] = si / Math.sqrt(n);
  }
  return [outRe, outIm];
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('fft', () => {
  for (const n of [2, 4, 8, 64, 256]) {
    it(`complex forward and inverse match the naive unitary DFT at n = ${n}`, () => {
      const rand = seededRandom(n);
      const re = Float64Array.from({ length: n }, () => rand() - 0.5);
      const im = Float64Array.from({ length: n }, () => rand() - 0.5);
      const [wantRe, wantIm] = naiveDft(re, im);
      const plan = createFftPlan(n);
      const gotRe = re.slice(), gotIm = im.slice();
      fft(gotRe, gotIm, plan);
      expect(maxDiff(gotRe, wantRe)).toBeLessThan(1e-12);
      expect(maxDiff(gotIm, wantIm)).toBeLessThan(1e-12);
      const [invRe, invIm] = naiveDft(re, im, true);
      const backRe = re.slice(), backIm = im.slice();
      ifft(backRe, backIm, plan);
      expect(maxDiff(backRe, invRe)).toBeLessThan(1e-12);
      expect(maxDiff(backIm, invIm)).toBeLessThan(1e-12);
    });

    it(`rfft gives bins 0..n/2 of the naive DFT and irfft inverts it at n = ${n}`, () => {
      const rand = seededRandom(1000 + n);
      const x = Float64Array.from({ length: n }, () => rand() - 0.5);
      const [wantRe, wantIm] = naiveDft(x, new Float64Array(n));
      const plan = createFftPlan(n);
      const spectrum = rfft(x, plan);
      expect(spectrum.re.length).toBe(n / 2 + 1);
      expect(maxDiff(spectrum.re, wantRe.subarray(0, n / 2 + 1))).toBeLessThan(1e-12);
      expect(maxDiff(spectrum.im, wantIm.subarray(0, n / 2 + 1))).toBeLessThan(1e-12);
      expect(maxDiff(irfft(spectrum, plan), x)).toBeLessThan(1e-12);
    });
  }

  it('is unitary: the norm is preserved at n = 4096 and a round trip is exact to 1e-13', () => {
    const n = 4096;
    const rand = seededRandom(7);
    const x = Float64Array.from({ length: n }, () => rand() - 0.5);
    const plan = createFftPlan(n);
    const spectrum = rfft(x, plan);
    let timeEnergy = 0;
    for (const v of x) timeEnergy += v * v;
    let freqEnergy = spectrum.re[0]! ** 2 + spectrum.re[n / 2]! ** 2;
    for (let k = 1; k < n / 2; k++) freqEnergy += 2 * (spectrum.re[k]! ** 2 + spectrum.im[k]! ** 2);
    expect(Math.abs(freqEnergy - timeEnergy) / timeEnergy).toBeLessThan(1e-13);
    expect(maxDiff(irfft(spectrum, plan), x)).toBeLessThan(1e-13);
  });

  it('zero-pads short real input', () => {
    const plan = createFftPlan(16);
    const padded = new Float64Array(16);
    padded.set([1, 2, 3]);
    expect(maxDiff(rfft([1, 2, 3], plan).re, rfft(padded, plan).re)).toBe(0);
  });

  it('rejects sizes that are not powers of two, and mismatched lengths', () => {
    expect(() => createFftPlan(12)).toThrow(AtlasError);
    expect(() => createFftPlan(1)).toThrow(AtlasError);
    const plan = createFftPlan(8);
    expect(() => fft(new Float64Array(4), new Float64Array(4), plan)).toThrow(AtlasError);
    expect(() => rfft(new Float64Array(9), plan)).toThrow(AtlasError);
  });
});
