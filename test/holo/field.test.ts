import { describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/errors.js';
import { codeSpectrum, keyCodeId, phaseCode, valueCodeId } from '../../src/holo/codebook.js';
import { createFftPlan } from '../../src/holo/fft.js';
import { HoloField, centre, cleanUp, contentSpectrum, recallByCue, spectralInner } from '../../src/holo/field.js';
import { snrMeasured, snrPredicted } from '../../src/holo/telemetry.js';
import { seededBytes } from './helpers.js';

const SECRET = new TextEncoder().encode('field test secret');
const DOC = seededBytes(32, 42);
const key = (i: number, d: number) => phaseCode(SECRET, keyCodeId(1, DOC, i), d);
const value = (i: number, d: number) => codeSpectrum(phaseCode(SECRET, valueCodeId(seededBytes(32, 10_000 + i)), d));

function rmsError(got: Float64Array, want: Float64Array): { max: number; rms: number } {
  let max = 0, sum = 0;
  for (let n = 0; n < got.length; n++) {
    const e = got[n]! - (want[n] ?? 0);
    max = Math.max(max, Math.abs(e));
    sum += e * e;
  }
  return { max, rms: Math.sqrt(sum / got.length) };
}

describe('HoloField bind / unbind', () => {
  for (const [precision, bound] of [['f64', 1e-12], ['f32', 1e-5]] as const) {
    it(`recovers a single content item with error < ${bound} (${precision}) and undoes the amplitude`, () => {
      const d = 8192;
      const plan = createFftPlan(d);
      const bytes = seededBytes(6000, 1);
      const field = new HoloField(d, precision);
      field.superpose(key(0, d), contentSpectrum(bytes, plan), 0.37);
      const { max } = rmsError(field.unbindSignal(key(0, d), plan, 0.37), centre(bytes));
      expect(max).toBeLessThan(bound);
      expect(field.items).toBe(1);
    });
  }

  it('binding is unitary: ‖a·b(x, κ)‖ = |a|·‖x‖', () => {
    const d = 2048;
    const plan = createFftPlan(d);
    const x = contentSpectrum(seededBytes(d, 2), plan);
    const field = new HoloField(d);
    field.superpose(key(3, d), x, 2);
    expect(spectralInner(field.spectrum, field.spectrum) / spectralInner(x, x)).toBeCloseTo(4, 12);
  });

  it('merging partial fields equals building one field with every item', () => {
    const d = 1024;
    const whole = new HoloField(d), left = new HoloField(d), right = new HoloField(d);
    for (let i = 0; i < 10; i++) {
      whole.superpose(key(i, d), value(i, d), 1 + i / 10);
      (i % 2 === 0 ? left : right).superpose(key(i, d), value(i, d), 1 + i / 10);
    }
    left.merge(right);
    expect(left.items).toBe(10);
    for (let k = 0; k <= d / 2; k++) {
      expect(left.spectrum.re[k]).toBeCloseTo(whole.spectrum.re[k]!, 12);
      expect(left.spectrum.im[k]).toBeCloseTo(whole.spectrum.im[k]!, 12);
    }
    expect(() => left.merge(new HoloField(d, 'f32'))).toThrow(AtlasError);
    expect(() => left.merge(new HoloField(2 * d))).toThrow(AtlasError);
  });

  it('rejects mismatched shapes and zero amplitudes', () => {
    const field = new HoloField(256);
    expect(() => field.superpose(key(0, 512), value(0, 256))).toThrow(AtlasError);
    expect(() => field.superpose(key(0, 256), value(0, 256), 0)).toThrow(AtlasError);
    expect(() => new HoloField(300)).toThrow(AtlasError);
  });
});

describe('clean-up', () => {
  it('finds the value bound under each key, with score ≈ 1 and a clear margin', () => {
    const d = 4096, n = 20;
    const field = new HoloField(d);
    const values = Array.from({ length: n }, (_, i) => value(i, d));
    for (let i = 0; i < n; i++) field.superpose(key(i, d), values[i]!, 0.5);
    for (let i = 0; i < n; i++) {
      const result = cleanUp(field, key(i, d), values, 0.5);
      expect(result.index).toBe(i);
      expect(Math.abs(result.score - 1)).toBeLessThan(0.2);
      expect(result.margin).toBeGreaterThan(0.5);
    }
  });

  for (const n of [16, 64, 256]) {
    it(`snr_measured is within ±20% of sqrt(D/(N−1)) with N = ${n} pairs in D = 4096`, () => {
      const d = 4096;
      const field = new HoloField(d);
      const keys = Array.from({ length: n }, (_, i) => key(i, d));
      const values = Array.from({ length: n }, (_, i) => value(i, d));
      for (let i = 0; i < n; i++) field.superpose(keys[i]!, values[i]!);
      const trueScores: number[] = [], wrongScores: number[] = [];
      for (let i = 0; i < Math.min(n, 48); i++) {
        const { scores } = cleanUp(field, keys[i]!, values);
        scores.forEach((s, j) => (j === i ? trueScores : wrongScores).push(s));
      }
      const ratio = snrMeasured(trueScores, wrongScores)! / snrPredicted(d, n);
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.2);
    });
  }

  it('a noisy cue (a structure with corrupted bytes) finds the key of its original', () => {
    const d = 16384, n = 16, size = 12288;
    const plan = createFftPlan(d);
    const docs = Array.from({ length: n }, (_, i) => seededBytes(size, 500 + i));
    const keys = Array.from({ length: n }, (_, i) => key(i, d));
    const field = new HoloField(d, 'f32');
    docs.forEach((bytes, i) => field.superpose(keys[i]!, contentSpectrum(bytes, plan)));
    const cue = docs[11]!.slice();
    for (let i = 0; i < 200; i++) cue[(i * 61) % size] = cue[(i * 61) % size]! ^ 0xa5;
    const result = recallByCue(field, contentSpectrum(cue, plan), keys);
    expect(result.index).toBe(11);
    expect(result.margin).toBeGreaterThan(0.5);
  });
});

describe('content reconstruction noise (§3.4b)', () => {
  // σ ≈ sqrt((N−1)·L·P/D) with P = mean square of centred uniform bytes.
  const P = (256 * 256 - 1) / 12 / (255 * 255);
  for (const [d, length, n, spec] of [[4096, 4096, 2, 0.289], [4096, 64, 16, 0.14], [65536, 64, 16, 0.0349]] as const) {
    it(`σ is within ±10% of ${spec} for (D, L, N) = (${d}, ${length}, ${n})`, () => {
      expect(Math.abs(Math.sqrt(((n - 1) * length * P) / d) / spec - 1)).toBeLessThan(0.01);
      const plan = createFftPlan(d);
      const field = new HoloField(d);
      const items = Array.from({ length: n }, (_, i) => seededBytes(length, 900 + i + d));
      items.forEach((bytes, i) => field.superpose(key(i, d), contentSpectrum(bytes, plan)));
      const { rms } = rmsError(field.unbindSignal(key(0, d), plan), centre(items[0]!));
      expect(rms / spec).toBeGreaterThan(0.9);
      expect(rms / spec).toBeLessThan(1.1);
    });
  }
});
