import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { codeSpectrum, keyCodeId, phaseCode, valueCodeId } from '../../src/holo/codebook.js';
import { HoloField } from '../../src/holo/field.js';
import { probeField } from '../../src/holo/probe.js';
import { snrPredicted } from '../../src/holo/telemetry.js';
import { seededBytes } from './helpers.js';

const SECRET = new TextEncoder().encode('probe secret');

function loadedField(d: number, n: number) {
  const field = new HoloField(d);
  const keys = Array.from({ length: n }, (_, i) => phaseCode(SECRET, keyCodeId(2, seededBytes(32, 1), i), d));
  const values = Array.from({ length: n }, (_, i) => codeSpectrum(phaseCode(SECRET, valueCodeId(seededBytes(32, 1000 + i)), d)));
  keys.forEach((key, i) => field.superpose(key, values[i]!, 0.8));
  return { field, probes: keys.map((key, truth) => ({ key, truth, amplitude: 0.8 })), values };
}

describe('probeField', () => {
  it('measures a healthy layer: no misses and snr_measured within 20% of the prediction', () => {
    const { field, probes, values } = loadedField(4096, 40);
    const result = probeField(field, probes.slice(0, 30), values);
    expect(result).toMatchObject({ probes: 30, misses: 0, ber: 0 });
    expect(result.snr_measured! / snrPredicted(4096, 40)).toBeGreaterThan(0.8);
    expect(result.snr_measured! / snrPredicted(4096, 40)).toBeLessThan(1.2);
  });

  it('reports misses on an overloaded field (N ≫ D/S²)', () => {
    const { field, probes, values } = loadedField(256, 200);
    const result = probeField(field, probes, values);
    expect(result.misses).toBeGreaterThan(20);
    expect(result.ber).toBe(result.misses / 200);
    expect(result.snr_measured!).toBeLessThan(3);
  });

  it('counts a correct but ambiguous clean-up as a miss when the margin is below τ', () => {
    const { field, probes, values } = loadedField(1024, 20);
    expect(probeField(field, probes, values, 10).misses).toBe(20);
  });

  it('rejects bad probes', () => {
    const { field, probes, values } = loadedField(256, 4);
    expect(() => probeField(field, [{ key: probes[0]!.key, truth: 9 }], values)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID }));
    expect(() => probeField(field, probes, values.slice(0, 1))).toThrow(expect.objectContaining({ code: ErrorCode.INVALID }));
  });
});
