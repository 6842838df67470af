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
 * over its own range of bins, so the store owner's thread stays free for stores and reads. The result is bitwise
 * what one thread binding the pairs in order gives.
 */
export class BindPool {
  readonly threads: number;
  #pool: Piscina;
  #background?: Promise<boolean>;

  constructor(threads = defaultBindThreads()) {
    if (!Number.isInteger(threads) || threads < 1) fail(ErrorCode.INVALID, `bind threads must be an integer >= 1, got ${String(threads)}`);
    this.threads = threads;
    this.#pool = new Piscina({ filename: BIND_WORKER, minThreads: 1, maxThreads: threads, idleTimeout: 30_000 });
  }

  /** Whether the binder threads run at the lowest priority, so they only take CPU that nothing else wants. */
  runsInBackground(): Promise<boolean> {
    return (this.#background ??= this.#pool.run(null, { name: 'runsInBackground' }) as Promise<boolean>);
  }

  /** ψ += P_key ⊙ P_value / √D for every pair of `seeds` (8 words each: key seed, value seed), in order. */
  async bind(field: HoloField, seeds: Uint32Array): Promise<void> {
    if (field.precision !== 'f32' || !(field.spectrum.re.buffer instanceof SharedArrayBuffer)) fail(ErrorCode.INVALID, 'the bind pool needs a shared float32 field');
    if (seeds.length % 8 !== 0) fail(ErrorCode.INVALID, 'seeds hold 8 words per pair');
    const bins = field.dimension / 2 + 1;
    const step = Math.max(ALIGN, Math.ceil(bins / this.threads / ALIGN) * ALIGN);
    const { re, im } = field.spectrum;
    const tasks = [];
    for (let from = 0; from < bins; from += step) {
      tasks.push(this.#pool.run({ re, im, dimension: field.dimension, from, to: Math.min(bins, from + step), seeds }));
    }
    await Promise.all(tasks);
    field.items += seeds.length / 8;
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
