import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MetricsTime, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { Piscina } from 'piscina';
import { AtlasError, ErrorCode, fail } from '../src/errors.js';
import { ingestPipeline } from '../src/engine/ingest.js';
import { structureCount } from '../src/framing/structure.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { connect } from './connection.js';
import { BATCH_QUEUE, INGEST_QUEUE, parseJobData, type BatchJobData, type BatchSummary, type IngestJobData, type IngestJobResult } from './jobs.js';

export interface IngestWorkerOptions {
  readonly redis: string;
  /** Store location: a redis:// URL (the shared store) or an LMDB directory (default $ATLAS_STORE, ./atlas-store). */
  readonly store?: string;
  /** Documents processed at once (default 2). */
  readonly concurrency?: number;
  /** Piscina threads (default: the available cores). */
  readonly threads?: number;
  /** Largest document accepted (default 1 GiB); bigger ones fail for good. */
  readonly maxDocumentBytes?: number;
  /** BullMQ lock duration (default 30 s): how long a dead worker's jobs wait before another worker takes them. */
  readonly lockMs?: number;
  readonly prefix?: string;
  readonly onEvent?: (event: string) => void;
}

const JOBS = join(PACKAGE_ROOT, 'dist', 'workers', 'jobs.js');
/** Structures per batch buffer for one document: enough for the document, at most the engine's default. */
const MAX_BATCH_STRUCTURES = 256;
/** After the grace period, how long aborted jobs get to hand themselves back before the pool is destroyed anyway. */
const ABORT_WAIT_MS = 2000;

/** AtlasError INVALID (bad data, missing file, too big, changed content) will not get better on retry. */
function unrecoverable(err: unknown): unknown {
  return err instanceof AtlasError && err.code === ErrorCode.INVALID ? new UnrecoverableError(err.message) : err;
}

/**
 * The engine's Piscina pool behind BullMQ Workers: one for documents, one for batch parents. The CPU work runs in the
 * pool's threads, so this event loop stays free to renew locks; each job's AbortSignal reaches the pool.
 */
export class IngestWorker {
  readonly #redis: Redis;
  readonly #store: Store;
  readonly #pool: Piscina;
  readonly #documents: Worker<IngestJobData, IngestJobResult>;
  readonly #batches: Worker<BatchJobData, BatchSummary>;
  readonly #maxBytes: number;
  #closing?: Promise<void>;

  private constructor(redis: Redis, store: Store, options: IngestWorkerOptions) {
    const threads = options.threads ?? availableParallelism();
    const lockDuration = options.lockMs ?? 30_000;
    const prefix = options.prefix ?? 'bull';
    const log = options.onEvent ?? (() => {});
    this.#redis = redis;
    this.#store = store;
    this.#maxBytes = options.maxDocumentBytes ?? 1 << 30;
    this.#pool = new Piscina({ filename: JOBS, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
    this.#pool.on('error', () => {}); // a crashed thread also rejects its task, where the job reports it
    const common = { connection: redis, prefix, lockDuration, stalledInterval: Math.max(500, lockDuration / 2), maxStalledCount: 10 };
    this.#documents = new Worker(INGEST_QUEUE, (job, _token, signal) => this.#ingest(job, threads, signal), { ...common, concurrency: options.concurrency ?? 2, metrics: { maxDataPoints: MetricsTime.ONE_WEEK } });
    this.#batches = new Worker(BATCH_QUEUE, (job) => this.#summarize(job), { ...common, concurrency: 1 });
    for (const w of [this.#documents, this.#batches]) {
      w.on('error', (err) => log(`error: ${err.message}`)); // connection trouble; ioredis reconnects and the worker resumes
    }
    this.#documents.on('failed', (job, err) => log(`failed ${job?.id}: ${err.message}`));
    this.#documents.on('completed', (job) => log(`stored ${job.id}`));
  }

  static async start(options: IngestWorkerOptions): Promise<IngestWorker> {
    const redis = await connect(options.redis, 'worker');
    let store: Store;
    try {
      store = await openStore(options.store);
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    const worker = new IngestWorker(redis, store, options);
    await Promise.all([worker.#documents.waitUntilReady(), worker.#batches.waitUntilReady()]);
    return worker;
  }

  /**
   * Stops taking jobs and lets active ones finish; after `graceMs` the rest are aborted (they are retried, or come
   * back as stalled if this process dies first). Idempotent.
   */
  close(graceMs = 10_000): Promise<void> {
    return (this.#closing ??= this.#close(graceMs));
  }

  async #close(graceMs: number): Promise<void> {
    const closing = Promise.all([this.#documents.close(), this.#batches.close()]);
    // Unref'd: a pending deadline must not keep the process alive once everything has closed.
    const after = (ms: number) => new Promise<'late'>((r) => setTimeout(r, ms, 'late').unref());
    if ((await Promise.race([closing, after(graceMs)])) === 'late') {
      this.#documents.cancelAllJobs('worker shutting down');
      await Promise.race([closing, after(ABORT_WAIT_MS)]);
    }
    await this.#pool.destroy();
    await this.#store.close();
    this.#redis.disconnect();
  }

  async #ingest(job: Job<IngestJobData, IngestJobResult>, threads: number, signal?: AbortSignal): Promise<IngestJobResult> {
    try {
      const data = parseJobData(job.data);
      if (data.length > this.#maxBytes) fail(ErrorCode.INVALID, `document of ${data.length} bytes exceeds this worker's limit of ${this.#maxBytes}`);
      const count = structureCount(data.length);
      // Already stored: a resubmission, or a retry after a worker died between the commit and the acknowledgement.
      if (await this.#store.has(data.id)) {
        if (data.kind === 'staged') await this.#redis.del(data.key);
        return { id: data.id, length: data.length, structures: count, stored: false };
      }
      const input = await this.#input(data);
      const config = { pool: this.#pool, store: this.#store, threads, batchStructures: Math.min(MAX_BATCH_STRUCTURES, Math.max(1, count)), batchBuffers: 2 };
      let result: IngestJobResult | undefined;
      for await (const r of ingestPipeline(config, input, { details: false, ...(signal ? { signal } : {}) })) {
        result = { id: r.id, length: r.length, structures: r.structures, stored: r.stored };
      }
      if (result?.id !== data.id) fail(ErrorCode.INVALID, `document changed since it was enqueued (expected ${data.id}, read ${result?.id})`);
      if (data.kind === 'staged') await this.#redis.del(data.key);
      return result;
    } catch (err) {
      if (signal?.aborted) throw new Error(`aborted: ${String(signal.reason)}`); // retried
      throw unrecoverable(err);
    }
  }

  async #input(data: IngestJobData): Promise<string | Uint8Array> {
    if (data.kind === 'staged') {
      const bytes = await this.#redis.getBuffer(data.key);
      if (bytes === null) fail(ErrorCode.INVALID, `staged bytes ${data.key} are gone (expired or deleted) and the document is not stored`);
      return bytes;
    }
    let size: number;
    try {
      const info = await stat(data.path);
      if (!info.isFile()) fail(ErrorCode.INVALID, `${data.path} is not a file`);
      size = info.size;
    } catch (err) {
      if (err instanceof AtlasError) throw err;
      fail(ErrorCode.INVALID, `cannot read ${data.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (size > this.#maxBytes) fail(ErrorCode.INVALID, `${data.path} is ${size} bytes, over this worker's limit of ${this.#maxBytes}`);
    return data.path;
  }

  /** The batch parent runs once every document has finished: it sums up what its children returned or why they failed. */
  async #summarize(job: Job<BatchJobData, BatchSummary>): Promise<BatchSummary> {
    const values = Object.values(await job.getChildrenValues<IngestJobResult>());
    const failures = await job.getIgnoredChildrenFailures();
    const stored = values.filter((v) => v.stored).length;
    const failed = Object.entries(failures).map(([key, reason]) => ({ job: key.split(':').pop()!, reason }));
    return { batch: job.data.batch, documents: job.data.documents, bytes: job.data.bytes, stored, alreadyStored: values.length - stored, failed };
  }
}
