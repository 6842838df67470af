// Piscina worker of the store's bind pool (src/store/bind-pool.ts): binds pairs of phase codes into one bin range of a
// field whose spectrum lives in SharedArrayBuffers. Threads own disjoint bin ranges, so nothing is locked and every
// bin sums its pairs in queue order, as one thread would.
import { readlinkSync } from 'node:fs';
import { constants, getPriority, setPriority } from 'node:os';
import { kernels } from '../src/kernels/index.js';
import { nativeAddon } from '../src/kernels/native.js';

const LOWEST = constants.priority.PRIORITY_LOW; // 19: the lowest

/**
 * Binding takes the CPU that stores leave idle: each thread of the pool lowers its own priority to the lowest (on
 * Linux a thread is scheduled by its id, /proc/thread-self -> <pid>/task/<tid>), then, where the native addon can,
 * moves itself to SCHED_IDLE, so it never delays the ingest it runs beside. Where neither works (other systems),
 * binding waits for stores to pause instead (src/store/holo-store.ts).
 */
function lowerOwnPriority(): boolean {
  let lowered = false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, LOWEST);
    lowered = getPriority(tid) === LOWEST;
  } catch {
    // not Linux: only the idle policy below, if anything
  }
  try {
    return nativeAddon().idleThread() || lowered;
  } catch {
    return lowered; // no native addon here
  }
}
const background = lowerOwnPriority();

/** Whether this binder runs at the lowest priority (named task `runsInBackground`). */
export function runsInBackground(): boolean {
  return background;
}

export interface BindTask {
  readonly re: Float32Array;
  readonly im: Float32Array;
  readonly dimension: number;
  readonly from: number;
  readonly to: number;
  /** 8 words per pair: the key code's seed, then the value code's (codeSeed). */
  readonly seeds: Uint32Array;
}

export default function bindRange({ re, im, dimension, from, to, seeds }: BindTask): number {
  const k = kernels(), scale = 1 / Math.sqrt(dimension);
  const r = re.subarray(from, to), m = im.subarray(from, to);
  for (let p = 0; p < seeds.length; p += 8) k.bindPhasePair(seeds.subarray(p, p + 4), seeds.subarray(p + 4, p + 8), dimension, from, to, scale, r, m);
  return seeds.length / 8;
}
