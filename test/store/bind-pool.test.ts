import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { AtlasError } from '../../src/errors.js';
import { codeSeed, keyCodeId, valueCodeId } from '../../src/holo/codebook.js';
import { HoloField } from '../../src/holo/field.js';
import { kernels } from '../../src/kernels/index.js';
import { BindPool } from '../../src/store/bind-pool.js';
import { seededBytes } from '../holo/helpers.js';

const SECRET = new TextEncoder().encode('bind pool secret');

function pairs(count: number): Uint32Array {
  const seeds = new Uint32Array(8 * count);
  for (let i = 0; i < count; i++) {
    seeds.set(codeSeed(SECRET, keyCodeId(1, seededBytes(32, 7), i)), 8 * i);
    seeds.set(codeSeed(SECRET, valueCodeId(seededBytes(32, 100 + i))), 8 * i + 4);
  }
  return seeds;
}

/** The same pairs bound one after another in this thread. */
function bindHere(dimension: number, seeds: Uint32Array): HoloField {
  const field = new HoloField(dimension, 'f32');
  const bins = dimension / 2 + 1;
  for (let p = 0; p < seeds.length; p += 8) {
    kernels().bindPhasePair(seeds.subarray(p, p + 4), seeds.subarray(p + 4, p + 8), dimension, 0, bins, 1 / Math.sqrt(dimension), field.spectrum.re as Float32Array, field.spectrum.im as Float32Array);
  }
  return field;
}

/** Field n (from 1) of a thread's stat file (Linux): 19 is its nice value, 41 its scheduling policy. */
const statField = (stat: string, n: number): number => Number(readFileSync(stat, 'utf8').split(') ')[1]!.split(' ')[n - 3]);
const niceOf = (stat: string): number => statField(stat, 19);
const SCHED_IDLE = 5;
const threadStats = (): string[] => readdirSync('/proc/self/task').map((tid) => `/proc/self/task/${tid}/stat`);

describe('BindPool', () => {
  const pools = [1, 2, 3].map((threads) => new BindPool(threads));
  afterAll(() => Promise.all(pools.map((p) => p.close())));

  it('runs its binder threads at the lowest priority where the system allows it (Linux: nice 19 and SCHED_IDLE)', async () => {
    const pool = new BindPool(1);
    try {
      const background = await pool.runsInBackground();
      // Every binder thread of this file's pools has answered too: none is still between its nice value and its policy.
      await Promise.all(pools.map((p) => p.runsInBackground()));
      if (process.platform !== 'linux') {
        expect(background).toBe(false); // binding then waits for the stores to pause instead
        return;
      }
      expect(background).toBe(true);
      const binders = threadStats().filter((stat) => niceOf(stat) === 19);
      expect(binders.length).toBeGreaterThan(0);
      // Set by the native addon, which must exist on Linux x64.
      expect(binders.map((stat) => statField(stat, 41))).toEqual(binders.map(() => SCHED_IDLE));
      expect(niceOf('/proc/thread-self/stat')).toBe(0); // this thread keeps its priority
      expect(statField('/proc/thread-self/stat', 41)).toBe(0); // SCHED_OTHER
    } finally {
      await pool.close();
    }
  });

  it('binds bit for bit what one thread binding the pairs in order gives, for any thread count and field size, calls overlapping or not', async () => {
    for (const dimension of [2, 256, 1 << 14]) {
      const seeds = pairs(20);
      const expected = bindHere(dimension, seeds);
      for (const pool of pools) {
        const field = new HoloField(dimension, 'f32', true);
        await pool.bind(field, seeds.subarray(0, 8 * 12));
        await pool.bind(field, seeds.subarray(8 * 12));
        expect(field.items).toBe(20);
        expect(Buffer.from(field.spectrum.re.buffer as SharedArrayBuffer).equals(Buffer.from((expected.spectrum.re as Float32Array).buffer))).toBe(true);
        expect(Buffer.from(field.spectrum.im.buffer as SharedArrayBuffer).equals(Buffer.from((expected.spectrum.im as Float32Array).buffer))).toBe(true);
        // Calls that overlap (the store keeps several batches in flight) still sum each bin's pairs in call order.
        const overlapped = new HoloField(dimension, 'f32', true);
        await Promise.all([0, 5, 9, 12, 19].map((from, i, all) => pool.bind(overlapped, seeds.subarray(8 * from, 8 * (all[i + 1] ?? 20)))));
        expect(overlapped.items).toBe(20);
        expect(Buffer.from(overlapped.spectrum.re.buffer as SharedArrayBuffer).equals(Buffer.from((expected.spectrum.re as Float32Array).buffer))).toBe(true);
        expect(Buffer.from(overlapped.spectrum.im.buffer as SharedArrayBuffer).equals(Buffer.from((expected.spectrum.im as Float32Array).buffer))).toBe(true);
      }
    }
  });

  it('refuses a field other threads cannot see, and seeds that are not whole pairs', async () => {
    await expect(pools[0]!.bind(new HoloField(256, 'f32'), pairs(1))).rejects.toThrow(AtlasError);
    await expect(pools[0]!.bind(new HoloField(256, 'f64', true), pairs(1))).rejects.toThrow(AtlasError);
    await expect(pools[0]!.bind(new HoloField(256, 'f32', true), new Uint32Array(7))).rejects.toThrow(AtlasError);
    expect(() => new BindPool(0)).toThrow(AtlasError);
  });
});
