import { stat } from 'node:fs/promises';
import { MetricsTime, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DocumentResult } from '../src/engine/document.js';
import { Engine } from '../src/engine/engine.js';
import { AtlasError, ErrorCode, fail } from '../src/errors.js';
import { structureCount } from '../src/framing/structure.js';
import type { CapacityPolicy } from '../src/holo/allocation.js';
import { resolveLayer, VAULT } from '../src/holo/layers.js';
import { STAGING_INDEX, loadVaultKey, openChunk } from '../src/holo/vault.js';
import { connect } from './connection.js';
import { ByteBudget } from './byte-budget.js';
import { DocumentFeed } from './document-feed.js';
import { BATCH_QUEUE, INGEST_QUEUE, parseJobData, type BatchJobData, type BatchSummary, type IngestJobData, type IngestJobResult } from './jobs.js';

export interface IngestWorkerOptions {
  readonly redis: string;
  /** Store location: a redis:// URL (the shared store) or an LMDB directory (default $ATLAS_STORE, ./atlas-store). */
  readonly store?: string;
  /** Documents in progress at once (default 256): they share one ingest run, and it needs many to fill its batches. */
  readonly concurrency?: number;
  /** Piscina threads (default: the available cores). */
  readonly threads?: number;
  /** What a layer store beyond capacity does (default spill). */
  readonly capacityPolicy?: CapacityPolicy;
  /** Largest document accepted (default 1 GiB); bigger ones fail for good. */
  readonly maxDocumentBytes?: number;
  /** Staged bytes held in memory at once (default 256 MiB): jobs past it wait before they fetch theirs. */
  readonly stagedBytesInFlight?: number;
  /** BullMQ lock duration (default 30 s): how long a dead worker's jobs wait before another worker takes them. */
  readonly lockMs?: number;
  readonly prefix?: string;
  readonly onEvent?: (event: string) => void;
}

/** After the grace period, how long aborted jobs get to hand themselves back before the engine is closed anyway. */
const ABORT_WAIT_MS = 2000;
const DEFAULT_CONCURRENCY = 256;
/**
 * BullMQ fetches jobs one round trip at a time and starts none until it holds `concurrency` of them (or the queue is
 * empty): an idle worker at 256 sat ~70 ms on a new batch before its first document. So an idle worker fetches this
 * many, and the full concurrency comes back as soon as a job starts.
 */
const FIRST_FETCH = 8;

/**
 * AtlasError INVALID (bad data, missing file, too big, changed content) and BUDGET (a layer beyond capacity under the
 * reject policy, or with no reserve left to spill) will not get better on retry; rebalance, then submit again.
 */
function unrecoverable(err: unknown): unknown {
  return err instanceof AtlasError && (err.code === ErrorCode.INVALID || err.code === ErrorCode.BUDGET) ? new UnrecoverableError(err.message) : err;
}

/**
 * The engine behind BullMQ Workers: one for documents, one for batch parents. The jobs' documents join one shared
 * ingest run (DocumentFeed); the CPU work runs in the engine's pool threads and the store in its owner thread, so this
 * event loop stays free to renew locks. Each job's AbortSignal reaches the pool.
 */
export class IngestWorker {
  readonly #redis: Redis;
  readonly #engine: Engine;
  readonly #feed: DocumentFeed;
  readonly #documents: Worker<IngestJobData, IngestJobResult>;
  readonly #batches: Worker<BatchJobData, BatchSummary>;
  readonly #maxBytes: number;
  readonly #staged: ByteBudget;
  readonly #concurrency: number;
  readonly #idleConcurrency: number;
  #running = 0;
  #closing?: Promise<void>;

  private constructor(redis: Redis, engine: Engine, options: IngestWorkerOptions) {
    const lockDuration = options.lockMs ?? 30_000;
    const prefix = options.prefix ?? 'bull';
    const log = options.onEvent ?? (() => {});
    this.#redis = redis;
    this.#engine = engine;
    this.#feed = new DocumentFeed(engine);
    this.#maxBytes = options.maxDocumentBytes ?? 1 << 30;
    this.#staged = new ByteBudget(options.stagedBytesInFlight ?? 256 << 20);
    const common = { connection: redis, prefix, lockDuration, stalledInterval: Math.max(500, lockDuration / 2), maxStalledCount: 10 };
    this.#concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.#idleConcurrency = Math.min(FIRST_FETCH, this.#concurrency);
    this.#documents = new Worker(INGEST_QUEUE, (job, _token, signal) => this.#run(job, signal), { ...common, concurrency: this.#idleConcurrency, metrics: { maxDataPoints: MetricsTime.ONE_WEEK } });
    this.#batches = new Worker(BATCH_QUEUE, (job) => this.#summarize(job), { ...common, concurrency: 1 });
    for (const w of [this.#documents, this.#batches]) {
      w.on('error', (err) => log(`error: ${err.message}`)); // connection trouble; ioredis reconnects and the worker resumes
    }
    this.#documents.on('failed', (job, err) => log(`failed ${job?.id}: ${err.message}`));
    this.#documents.on('completed', (job) => log(`stored ${job.id}`));
  }

  static async start(options: IngestWorkerOptions): Promise<IngestWorker> {
    const redis = await connect(options.redis, 'worker');
    let engine: Engine;
    try {
      engine = await Engine.open({
        ...(options.store === undefined ? {} : { store: options.store }), ...(options.threads === undefined ? {} : { threads: options.threads }),
        ...(options.capacityPolicy === undefined ? {} : { holo: { capacityPolicy: options.capacityPolicy } }),
      });
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    engine.startPool();
    const worker = new IngestWorker(redis, engine, options);
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
    await this.#feed.close();
    await this.#engine.close();
    this.#redis.disconnect();
  }

  async #run(job: Job<IngestJobData, IngestJobResult>, signal?: AbortSignal): Promise<IngestJobResult> {
    if (this.#running++ === 0) this.#documents.concurrency = this.#concurrency;
    try {
      return await this.#ingest(job, signal);
    } finally {
      if (--this.#running === 0) this.#documents.concurrency = this.#idleConcurrency;
    }
  }

  async #ingest(job: Job<IngestJobData, IngestJobResult>, signal?: AbortSignal): Promise<IngestJobResult> {
    try {
      const data = parseJobData(job.data);
      if (data.length > this.#maxBytes) fail(ErrorCode.INVALID, `document of ${data.length} bytes exceeds this worker's limit of ${this.#maxBytes}`);
      const count = structureCount(data.length);
      // Already stored: a resubmission, or a retry after a worker died between the commit and the acknowledgement.
      if (await this.#engine.has(data.id)) {
        if (data.kind === 'staged') await this.#redis.del(data.key);
        return { id: data.id, length: data.length, structures: count, stored: false };
      }
      const release = data.kind === 'staged' ? await this.#staged.acquire(data.length) : () => {};
      let r: DocumentResult;
      try {
        r = await this.#feed.ingest(await this.#input(data), signal, data.layer === undefined ? undefined : resolveLayer(data.layer));
      } finally {
        release();
      }
      if (r.id !== data.id) {
        const why = r.layer === VAULT.name ? ', or the producer sealed it under another Vault key than this worker has' : '';
        fail(ErrorCode.INVALID, `document changed since it was enqueued${why} (expected ${data.id}, read ${r.id})`);
      }
      if (data.kind === 'staged') await this.#redis.del(data.key);
      return { id: r.id, length: r.length, structures: r.structures, stored: r.stored };
    } catch (err) {
      if (signal?.aborted) throw new Error(`aborted: ${String(signal.reason)}`); // retried
      throw unrecoverable(err);
    }
  }

  async #input(data: IngestJobData): Promise<string | Uint8Array> {
    if (data.kind === 'staged') {
      const bytes = await this.#redis.getBuffer(data.key);
      if (bytes === null) fail(ErrorCode.INVALID, `staged bytes ${data.key} are gone (expired or deleted) and the document is not stored`);
      if (data.layer !== VAULT.name) return bytes;
      try {
        return openChunk(loadVaultKey(), Buffer.from(data.id, 'hex'), STAGING_INDEX, bytes);
      } catch (err) {
        return fail(ErrorCode.INVALID, `staged Vault document ${data.id} cannot be opened with this worker's Vault key: ${(err as Error).message}`);
      }
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
