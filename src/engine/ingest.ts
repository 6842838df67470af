import { setMaxListeners } from 'node:events';
import type { Piscina } from 'piscina';
import { STRUCTURE_SIZE } from '../l3/phi.js';
import { PAYLOAD_SIZE, sealStructure } from '../framing/structure.js';
import { ECC_PARITY_BYTES } from '../holo/ecc.js';
import { ErrorCode, fail as raise } from '../errors.js';
import type { Store } from '../store/store.js';
import { reviveError } from '../store/check.js';
import { DIGEST_BYTES, PAGE_SPLITS, planShards, type ShardTask } from './batch.js';
import { BatchPool, type BatchBuffer } from './batch-pool.js';
import { DocumentAccumulator, type DocumentResult } from './document.js';
import { domainCreate, domainDestroy, domainState, Field, slotBase, tableWords, type Domain } from './kernels.js';
import { documentSources, type DocumentSource, type IngestInput } from './sources.js';

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
  /** Keeps the buffers between runs (same batchStructures and batchBuffers); without it each run allocates its own. */
  readonly batches?: BatchPool;
}

/** Documents the reader may run ahead of the consumer (each holds only its result until it is yielded). */
const RESULTS_AHEAD = 1024;
/** When the next input item takes longer than this, a partly filled batch is sent on rather than held. */
const INPUT_WAIT_MS = 10;

interface Slot extends BatchBuffer {
  count: number;
  payloadBytes: number;
  entries: DocumentAccumulator[];
  domains: Domain[];
}

interface Pending {
  settled: boolean;
  result: Promise<DocumentResult>;
}

/** Thrown inside the reader when the consumer has gone; never reaches the caller. */
const STOPPED = Symbol('stopped');
const SLOW = Symbol('slow');

/**
 * Reads documents into a few fixed batch buffers and runs each full batch through the worker jobs and the store while
 * the next fills. A reader task and this generator meet through shared state and one wake-up `tick`: the reader waits
 * for a free buffer (or for the consumer when it is RESULTS_AHEAD documents ahead); each document is yielded, in input
 * order, once its structures and then its manifest are durable.
 */
export async function* ingestPipeline(config: PipelineConfig, input: IngestInput, options: IngestOptions = {}): AsyncGenerator<DocumentResult> {
  const { pool, store, threads, batchStructures, batchBuffers } = config;
  const { signal, onProgress, details = true, cluster = true } = options;
  // Jobs that touch every page range of every structure; each structure's PENDING counts their shards.
  const shardJobs = cluster ? ['classify', 'cluster'] : ['classify'];
  const shardsPerStructure = shardJobs.length * PAGE_SPLITS;
  const spares = config.batches?.batchStructures === batchStructures && config.batches.batchBuffers === batchBuffers ? config.batches : new BatchPool(batchStructures, batchBuffers);
  const batches = spares.take();
  const { table } = batches;
  const words = tableWords(table.buffer);
  const free: Slot[] = batches.buffers.map((b) => ({ ...b, count: 0, payloadBytes: 0, entries: [], domains: [] }));
  const docs: DocumentAccumulator[] = []; // read, manifest not started yet
  const writing: Pending[] = []; // manifest started, not yielded yet
  const progress = { bytes: 0, documents: 0 };
  let completions: Promise<void> = Promise.resolve(); // batches finish in dispatch order
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let readerDone = false;
  let waitingForInput = false;

  let wake: Array<() => void> = [];
  const tick = (): void => {
    const waiting = wake;
    wake = [];
    for (const w of waiting) w();
  };
  const nextTick = (): Promise<void> => new Promise((resolve) => wake.push(resolve));
  const fail = (error: unknown): void => {
    failure ??= { error };
    tick();
  };
  // Every in-flight shard listens for the abort: one internal signal, allowed that many listeners, leaves the caller's alone.
  const shardAbort = new AbortController();
  setMaxListeners(0, shardAbort.signal);
  const onAbort = (): void => {
    shardAbort.abort(signal!.reason);
    fail(signal!.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const run = async (slot: Slot, name: string, shard: Omit<ShardTask, 'batch' | 'capacity' | 'table'>): Promise<void> => {
    const task: ShardTask = { batch: slot.view.buffer, capacity: batchStructures, table: table.buffer, ...shard };
    try {
      await pool.run(task, { name, ...(signal ? { signal: shardAbort.signal } : {}) });
    } catch (err) {
      throw reviveError(err);
    }
  };

  const startManifests = (): void => {
    while (!failure && docs[0]?.complete) {
      const doc = docs.shift()!;
      const manifest = doc.manifest();
      const pending = { settled: false } as Pending;
      pending.result = store.putDocument(manifest).then((stored) => doc.result(manifest, stored));
      pending.result.then(
        () => ((pending.settled = true), tick()),
        () => ((pending.settled = true), tick()),
      );
      writing.push(pending);
    }
  };

  const release = (slot: Slot): void => {
    for (const d of slot.domains) domainDestroy(d);
    slot.count = slot.payloadBytes = 0;
    slot.entries = [];
    slot.domains = [];
    free.push(slot);
    tick();
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
    v.clusters.fill(0, 0, n * 96);
    const done = (async () => {
      const shards = planShards(n, threads);
      await Promise.all(shards.flatMap((shard) => shardJobs.map((name) => run(slot, name, shard))));
      // The last shard of each structure committed it (else that shard threw); checked here, not in another task.
      slot.domains.forEach((d, s) => domainState(d) === 'COMMITTED' || raise(ErrorCode.STATE, `structure ${s} reached the store uncommitted`));
      await store.putStructures(v.data.subarray(0, n * STRUCTURE_SIZE), v.digests.slice(0, n * DIGEST_BYTES), v.parities.subarray(0, n * ECC_PARITY_BYTES));
    })();
    done.catch(() => {}); // handled in the completion chain below
    // Structures reach their documents in dispatch order, so each document's digests stay in order.
    completions = completions.then(async () => {
      try {
        await done;
        if (!failure) {
          slot.entries.forEach((doc, s) => doc.addStructure(v, s));
          progress.bytes += slot.payloadBytes;
          onProgress?.({ ...progress });
          startManifests();
        }
      } catch (err) {
        fail(err);
      } finally {
        release(slot);
      }
    });
  };

  let current: Slot | undefined;

  const check = (): void => {
    if (stopped) throw STOPPED;
    if (failure) throw failure.error;
  };

  /** The next input item; if it is slow to come, the partly filled batch goes on so earlier documents can finish. */
  const nextSource = async (it: AsyncIterator<DocumentSource>): Promise<IteratorResult<DocumentSource>> => {
    const next = it.next();
    if (current && current.count > 0) {
      let timer: NodeJS.Timeout | undefined;
      const slow = new Promise<typeof SLOW>((resolve) => (timer = setTimeout(resolve, INPUT_WAIT_MS, SLOW)));
      const first = await Promise.race([next, slow]).finally(() => clearTimeout(timer));
      if (first === SLOW && !stopped && current.count > 0) {
        dispatch(current);
        current = undefined;
      }
    }
    return next;
  };

  const readInput = async (): Promise<void> => {
    const it = documentSources(input)[Symbol.asyncIterator]();
    try {
      for (;;) {
        while (writing.length + docs.length >= RESULTS_AHEAD) {
          check();
          if (current && current.count > 0) {
            dispatch(current); // its documents must be able to finish, or this wait would never end
            current = undefined;
          }
          await nextTick();
        }
        check();
        waitingForInput = true;
        const next = await nextSource(it).finally(() => (waitingForInput = false));
        if (next.done) break;
        const source = next.value;
        try {
          check();
          const doc = new DocumentAccumulator(source.path, details, cluster);
          docs.push(doc);
          for (;;) {
            while (!current && free.length === 0) {
              check();
              await nextTick();
            }
            check();
            const slot = (current ??= free.pop()!);
            const room = slot.payloads.slice(slot.count); // one read fills as many structures as the batch has left
            const n = await source.read(room);
            check();
            for (let left = n; left > 0; left -= PAYLOAD_SIZE) {
              const used = Math.min(left, PAYLOAD_SIZE);
              const structure = slot.view.structure(slot.count);
              sealStructure(structure, used);
              doc.addPayload(structure.subarray(0, used));
              slot.entries.push(doc);
              slot.count++;
              slot.payloadBytes += used;
            }
            if (slot.count === batchStructures) {
              dispatch(slot);
              current = undefined;
            }
            if (n < room.length * PAYLOAD_SIZE) break;
          }
          doc.readDone = true;
          startManifests();
        } finally {
          await source.close();
        }
      }
      if (current && current.count > 0) dispatch(current);
      current = undefined;
      await completions;
    } catch (err) {
      if (err !== STOPPED) fail(err);
    } finally {
      readerDone = true;
      tick();
      if (stopped || failure) await it.return?.(undefined).catch(() => {});
    }
  };

  const reader = readInput();
  try {
    for (;;) {
      const head = writing[0];
      if (head?.settled) {
        writing.shift();
        tick(); // room for the reader
        const result = await head.result;
        signal?.throwIfAborted();
        progress.documents++;
        onProgress?.({ ...progress });
        yield result;
        continue;
      }
      if (failure) throw failure.error;
      if (readerDone && writing.length === 0) break;
      await nextTick();
    }
  } finally {
    // On error, abort or an early return: stop the reader, let running batches and manifest writes settle.
    stopped = true;
    tick();
    signal?.removeEventListener('abort', onAbort);
    // A reader waiting on a slow input item is not awaited: it stops (closing what it got) when the item comes.
    if (!waitingForInput) await reader;
    await completions;
    await Promise.allSettled(writing.map((w) => w.result));
    // Every task of every batch has finished only when none failed and the reader is done; only then may the buffers serve again.
    if (!failure && readerDone) spares.give(batches);
  }
}
