import { describe, expect, it } from 'vitest';
import { ErrorCode, getLastError, sha256, witnessCheck, witnessEquals, witnessGenerate, witnessVerify, type Witness } from '../../src/index.js';
import { expectAtlasError } from './expect-code.js';

const ramp = Uint8Array.from({ length: 256 }, (_, i) => i);
const first64 = Uint8Array.from({ length: 64 }, (_, i) => i);

describe('witness', () => {
  it.each([
    ['empty', new Uint8Array(0), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['ramp 0..255', ramp, '40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880'],
    ['12288 zero bytes', new Uint8Array(12288), 'f3cc103136423a57975750907ebc1d367e2985ac6338976d4d5a439f50323f4a'],
    ['64 bytes 0..63', first64, 'fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108'],
  ])('%s: real SHA-256, len and residue', (_name, bytes, hex) => {
    const w = witnessGenerate(bytes);
    expect(w.algo).toBe('sha256');
    expect(w.sha256).toBe(hex);
    expect(sha256(bytes).toString('hex')).toBe(hex);
    expect(w.len).toBe(bytes.length);
    expect(w.residue).toBe(bytes.reduce((a, b) => a + b, 0) % 96);
    expect(witnessVerify(w, bytes)).toBe(true);
    expect(getLastError()).toBe(ErrorCode.OK);
  });

  it('tamper case: bytes 3 and 35 swapped keep Σ but change the digest -> WITNESS', () => {
    const w = witnessGenerate(first64);
    const tampered = first64.slice();
    [tampered[3], tampered[35]] = [tampered[35]!, tampered[3]!];
    expect(witnessGenerate(tampered).sha256).toBe('10ea8a2f8f33d84b2ecd8e3058733e9721f4b2415cbb0ee5dc27f297c18e0b3f');
    expect(witnessGenerate(tampered).residue).toBe(w.residue);
    expect(witnessVerify(w, tampered)).toBe(false);
    expect(getLastError()).toBe(ErrorCode.WITNESS);
    expect(witnessCheck(w, tampered)).toBe(ErrorCode.WITNESS);
  });

  it('a single bit flip -> WITNESS; a different len -> INVALID', () => {
    const w = witnessGenerate(ramp);
    for (const bit of [0, 7, 1000, 2047]) {
      const flipped = ramp.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(witnessCheck(w, flipped)).toBe(ErrorCode.WITNESS);
    }
    expect(witnessVerify(w, ramp.subarray(0, 255))).toBe(false);
    expect(getLastError()).toBe(ErrorCode.INVALID);
    expect(witnessCheck(w, new Uint8Array(257))).toBe(ErrorCode.INVALID);
  });

  it('a forged residue with the right digest -> CONSERVATION', () => {
    const w = witnessGenerate(first64);
    expect(witnessCheck({ ...w, residue: (w.residue + 1) % 96 }, first64)).toBe(ErrorCode.CONSERVATION);
  });

  it('is frozen; equality ignores createdAt; structuredClone works and stays equal', async () => {
    const a = witnessGenerate(ramp);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a as { len: number }).len = 3;
    }).toThrow(TypeError);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const b = witnessGenerate(ramp);
    expect(b.createdAt).toBeGreaterThan(a.createdAt);
    expect(witnessEquals(a, b)).toBe(true);
    const clone: Witness = structuredClone(a);
    expect(clone).toEqual(a);
    expect(witnessEquals(clone, a)).toBe(true);
    expect(witnessVerify(clone, ramp)).toBe(true);
    expect(witnessEquals(a, witnessGenerate(first64))).toBe(false);
  });

  it('witnessCheck/witnessVerify report bad arguments as INVALID; witnessEquals/witnessGenerate throw', () => {
    const w = witnessGenerate(ramp);
    for (const bad of [null, undefined, {}, { ...w, sha256: 'xyz' }, { ...w, algo: 'md5' }, { ...w, residue: 96 }, { ...w, len: -1 }]) {
      expect(witnessCheck(bad as Witness, ramp)).toBe(ErrorCode.INVALID);
      expect(witnessVerify(bad as Witness, ramp)).toBe(false);
      expect(getLastError()).toBe(ErrorCode.INVALID);
      expectAtlasError(() => witnessEquals(bad as Witness, w), ErrorCode.INVALID);
    }
    expect(witnessCheck(w, 'ramp' as unknown as Uint8Array)).toBe(ErrorCode.INVALID);
    expectAtlasError(() => witnessGenerate([1, 2] as unknown as Uint8Array), ErrorCode.INVALID);
  });
});
