import { describe, expect, it } from 'vitest';
import { AtlasError, ErrorCode } from '../../src/errors.js';
import { CapacityError, admit, allocateDimensions, capacityState, floorDimension, type CapacityState } from '../../src/holo/allocation.js';
import { FIELD_LAYERS } from '../../src/holo/layers.js';
import { capacityUsed, snrPredicted } from '../../src/holo/telemetry.js';

const LOADS = [1000, 800, 600, 400, 200, 100];

describe('allocateDimensions (§3.5 example)', () => {
  it('reproduces floors, dimensions, reserve, snr_predicted and capacity_used for M = 2^20', () => {
    const allocation = allocateDimensions(2 ** 20, LOADS, 64);
    expect(allocation.feasible).toBe(true);
    if (!allocation.feasible) return;
    expect(allocation.floors).toEqual([131072, 65536, 32768, 16384, 8192, 2048]);
    expect(allocation.floors.reduce((s, p) => s + p, 0)).toBe(256000);
    expect(allocation.dimensions).toEqual([131072, 131072, 65536, 65536, 131072, 131072]);
    expect(allocation.reserve).toBe(393216);
    const snr = allocation.dimensions.map((d, k) => Number(snrPredicted(d, LOADS[k]!).toFixed(1)));
    expect(snr).toEqual([11.5, 12.8, 10.5, 12.8, 25.7, 36.4]);
    const used = allocation.dimensions.map((d, k) => Number(capacityUsed(LOADS[k]!, FIELD_LAYERS[k]!.targetSnr, d).toFixed(3)));
    expect(used).toEqual([0.763, 0.391, 0.33, 0.153, 0.024, 0.007]);
  });

  it('reports the same loads as infeasible for M = 2^17, and capacityState refuses them', () => {
    const allocation = allocateDimensions(2 ** 17, LOADS, 64);
    expect(allocation).toEqual({ feasible: false, floors: [131072, 65536, 32768, 16384, 8192, 2048], required: 256000, total: 2 ** 17 });
    expect(() => capacityState(allocation, LOADS)).toThrow(expect.objectContaining({ code: ErrorCode.BUDGET }));
  });

  it('keeps every dimension a power of two at or above its floor, within M', () => {
    for (const total of [2 ** 18, 2 ** 20, 2 ** 22]) {
      for (const loads of [[0, 0, 0, 0, 0, 0], [5, 0, 300, 1, 0, 20], LOADS.map((n) => n / 10)]) {
        const allocation = allocateDimensions(total, loads);
        if (!allocation.feasible) continue;
        allocation.dimensions.forEach((d, k) => {
          expect(d & (d - 1)).toBe(0);
          expect(d).toBeGreaterThanOrEqual(allocation.floors[k]!);
        });
        expect(allocation.reserve).toBeGreaterThanOrEqual(0);
        expect(allocation.reserve + allocation.dimensions.reduce((s, d) => s + d, 0)).toBe(total);
      }
    }
  });

  it('computes floors as nextPow2(S²·(N + h)) and rejects bad input', () => {
    expect(floorDimension(0, 0, 64)).toBe(8192);
    expect(floorDimension(5, 100, 64)).toBe(2048);
    expect(() => floorDimension(6, 1)).toThrow(AtlasError);
    expect(() => allocateDimensions(2 ** 20, [1, 2, 3])).toThrow(AtlasError);
    expect(() => allocateDimensions(2 ** 20, [1, 2, 3, 4, 5, -1])).toThrow(AtlasError);
  });
});

/** Context (S = 4, S² = 16) holds exactly 64 items in D = 1024. */
function contextState(items: number, reserve: number): CapacityState {
  return { layers: FIELD_LAYERS.map((_, k) => [{ dimension: k === 4 ? 1024 : 8192, items: k === 4 ? items : 0 }]), reserve, headroom: 64 };
}

describe('admit (§3.6 capacity boundary)', () => {
  it('accepts (N + n)·S² = D exactly', () => {
    const { state, placements } = admit(contextState(60, 0), [{ layer: 4, count: 4 }], 'reject');
    expect(state.layers[4]).toEqual([{ dimension: 1024, items: 64 }]);
    expect(placements).toEqual([{ layer: 4, shard: 0, count: 4, spilled: false }]);
  });

  it('rejects one item more under policy reject with {layer, N_k, n_k, D_k}', () => {
    let error: unknown;
    try {
      admit(contextState(64, 1 << 20), [{ layer: 4, count: 1 }], 'reject');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CapacityError);
    expect(error).toBeInstanceOf(AtlasError);
    expect(error).toMatchObject({ code: ErrorCode.BUDGET, layer: 4, N_k: 64, n_k: 1, D_k: 1024 });
  });

  it('spills one item more into a new shard of nextPow2(S²·(n + h)) from the reserve, never shrinking D', () => {
    const before = contextState(64, 4096);
    const { state, placements } = admit(before, [{ layer: 4, count: 1 }], 'spill');
    expect(state.layers[4]).toEqual([{ dimension: 1024, items: 64 }, { dimension: 2048, items: 1 }]);
    expect(state.reserve).toBe(2048);
    expect(placements).toEqual([{ layer: 4, shard: 1, count: 1, spilled: true }]);
    expect(before.layers[4]).toEqual([{ dimension: 1024, items: 64 }]);
    const next = admit(state, [{ layer: 4, count: 10 }], 'spill');
    expect(next.placements[0]).toMatchObject({ shard: 1, spilled: false });
    expect(next.state.reserve).toBe(2048);
  });

  it('rejects a spill the reserve cannot cover', () => {
    expect(() => admit(contextState(64, 2047), [{ layer: 4, count: 1 }], 'spill')).toThrow(CapacityError);
  });

  it('is all-or-nothing across layers', () => {
    const before = contextState(64, 0);
    expect(() => admit(before, [{ layer: 0, count: 10 }, { layer: 4, count: 1 }], 'reject')).toThrow(CapacityError);
    expect(before.layers[0]).toEqual([{ dimension: 8192, items: 0 }]);
    const ok = admit(before, [{ layer: 0, count: 10 }, { layer: 1, count: 3 }], 'reject');
    expect(ok.state.layers[0]![0]!.items).toBe(10);
    expect(ok.state.layers[1]![0]!.items).toBe(3);
  });

  it('rejects the Vault (it binds nothing), unknown layers and unknown policies', () => {
    expect(() => admit(contextState(0, 0), [{ layer: 6, count: 1 }], 'reject')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID }));
    expect(() => admit(contextState(0, 0), [{ layer: 0, count: 1 }], 'drop' as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID }));
  });

  describe('policy evict', () => {
    // Context holds 64 items in D = 1024: four residents of 20, 20, 10 and 14 items fill it exactly, oldest first.
    const residents = [{ id: 'a', count: 20 }, { id: 'b', count: 20 }, { id: 'c', count: 10 }, { id: 'd', count: 14 }];
    const oldest = (layer: number, shard: number) => (layer === 4 && shard === 0 ? residents : []);

    it('evicts nothing while the document fits, and never takes the reserve', () => {
      const { state, evictions, placements } = admit(contextState(60, 4096), [{ layer: 4, count: 4 }], 'evict', oldest);
      expect(evictions).toEqual([]);
      expect(placements).toEqual([{ layer: 4, shard: 0, count: 4, spilled: false }]);
      expect(state.layers[4]).toEqual([{ dimension: 1024, items: 64 }]);
      expect(state.reserve).toBe(4096);
    });

    it('evicts the oldest documents of the shard, in admission order, until (N + n)·S² ≤ D', () => {
      const before = contextState(64, 4096);
      const one = admit(before, [{ layer: 4, count: 1 }], 'evict', oldest);
      expect(one.evictions).toEqual([{ layer: 4, shard: 0, id: 'a', count: 20 }]);
      expect(one.state.layers[4]).toEqual([{ dimension: 1024, items: 45 }]);
      expect(one.state.reserve).toBe(4096);
      expect(before.layers[4]).toEqual([{ dimension: 1024, items: 64 }]);
      const many = admit(before, [{ layer: 4, count: 41 }], 'evict', oldest); // 64 − 20 − 20 + 41 = 65 > 64: c goes too
      expect(many.evictions.map((e) => e.id)).toEqual(['a', 'b', 'c']);
      expect(many.state.layers[4]).toEqual([{ dimension: 1024, items: 55 }]);
      expect(many.placements).toEqual([{ layer: 4, shard: 0, count: 41, spilled: false }]);
    });

    it('counts a document once when two additions of one call evict from the same shard', () => {
      const { evictions, state } = admit(contextState(64, 0), [{ layer: 4, count: 15 }, { layer: 4, count: 15 }], 'evict', oldest);
      expect(evictions.map((e) => e.id)).toEqual(['a', 'b']);
      expect(state.layers[4]![0]!.items).toBe(64 - 40 + 30);
    });

    it('rejects a document larger than the whole shard, and one the residents cannot make room for', () => {
      expect(() => admit(contextState(0, 1 << 20), [{ layer: 4, count: 65 }], 'evict', oldest)).toThrow(expect.objectContaining({ code: ErrorCode.BUDGET, message: expect.stringContaining('evicting cannot make room') }));
      expect(admit(contextState(0, 0), [{ layer: 4, count: 64 }], 'evict', oldest).evictions).toEqual([]);
      // Only a, b and c (50 of the 64 items) evictable: 14 + 64 items still exceed the shard.
      expect(() => admit(contextState(64, 0), [{ layer: 4, count: 64 }], 'evict', () => residents.slice(0, 3))).toThrow(CapacityError);
    });
  });
});
