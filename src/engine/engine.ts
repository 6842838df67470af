import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { ErrorCode, fail } from '../errors.js';
import { structureCount } from '../framing/structure.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { requireDocumentId } from '../store/check.js';
import { resolveStoreDir } from '../store/location.js';
import { RemoteStore } from '../store/remote.js';
import type { StoreStats, VerifyReport } from '../store/store.js';
import type { DocumentResult } from './document.js';
import { ingestPipeline, type IngestOptions } from './ingest.js';
import type { IngestInput } from './sources.js';

export interface EngineOptions {
  /** Store directory; default $ATLAS_STORE, else ./atlas-store. */
  readonly store?: string;
  /** Worker threads; default the machine's available parallelism. */
  readonly threads?: number;
  /** Structures per batch buffer (default 256, about 3 MiB). */
  readonly batchStructures?: number;
  /** Batch buffers in flight (default 4). */
  readonly batchBuffers?: number;
}

export interface EngineStats extends StoreStats {
  readonly threads: number;
}

const JOBS = join(PACKAGE_ROOT, 'dist', 'workers', 'jobs.js');
/** Structures fetched per step when a document is streamed back. */
const READ_STEP = 256;

function positiveInt(value: unknown, what: string, fallback: number, max = 1 << 16): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) fail(ErrorCode.INVALID, `${what} must be an integer in 1..${max}, got ${String(value)}`);
  return value;
}

/** The typed API: ingest documents through the worker pool into the store, read them back verified. */
export class Engine {
  readonly threads: number;
  #pool?: Piscina;
  #store: RemoteStore;
  #batchStructures: number;
  #batchBuffers: number;
  #closed = false;

  private constructor(store: RemoteStore, threads: number, batchStructures: number, batchBuffers: number) {
    this.#store = store;
    this.threads = threads;
    this.#batchStructures = batchStructures;
    this.#batchBuffers = batchBuffers;
  }

  static async open(options: EngineOptions = {}): Promise<Engine> {
    const threads = positiveInt(options.threads, 'threads', availableParallelism(), 256);
    const batchStructures = positiveInt(options.batchStructures, 'batchStructures', 256);
    const batchBuffers = positiveInt(options.batchBuffers, 'batchBuffers', 4, 64);
    const store = await RemoteStore.open(resolveStoreDir(options.store));
    return new Engine(store, threads, batchStructures, batchBuffers);
  }

  /** The worker pool, started on the first ingest so that reads and stats start no threads. */
  #workers(): Piscina {
    if (!this.#pool) {
      this.#pool = new Piscina({ filename: JOBS, minThreads: this.threads, maxThreads: this.threads, idleTimeout: 60_000 });
      this.#pool.on('error', () => {}); // a crashed worker also rejects its task, which is where the error is reported
    }
    return this.#pool;
  }

  /** Ingests a path (file or folder, recursive), bytes, or an (async) iterable of them; yields one result per document. */
  ingest(input: IngestInput, options: IngestOptions = {}): AsyncGenerator<DocumentResult> {
    this.#open();
    const config = { pool: this.#workers(), store: this.#store, threads: this.threads, batchStructures: this.#batchStructures, batchBuffers: this.#batchBuffers };
    return ingestPipeline(config, input, options);
  }

  /** The document's exact bytes, every structure and the document hash verified. */
  async get(id: string): Promise<Uint8Array> {
    this.#open();
    return this.#store.getDocument(requireDocumentId(id));
  }

  /** Streams the document in verified chunks; throws WITNESS at the end if the whole does not hash to its id. */
  async *read(id: string): AsyncGenerator<Uint8Array> {
    this.#open();
    const manifest = await this.#store.getManifest(requireDocumentId(id));
    if (!manifest) fail(ErrorCode.INVALID, `no document ${id} in the store`);
    const total = structureCount(manifest.length);
    const hash = createHash('sha256');
    for (let at = 0; at < total; at += READ_STEP) {
      const chunk = await this.#store.getDocument(id, at, READ_STEP);
      hash.update(chunk);
      yield chunk;
    }
    if (hash.digest('hex') !== id) fail(ErrorCode.WITNESS, `document ${id} does not match its SHA-256`);
  }

  async has(id: string): Promise<boolean> {
    this.#open();
    return this.#store.has(requireDocumentId(id));
  }

  /** Verifies the given documents, or every stored document when none are given. */
  async verify(ids?: string | readonly string[]): Promise<VerifyReport[]> {
    this.#open();
    const list = ids === undefined ? [] : typeof ids === 'string' ? [ids] : ids;
    return this.#store.verify(list.map((id) => requireDocumentId(id)));
  }

  async stats(): Promise<EngineStats> {
    this.#open();
    return { ...(await this.#store.stats()), threads: this.threads };
  }

  /** Waits for running tasks, stops the workers and closes the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#pool?.close();
    } finally {
      await this.#store.close();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #open(): void {
    if (this.#closed) fail(ErrorCode.STATE, 'the engine is closed');
  }
}
