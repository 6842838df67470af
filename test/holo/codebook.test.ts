import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/errors.js';
import { codePhaseRange, codePhases, codeSpectrum, keyCodeId, mix64, phaseCode, timeCode, valueCodeId } from '../../src/holo/codebook.js';
import { createFftPlan, ifft } from '../../src/holo/fft.js';
import { spectralInner } from '../../src/holo/field.js';
import { seededBytes } from './helpers.js';

const MASK = (1n << 64n) - 1n;
const SECRET = new TextEncoder().encode('store secret for tests');

/** Independent BigInt transcription of holo-store.md §3.2 steps 2–4. */
function referencePhases(secret: Uint8Array, id: Uint8Array, d: number): number[] {
  const seed = createHmac('sha256', secret).update(id).digest();
  const s0 = seed.readBigUInt64LE(0), s1 = seed.readBigUInt64LE(8);
  const mix = (z: bigint): bigint => {
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  };
  const theta = [0];
  for (let k = 1; k <= d / 2; k++) {
    const x = mix((s0 + BigInt(k) * 0x9e3779b97f4a7c15n) & MASK) ^ s1;
    theta.push(k < d / 2 ? 2 * Math.PI * Number(x >> 11n) * 2 ** -53 : Math.PI * Number(x >> 63n));
  }
  return theta;
}

function split(v: bigint): [number, number] {
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

describe('codebook ids', () => {
  it('lays out key codes as "K" ‖ u8 layer ‖ docId ‖ u32be index and value codes as "V" ‖ hash', () => {
    const docId = Uint8Array.from([9, 8, 7]);
    expect([...keyCodeId(3, docId, 0x01020304)]).toEqual([0x4b, 3, 9, 8, 7, 1, 2, 3, 4]);
    expect([...valueCodeId(Uint8Array.from([0xaa, 0xbb]))]).toEqual([0x56, 0xaa, 0xbb]);
    expect(() => keyCodeId(256, docId, 0)).toThrow(AtlasError);
    expect(() => keyCodeId(0, docId, 2 ** 32)).toThrow(AtlasError);
  });
});

describe('splitmix64 finaliser', () => {
  it('gives the published first splitmix64 output for state 0', () => {
    const [hi, lo] = mix64(...split(0x9e3779b97f4a7c15n));
    expect(((BigInt(hi) << 32n) | BigInt(lo)).toString(16)).toBe('e220a8397b1dcdaf');
  });

  it('matches a BigInt implementation on random inputs', () => {
    const bytes = seededBytes(8 * 500, 11);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < 500; i++) {
      let z = view.getBigUint64(8 * i);
      const [hi, lo] = mix64(...split(z));
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
      z ^= z >> 31n;
      expect([hi, lo]).toEqual(split(z));
    }
  });
});

describe('phase codes', () => {
  it('are bit-identical to the BigInt transcription of the spec', () => {
    for (const d of [2, 4, 64, 1024]) {
      const id = keyCodeId(1, seededBytes(32, d), 5);
      expect([...codePhases(SECRET, id, d)]).toEqual(referencePhases(SECRET, id, d));
    }
  });

  it('have unit modulus, θ_0 = 0 and a real Nyquist bin', () => {
    const code = phaseCode(SECRET, valueCodeId(seededBytes(32, 1)), 4096);
    for (let k = 0; k < code.re.length; k++) expect(Math.abs(Math.hypot(code.re[k]!, code.im[k]!) - 1)).toBeLessThan(1e-15);
    expect(code.re[0]).toBe(1);
    expect(code.im[0]).toBe(0);
    expect(Math.abs(code.re[2048]!)).toBe(1);
    expect(code.im[2048]).toBe(0);
  });

  it('are Hermitian: the full spectrum with θ_{D−k} = −θ_k has a real, unit-norm inverse equal to the time code', () => {
    const d = 1024;
    const code = phaseCode(SECRET, keyCodeId(0, seededBytes(32, 2), 0), d);
    const re = new Float64Array(d), im = new Float64Array(d);
    for (let k = 0; k <= d / 2; k++) {
      re[k] = code.re[k]!; im[k] = code.im[k]!;
      if (k > 0 && k < d / 2) { re[d - k] = code.re[k]!; im[d - k] = -code.im[k]!; }
    }
    ifft(re, im, createFftPlan(d));
    const p = timeCode(code);
    let norm = 0, worstImag = 0, worstDiff = 0;
    for (let n = 0; n < d; n++) {
      norm += p[n]! ** 2;
      worstImag = Math.max(worstImag, Math.abs(im[n]!));
      worstDiff = Math.max(worstDiff, Math.abs(re[n]! / Math.sqrt(d) - p[n]!));
    }
    expect(worstImag).toBeLessThan(1e-13);
    expect(worstDiff).toBeLessThan(1e-13);
    expect(Math.abs(norm - 1)).toBeLessThan(1e-12);
  });

  it('are deterministic, and change with the secret, the layer, the doc and the index', () => {
    const doc = seededBytes(32, 3);
    const a = phaseCode(SECRET, keyCodeId(1, doc, 0), 256);
    expect(phaseCode(SECRET, keyCodeId(1, doc, 0), 256)).toEqual(a);
    for (const other of [
      phaseCode(new TextEncoder().encode('another secret'), keyCodeId(1, doc, 0), 256),
      phaseCode(SECRET, keyCodeId(2, doc, 0), 256),
      phaseCode(SECRET, keyCodeId(1, seededBytes(32, 4), 0), 256),
      phaseCode(SECRET, keyCodeId(1, doc, 1), 256),
    ]) expect(other.re).not.toEqual(a.re);
  });

  it('are nearly orthogonal: pairwise inner products have mean ≈ 0 and variance ≈ 1/D', () => {
    const d = 4096, count = 120;
    const spectra = Array.from({ length: count }, (_, i) => codeSpectrum(phaseCode(SECRET, valueCodeId(seededBytes(32, 100 + i)), d)));
    const dots: number[] = [];
    for (let i = 0; i < count; i++) {
      expect(Math.abs(spectralInner(spectra[i]!, spectra[i]!) - 1)).toBeLessThan(1e-12);
      for (let j = i + 1; j < count; j++) dots.push(spectralInner(spectra[i]!, spectra[j]!));
    }
    const mean = dots.reduce((s, v) => s + v, 0) / dots.length;
    const variance = dots.reduce((s, v) => s + (v - mean) ** 2, 0) / (dots.length - 1);
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(1 / d / dots.length) + 1 / d);
    expect(variance * d).toBeGreaterThan(0.9);
    expect(variance * d).toBeLessThan(1.1);
  });

  it('rejects bad dimensions and empty secrets', () => {
    expect(() => phaseCode(SECRET, valueCodeId(new Uint8Array(32)), 1000)).toThrow(AtlasError);
    expect(() => phaseCode(new Uint8Array(0), valueCodeId(new Uint8Array(32)), 1024)).toThrow(AtlasError);
  });
});

describe('codePhaseRange', () => {
  it('gives exactly the same phases as codePhases, slice by slice, from any start', () => {
    const secret = new Uint8Array(32).fill(5);
    const id = new TextEncoder().encode('K\u0001some-document');
    for (const d of [2, 8, 1024]) {
      const whole = codePhases(secret, id, d);
      for (const step of [1, 3, 100]) {
        const parts: number[] = [];
        for (let from = 0; from <= d / 2; from += step) parts.push(...codePhaseRange(secret, id, d, from, Math.min(d / 2 + 1, from + step)));
        expect(Float64Array.from(parts)).toEqual(whole);
      }
    }
    expect(() => codePhaseRange(secret, id, 8, 3, 6)).toThrow(/outside/);
  });
});
