import { PAYLOAD_SIZE } from '../framing/structure.js';
import { BatchView } from './batch.js';
import { DomainTable } from './kernels.js';

/** One batch buffer with the payload views a source reads into (one per structure). */
export interface BatchBuffer {
  readonly view: BatchView;
  readonly payloads: readonly Uint8Array[];
}

/** What one ingest run takes from the pool: its batch buffers and its domain table. */
export interface BatchSet {
  readonly buffers: BatchBuffer[];
  readonly table: DomainTable;
}

/**
 * Keeps the batch buffers and domain table of finished ingest runs for the next run: a fresh 3 MiB SharedArrayBuffer
 * costs a page fault and a zeroed page per 4 KiB on first touch, which was ~15 ms of CPU per ingest call (and most of
 * the setup of a small one). Holds at most one set; only sets whose every task has finished may come back.
 */
export class BatchPool {
  #spare?: BatchSet;

  constructor(readonly batchStructures: number, readonly batchBuffers: number) {}

  take(): BatchSet {
    const set = this.#spare;
    this.#spare = undefined;
    if (set) return set;
    const buffers = Array.from({ length: this.batchBuffers }, () => {
      const view = BatchView.allocate(this.batchStructures);
      return { view, payloads: Array.from({ length: this.batchStructures }, (_, s) => view.structure(s).subarray(0, PAYLOAD_SIZE)) };
    });
    return { buffers, table: DomainTable.create(this.batchStructures * this.batchBuffers) };
  }

  /** Returns a set no worker task can still touch and whose domains are all destroyed. */
  give(set: BatchSet): void {
    if (set.table.live === 0 && set.buffers.length === this.batchBuffers) this.#spare = set;
  }
}
