import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { FlowProducer, Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { AtlasError, ErrorCode, fail } from '../src/errors.js';
import { walk, type IngestItem } from '../src/engine/sources.js';
import { resolveLayer } from '../src/holo/layers.js';
import { isAutoPolicy, routeToLayer, type LayerPolicy } from '../src/holo/routing.js';
import { STAGING_INDEX, loadVaultKey, sealChunk, type VaultKey } from '../src/holo/vault.js';
import { ROUTING_PREFIX } from '../src/store/holo-store.js';
import { vaultDocumentId } from '../src/store/vault-documents.js';
import { connect } from './connection.js';
import { hashFiles } from './hash-files.js';
import {
  BATCH_QUEUE, INGEST_QUEUE, RETENTION, RETRY, batchId, batchJobId, documentJobId, stagingKey,
  type BatchJobData, type BatchSummary, type IngestJobData, type IngestJobResult,
} from './jobs.js';

export interface IngestQueueOptions {
  /** BullMQ key prefix (default 'bull'); the staging keys use `${prefix}-atlas:stage:<id>`. */
  readonly prefix?: string;
  /** Largest buffer submit() stages in Redis (default 16 MiB); bigger documents should go by path. */
  readonly maxStagedBytes?: number;
  readonly attempts?: number;
  readonly backoffMs?: number;
  /**
   * Where the Vault key comes from (default ATLAS_VAULT_KEY). Documents that route to the Vault need it here: their job
   * id is their keyed Vault id and a submitted buffer is staged sealed, so no plaintext or plain hash reaches Redis.
   */
  readonly vaultKeyFile?: string;
}

export interface SubmittedBatch {
  readonly batch: string;
  readonly jobId: string;
  readonly documents: number;
  readonly bytes: number;
}

export interface BatchProgress {
  readonly state: string;
  readonly documents: number;
  /** Children finished (stored, found stored, or failed). */
  readonly done: number;
  readonly failed: number;
}

export interface FailedJob {
  readonly job: string;
  readonly reason: string;
  readonly attempts: number;
  readonly data: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The producer side: submits batches of documents as one flow each and reports on them. */
export class IngestQueue {
  readonly #redis: Redis;
  readonly #flows: FlowProducer;
  readonly #ingest: Queue<IngestJobData, IngestJobResult>;
  readonly #batches: Queue<BatchJobData, BatchSummary>;
  readonly #stagePrefix: string;
  readonly #maxStagedBytes: number;
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #vaultKeyFile?: string;

  private constructor(redis: Redis, options: IngestQueueOptions) {
    const prefix = options.prefix ?? 'bull';
    this.#redis = redis;
    this.#flows = new FlowProducer({ connection: redis, prefix });
    this.#ingest = new Queue(INGEST_QUEUE, { connection: redis, prefix });
    this.#batches = new Queue(BATCH_QUEUE, { connection: redis, prefix });
    // Connection errors surface in the calls that hit them (wait() polls through a Redis restart).
    this.#flows.on('error', () => {});
    this.#ingest.on('error', () => {});
    this.#batches.on('error', () => {});
    this.#stagePrefix = `${prefix}-atlas`;
    this.#maxStagedBytes = options.maxStagedBytes ?? 16 << 20;
    this.#attempts = options.attempts ?? RETRY.attempts;
    this.#backoffMs = options.backoffMs ?? RETRY.backoffMs;
    if (options.vaultKeyFile !== undefined) this.#vaultKeyFile = options.vaultKeyFile;
  }

  #vaultKey(what: string): VaultKey {
    try {
      return loadVaultKey(this.#vaultKeyFile === undefined ? {} : { keyFile: this.#vaultKeyFile });
    } catch (err) {
      return fail((err as AtlasError).code ?? ErrorCode.STATE, `${what} routes to the Vault, which needs the Vault key here too: ${(err as Error).message}`);
    }
  }

  static async open(url: string, options: IngestQueueOptions = {}): Promise<IngestQueue> {
    return new IngestQueue(await connect(url, 'producer'), options);
  }

  /**
   * Submits one batch: paths (files or folders, recursive; they must be readable by the workers at the same path) and
   * buffers (staged in Redis until stored), each to the layer `options.layer` picks (default auto: by content).
   * Identical documents are submitted once. Resubmitting the same batch while its jobs are retained adds nothing.
   */
  async submit(items: Iterable<IngestItem>, options: { readonly layer?: LayerPolicy } = {}): Promise<SubmittedBatch> {
    const policy = options.layer ?? 'auto';
    if (!isAutoPolicy(policy)) resolveLayer(policy); // INVALID before anything is read
    const jobs = new Map<string, IngestJobData>();
    const staged: Array<{ key: string; bytes: Uint8Array }> = [];
    for (const item of items) {
      if (typeof item === 'string') {
        const files: string[] = [];
        for await (const file of walk(resolve(item))) files.push(file);
        const vaultKey = () => this.#vaultKey(files.length === 1 ? files[0]! : `a file under ${item}`);
        for (const { path, id, length, layer } of await hashFiles(files, policy, vaultKey)) {
          if (!jobs.has(id)) jobs.set(id, { kind: 'path', path, id, length, layer: layer.name });
        }
      } else if (item instanceof Uint8Array) {
        if (item.length > this.#maxStagedBytes) fail(ErrorCode.INVALID, `a submitted buffer of ${item.length} bytes exceeds the staging limit of ${this.#maxStagedBytes}; submit it by path`);
        const layer = routeToLayer({ bytes: item.subarray(0, ROUTING_PREFIX) }, policy);
        const vault = layer.hasField ? undefined : this.#vaultKey('a submitted buffer');
        const id = vault ? vaultDocumentId(vault, item) : createHash('sha256').update(item).digest('hex');
        if (jobs.has(id)) continue;
        const key = stagingKey(this.#stagePrefix, id);
        jobs.set(id, { kind: 'staged', key, id, length: item.length, layer: layer.name });
        staged.push({ key, bytes: vault ? sealChunk(vault, Buffer.from(id, 'hex'), STAGING_INDEX, item) : item });
      } else {
        fail(ErrorCode.INVALID, 'submit() takes paths and Uint8Arrays');
      }
    }
    if (jobs.size === 0) fail(ErrorCode.INVALID, 'submit(): the batch has no documents');
    const list = [...jobs.values()];
    const batch = batchId(list);
    // Staged bytes expire with the dedupe window, so a resubmission of a committed buffer cannot leak them.
    for (const { key, bytes } of staged) await this.#redis.set(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', RETENTION.completedSeconds);
    const bytes = list.reduce((n, j) => n + j.length, 0);
    const retention = {
      removeOnComplete: { age: RETENTION.completedSeconds, count: RETENTION.completedCount },
      removeOnFail: { age: RETENTION.failedSeconds },
    };
    const node = await this.#flows.add({
      name: 'batch',
      queueName: BATCH_QUEUE,
      data: { batch, documents: list.length, bytes },
      opts: { jobId: batchJobId(batch), ...retention },
      children: list.map((data) => ({
        name: 'document',
        queueName: INGEST_QUEUE,
        data,
        opts: {
          jobId: documentJobId(batch, data.id),
          attempts: this.#attempts,
          backoff: { type: 'exponential', delay: this.#backoffMs },
          // A document that fails for good is reported in the batch summary instead of holding the batch forever.
          ignoreDependencyOnFailure: true,
          ...retention,
        },
      })),
    });
    return { batch, jobId: node.job.id!, documents: list.length, bytes };
  }

  async progress(batch: string): Promise<BatchProgress> {
    const job = await this.#batches.getJob(batchJobId(batch));
    if (!job) fail(ErrorCode.INVALID, `no batch ${batch} in the queue (never submitted, or past retention)`);
    const state = await job.getState();
    const counts = await job.getDependenciesCount({ processed: true, ignored: true, failed: true, unprocessed: true });
    const failed = (counts.ignored ?? 0) + (counts.failed ?? 0);
    return { state, documents: job.data.documents, done: (counts.processed ?? 0) + failed, failed };
  }

  /**
   * Waits until the batch's parent job has completed (every document stored or failed for good) and returns its
   * summary. Tolerates Redis being away for a while (a restart) and polls again.
   */
  async wait(batch: string, options: { onProgress?: (p: BatchProgress) => void; intervalMs?: number; signal?: AbortSignal } = {}): Promise<BatchSummary> {
    const interval = options.intervalMs ?? 200;
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        const p = await this.progress(batch);
        options.onProgress?.(p);
        if (p.state === 'completed') return (await this.#batches.getJob(batchJobId(batch)))!.returnvalue;
        if (p.state === 'failed') fail(ErrorCode.STATE, `batch ${batch} failed: ${(await this.#batches.getJob(batchJobId(batch)))?.failedReason}`);
      } catch (err) {
        if (err instanceof AtlasError) throw err; // anything else is Redis being away: poll again
      }
      await sleep(interval);
    }
  }

  /** The failed-jobs view: documents that failed for good, newest first, with their reasons. */
  async failed(start = 0, end = 99): Promise<FailedJob[]> {
    const jobs: Array<Job<IngestJobData>> = await this.#ingest.getFailed(start, end);
    return jobs.map((j) => ({ job: j.id!, reason: j.failedReason, attempts: j.attemptsMade, data: j.data }));
  }

  /** Job counts of the ingest queue by state. */
  counts(): Promise<Record<string, number>> {
    return this.#ingest.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'waiting-children');
  }

  /** The underlying ingest queue (for admin and tests: add a job by hand, inspect one). */
  get ingestQueue(): Queue<IngestJobData, IngestJobResult> {
    return this.#ingest;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#flows.close(), this.#ingest.close(), this.#batches.close()]);
    this.#redis.disconnect();
  }
}
