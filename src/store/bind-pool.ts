import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { ErrorCode, fail } from '../errors.js';
import type { HoloField } from '../holo/field.js';
import { PACKAGE_ROOT } from '../package-root.js';

const BIND_WORKER = join(PACKAGE_ROOT, 'dist', 'workers', 'bind.js');
/** Bin ranges start on multiples of this, so threads never share a cache line. */
const ALIGN = 64;

/** Default binder threads: one per core, at most 8. */
export function defaultBindThreads(): number {
  return Math.min(8, availableParallelism());
}

/**
 * Binds batches of phase-code pairs into a shared field (HoloField with `shared`) on `threads` worker threads, each
 * over its own range of bins, so the store owner's thread stays free for stores and reads. Each range has its own
 * single-thread lane that runs its batches in call order (each handed over once the one before is done: piscina's
 * queue alone does not keep that order), so calls may overlap: a thread that is behind (its core taken by stores)
 * holds up no other, and every bin still sums its pairs in call order, bitwise what one thread binding them in order
 * gives.
 */
export class BindPool {
  readonly threads: number;
  #lanes: Piscina[];
  /** Each lane's last batch: the next waits for it. */
  #tails: Promise<unknown>[];
  #background?: Promise<boolean>;

  constructor(threads = defaultBindThreads()) {
    if (!Number.isInteger(threads) || threads < 1) fail(ErrorCode.INVALID, `bind threads must be an integer >= 1, got ${String(threads)}`);
    this.threads = threads;
    this.#lanes = Array.from({ length: threads }, () => new Piscina({ filename: BIND_WORKER, minThreads: 1, maxThreads: 1, idleTimeout: 30_000 }));
    this.#tails = this.#lanes.map(() => Promise.resolve());
  }

  /** Whether every binder thread runs at the lowest priority, so binding only takes CPU that nothing else wants. */
  runsInBackground(): Promise<boolean> {
    return (this.#background ??= Promise.all(this.#lanes.map((lane) => lane.run(null, { name: 'runsInBackground' }) as Promise<boolean>)).then((all) => all.every(Boolean)));
  }

  /** ψ += P_key ⊙ P_value / √D for every pair of `seeds` (8 words each: key seed, value seed), in order. */
  async bind(field: HoloField, seeds: Uint32Array): Promise<void> {
    if (field.precision !== 'f32' || !(field.spectrum.re.buffer instanceof SharedArrayBuffer)) fail(ErrorCode.INVALID, 'the bind pool needs a shared float32 field');
    if (seeds.length % 8 !== 0) fail(ErrorCode.INVALID, 'seeds hold 8 words per pair');
    const bins = field.dimension / 2 + 1;
    const step = Math.max(ALIGN, Math.ceil(bins / this.threads / ALIGN) * ALIGN);
    const { re, im } = field.spectrum;
    const tasks = [];
    for (let from = 0, lane = 0; from < bins; from += step, lane++) {
      const task = { re, im, dimension: field.dimension, from, to: Math.min(bins, from + step), seeds };
      const run = this.#tails[lane]!.then(() => this.#lanes[lane]!.run(task));
      this.#tails[lane] = run.catch(() => {}); // the caller sees the failure; the lane goes on
      tasks.push(run);
    }
    await Promise.all(tasks);
    field.items += seeds.length / 8;
  }

  async close(): Promise<void> {
    await Promise.all(this.#lanes.map((lane) => lane.close()));
  }
}
