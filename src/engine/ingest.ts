import type { Piscina } from 'piscina';
import { STRUCTURE_SIZE, PAGES } from '../l3/phi.js';
import { PAYLOAD_SIZE, sealStructure } from '../framing/structure.js';
import type { Store } from '../store/store.js';
import { reviveError } from '../store/check.js';
import { BatchView, DIGEST_BYTES, PAGE_SPLITS, planShards, type ShardTask } from './batch.js';
import { DocumentAccumulator, type DocumentResult } from './document.js';
import { domainCreate, domainDestroy, DomainTable, Field, slotBase, tableWords, type Domain } from './kernels.js';
import { documentSources, type IngestInput } from './sources.js';

export interface Progress {
  /** Document bytes whose structures are stored. */
  readonly bytes: number;
  /** Documents made visible (or found already stored). */
  readonly documents: number;
}

export interface IngestOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** Keep per-structure results (default true); false keeps memory flat for very large documents. */
  readonly details?: boolean;
  /** Run the cluster job (default true); false leaves `clusters` out of the results. */
  readonly cluster?: boolean;
}

export interface PipelineConfig {
  readonly pool: Piscina;
  readonly store: Store;
  readonly threads: number;
  /** Structures per batch buffer. */
  readonly batchStructures: number;
  /** Batch buffers in flight at once; with batchStructures this bounds the payload held in memory. */
  readonly batchBuffers: number;
}

/** Manifest writes allowed in flight before the reader waits for the oldest. */
const MAX_MANIFEST_WRITES = 64;

interface Slot {
  readonly view: BatchView;
  count: number;
  payloadBytes: number;
  entries: DocumentAccumulator[];
  domains: Domain[];
  done?: Promise<void>;
}

/**
 * Reads documents into a few fixed batch buffers, runs each full batch through the worker jobs and the store while the
 * next one fills, and yields each document once its structures and then its manifest are stored, in input order.
 */
export async function* ingestPipeline(config: PipelineConfig, input: IngestInput, options: IngestOptions = {}): AsyncGenerator<DocumentResult> {
  const { pool, store, threads, batchStructures, batchBuffers } = config;
  const { signal, onProgress, details = true, cluster = true } = options;
  // Jobs that touch every page range of every structure; each structure's PENDING counts their shards.
  const shardJobs = cluster ? ['classify', 'cluster'] : ['classify'];
  const shardsPerStructure = shardJobs.length * PAGE_SPLITS;
  const table = DomainTable.create(batchStructures * batchBuffers);
  const words = tableWords(table.buffer);
  const free: Slot[] = Array.from({ length: batchBuffers }, () => ({ view: BatchView.allocate(batchStructures), count: 0, payloadBytes: 0, entries: [], domains: [] }));
  const inflight: Slot[] = [];
  const docs: DocumentAccumulator[] = [];
  const progress = { bytes: 0, documents: 0 };

  const run = async (slot: Slot, name: string, shard: Omit<ShardTask, 'batch' | 'capacity' | 'table'>): Promise<void> => {
    const task: ShardTask = { batch: slot.view.buffer, capacity: batchStructures, table: table.buffer, ...shard };
    try {
      await pool.run(task, { name, ...(signal ? { signal } : {}) });
    } catch (err) {
      throw reviveError(err);
    }
  };

  const dispatch = (slot: Slot): void => {
    const n = slot.count;
    const v = slot.view;
    for (let s = 0; s < n; s++) {
      const d = domainCreate(STRUCTURE_SIZE, shardsPerStructure, table);
      slot.domains.push(d);
      v.meta[2 * s] = d.slot;
      v.meta[2 * s + 1] = d.generation;
      Atomics.store(words, slotBase(d.slot) + Field.PENDING, shardsPerStructure);
    }
    v.hist.fill(0, 0, n * 96);
    v.clusters.fill(0, 0, n * 96);
    slot.done = (async () => {
      const shards = planShards(n, threads);
      await Promise.all(shards.flatMap((shard) => shardJobs.map((name) => run(slot, name, shard))));
      await run(slot, 'holoStore', { s0: 0, s1: n, p0: 0, p1: PAGES });
      await store.putStructures(v.data.subarray(0, n * STRUCTURE_SIZE), v.digests.slice(0, n * DIGEST_BYTES));
    })();
    slot.done.catch(() => {}); // awaited in order below; this only keeps an early failure from being "unhandled"
    inflight.push(slot);
  };

  const release = (slot: Slot): void => {
    for (const d of slot.domains) domainDestroy(d);
    slot.count = slot.payloadBytes = 0;
    slot.entries = [];
    slot.domains = [];
    delete slot.done;
    free.push(slot);
  };

  /** Waits for the oldest batch, hands its structures to their documents and frees its buffer. */
  const completeOldest = async (): Promise<void> => {
    const slot = inflight.shift()!;
    try {
      await slot.done;
      slot.entries.forEach((doc, s) => doc.addStructure(slot.view, s));
      progress.bytes += slot.payloadBytes;
      onProgress?.({ ...progress });
    } finally {
      release(slot);
    }
  };

  /** Manifest writes in document order; each waits for a disk flush, so reading goes on meanwhile. */
  const writing: Array<{ settled: boolean; result: Promise<DocumentResult> }> = [];

  const startManifests = (): void => {
    while (docs[0]?.complete) {
      const doc = docs.shift()!;
      const manifest = doc.manifest();
      const entry = { settled: false } as (typeof writing)[number];
      entry.result = store.putDocument(manifest).then(
        (stored) => ((entry.settled = true), doc.result(manifest, stored)),
        (err: unknown) => ((entry.settled = true), Promise.reject(err)),
      );
      entry.result.catch(() => {}); // awaited in order below
      writing.push(entry);
    }
  };

  /** Yields documents whose manifests are durable, in order; with `all`, waits for every one. */
  async function* finishDocuments(all = false): AsyncGenerator<DocumentResult> {
    startManifests();
    while (writing[0] && (all || writing[0].settled || writing.length > MAX_MANIFEST_WRITES)) {
      signal?.throwIfAborted();
      const result = await writing.shift()!.result;
      progress.documents++;
      onProgress?.({ ...progress });
      yield result;
    }
  }

  let current: Slot | undefined;
  try {
    for await (const source of documentSources(input)) {
      const doc = new DocumentAccumulator(source.path, details, cluster);
      docs.push(doc);
      try {
        for (;;) {
          signal?.throwIfAborted();
          if (!current) {
            if (free.length === 0) {
              await completeOldest();
              yield* finishDocuments();
            }
            current = free.pop()!;
          }
          const structure = current.view.structure(current.count);
          const n = await source.read(structure.subarray(0, PAYLOAD_SIZE));
          if (n === 0) break;
          sealStructure(structure, n);
          doc.addPayload(structure.subarray(0, n));
          current.entries.push(doc);
          current.count++;
          current.payloadBytes += n;
          if (current.count === batchStructures) {
            dispatch(current);
            current = undefined;
          }
          if (n < PAYLOAD_SIZE) break;
        }
      } finally {
        await source.close();
      }
      doc.readDone = true;
      yield* finishDocuments();
    }
    if (current && current.count > 0) dispatch(current);
    current = undefined;
    while (inflight.length > 0) {
      signal?.throwIfAborted();
      await completeOldest();
      yield* finishDocuments();
    }
    yield* finishDocuments(true);
  } finally {
    // On error, abort or an early return: let running batches and manifest writes settle before buffers and domains go.
    await Promise.allSettled([...inflight.map((slot) => slot.done), ...writing.map((w) => w.result)]);
    for (const slot of inflight.splice(0)) release(slot);
  }
}
