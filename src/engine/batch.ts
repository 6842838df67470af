import { STRUCTURE_SIZE, PAGES } from '../l3/phi.js';
import { ECC_PARITY_BYTES } from '../holo/ecc.js';
import { CLASS_COUNT } from './kernels.js';

export const DIGEST_BYTES = 32;

/**
 * One SharedArrayBuffer holds a batch of structures and everything the workers write about them, so a task is a few
 * numbers: [data: capacity × 12,288 B][meta: capacity × (slot, generation) Int32][hist: capacity × 96 Uint32]
 * [clusters: capacity × 96 Uint32][digests: capacity × 32 B][partial: capacity × PAGE_SPLITS × 96 Uint32: each page
 * range's histogram, written by its classify shard alone and summed into hist by the structure's committer]
 * [parity: capacity × ECC_PARITY_BYTES: each structure's RS parity, written by its committer, for the store].
 */
export interface BatchLayout {
  readonly capacity: number;
  readonly meta: number;
  readonly hist: number;
  readonly clusters: number;
  readonly digests: number;
  readonly partial: number;
  readonly parity: number;
  readonly bytes: number;
}

export function batchLayout(capacity: number): BatchLayout {
  const meta = capacity * STRUCTURE_SIZE;
  const hist = meta + capacity * 8;
  const clusters = hist + capacity * CLASS_COUNT * 4;
  const digests = clusters + capacity * CLASS_COUNT * 4;
  const partial = digests + capacity * DIGEST_BYTES;
  const parity = partial + capacity * PAGE_SPLITS * CLASS_COUNT * 4;
  return { capacity, meta, hist, clusters, digests, partial, parity, bytes: parity + capacity * ECC_PARITY_BYTES };
}

/** Views of one batch buffer; built on either side of the thread boundary from (buffer, capacity). */
export class BatchView {
  readonly layout: BatchLayout;
  readonly data: Uint8Array;
  readonly meta: Int32Array;
  readonly hist: Uint32Array;
  readonly clusters: Uint32Array;
  readonly digests: Uint8Array;
  readonly partial: Uint32Array;
  readonly parities: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer, capacity: number) {
    const l = (this.layout = batchLayout(capacity));
    this.data = new Uint8Array(buffer, 0, l.meta);
    this.meta = new Int32Array(buffer, l.meta, capacity * 2);
    this.hist = new Uint32Array(buffer, l.hist, capacity * CLASS_COUNT);
    this.clusters = new Uint32Array(buffer, l.clusters, capacity * CLASS_COUNT);
    this.digests = new Uint8Array(buffer, l.digests, capacity * DIGEST_BYTES);
    this.partial = new Uint32Array(buffer, l.partial, capacity * PAGE_SPLITS * CLASS_COUNT);
    this.parities = new Uint8Array(buffer, l.parity, capacity * ECC_PARITY_BYTES);
  }

  static allocate(capacity: number): BatchView {
    return new BatchView(new SharedArrayBuffer(batchLayout(capacity).bytes), capacity);
  }

  structure(s: number): Uint8Array {
    return this.data.subarray(s * STRUCTURE_SIZE, (s + 1) * STRUCTURE_SIZE);
  }

  /** Pages [p0, p1) of structure s. */
  pages(s: number, p0: number, p1: number): Uint8Array {
    return this.data.subarray(s * STRUCTURE_SIZE + p0 * 256, s * STRUCTURE_SIZE + p1 * 256);
  }

  histogram(s: number): Uint32Array {
    return this.hist.subarray(s * CLASS_COUNT, (s + 1) * CLASS_COUNT);
  }

  /** The histogram of page range `split` (0..PAGE_SPLITS-1) of structure s. */
  partialHistogram(s: number, split: number): Uint32Array {
    const at = (s * PAGE_SPLITS + split) * CLASS_COUNT;
    return this.partial.subarray(at, at + CLASS_COUNT);
  }

  /** Sets structure s's histogram to the sum of its page ranges' histograms (once every classify shard is done). */
  mergeHistogram(s: number): void {
    const hist = this.histogram(s);
    const at = s * PAGE_SPLITS * CLASS_COUNT;
    for (let c = 0; c < CLASS_COUNT; c++) {
      let n = 0;
      for (let split = 0; split < PAGE_SPLITS; split++) n += this.partial[at + split * CLASS_COUNT + c]!;
      hist[c] = n;
    }
  }

  clusterSizes(s: number): Uint32Array {
    return this.clusters.subarray(s * CLASS_COUNT, (s + 1) * CLASS_COUNT);
  }

  digest(s: number): Uint8Array {
    return this.digests.subarray(s * DIGEST_BYTES, (s + 1) * DIGEST_BYTES);
  }

  parity(s: number): Uint8Array {
    return this.parities.subarray(s * ECC_PARITY_BYTES, (s + 1) * ECC_PARITY_BYTES);
  }
}

/** A shard: structures [s0, s1) of a batch, pages [p0, p1) of each. Plain data, posted to a worker. */
export interface ShardTask {
  readonly batch: SharedArrayBuffer;
  readonly capacity: number;
  readonly table: SharedArrayBuffer;
  readonly s0: number;
  readonly s1: number;
  readonly p0: number;
  readonly p1: number;
}

export const PAGE_SPLITS = 2;

/** Which page range a shard starting at page p0 covers. */
export function splitOf(p0: number): number {
  return Math.floor((p0 * PAGE_SPLITS) / PAGES);
}

/** Splits n structures into `groups` contiguous runs and each structure's 48 pages into PAGE_SPLITS ranges. */
export function planShards(n: number, groups: number): Array<Omit<ShardTask, 'batch' | 'capacity' | 'table'>> {
  const out: Array<Omit<ShardTask, 'batch' | 'capacity' | 'table'>> = [];
  const g = Math.max(1, Math.min(groups, n));
  for (let i = 0; i < g; i++) {
    const s0 = Math.floor((i * n) / g);
    const s1 = Math.floor(((i + 1) * n) / g);
    for (let j = 0; j < PAGE_SPLITS; j++) out.push({ s0, s1, p0: (j * PAGES) / PAGE_SPLITS, p1: ((j + 1) * PAGES) / PAGE_SPLITS });
  }
  return out;
}
