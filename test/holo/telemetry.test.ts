import { describe, expect, it } from 'vitest';
import { LAYER_STATS_KEYS, MIN_WRONG_SCORES, bitErrorRate, capacityUsed, snrMeasured, snrPredicted, type LayerStats } from '../../src/holo/telemetry.js';

describe('telemetry formulas', () => {
  it('lists exactly the keys of spec §4 and a record type that has them all', () => {
    const record: LayerStats = {
      name: 'wisdom', dimension: 1024, items: 3, bytes: 36864, snr_predicted: snrPredicted(1024, 3), snr_measured: null, ber: 0,
      capacity_used: capacityUsed(3, 3, 1024), spill_shards: 0, evicted: 0, cross_layer_interference: 0, ecc_repairs: 0, ecc_failures: 0, generation: 1, reserve: 0,
    };
    expect(Object.keys(record).sort()).toEqual([...LAYER_STATS_KEYS].sort());
    expect(LAYER_STATS_KEYS).toEqual(['name', 'dimension', 'items', 'bytes', 'snr_predicted', 'snr_measured', 'ber', 'capacity_used', 'spill_shards', 'evicted', 'cross_layer_interference', 'ecc_repairs', 'ecc_failures', 'generation', 'reserve']);
  });

  it('snr_predicted = sqrt(D / max(N − 1, 1))', () => {
    expect(snrPredicted(131072, 1000)).toBeCloseTo(Math.sqrt(131072 / 999), 12);
    expect(snrPredicted(4096, 0)).toBe(64);
    expect(snrPredicted(4096, 2)).toBe(64);
  });

  it('capacity_used = N·S²/D, 0 for an empty layer, infinite for items without a field', () => {
    expect(capacityUsed(1000, 10, 131072)).toBeCloseTo(0.763, 3);
    expect(capacityUsed(0, 2, 0)).toBe(0);
    expect(capacityUsed(1, 2, 0)).toBe(Infinity);
  });

  it('snr_measured = mean(true scores) / sample std(wrong scores), null without enough samples', () => {
    const wrong = [0.1, -0.1, 0.1, -0.1, 0.1, -0.1, 0.1, -0.1];
    expect(snrMeasured([1, 1.2, 0.8], wrong)).toBeCloseTo(1 / Math.sqrt(0.08 / 7), 12);
    expect(snrMeasured([1], wrong.slice(0, MIN_WRONG_SCORES - 1))).toBeNull(); // too few to estimate a spread
    expect(snrMeasured([], [0.1, 0.2])).toBeNull();
    expect(snrMeasured([1], [0.1])).toBeNull();
    expect(snrMeasured([1], [0.1, 0.1])).toBeNull();
  });

  it('ber = wrong / probes, 0 with no probes', () => {
    expect(bitErrorRate(3, 200)).toBe(0.015);
    expect(bitErrorRate(0, 0)).toBe(0);
  });
});
