import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { ErrorCode, fail } from '../errors.js';
import { structureCount } from '../framing/structure.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { resolveLayer } from '../holo/layers.js';
import { isAutoPolicy, type LayerPolicy } from '../holo/routing.js';
import { requireDocumentId } from '../store/check.js';
import type { HoloStoreOptions, HoloSummary, LayerRecall, LayerReport, RebalanceReport } from '../store/holo-store.js';
import type { CueRecall } from '../store/cue-index.js';
import { resolveStoreDir } from '../store/location.js';
import { RemoteStore } from '../store/remote.js';
import type { DocumentManifest, Store, StoreStats, VerifyReport } from '../store/store.js';
import { isVaultId } from '../store/vault-documents.js';
import type { LayerStats } from '../holo/telemetry.js';
import { BatchPool } from './batch-pool.js';
import type { DocumentResult } from './document.js';
import { ingestPipeline, type IngestOptions } from './ingest.js';
import { isRoutedItem, routeItem, type RoutedItem } from './route-item.js';
import { walk, type IngestInput, type IngestItem } from './sources.js';

export interface EngineOptions {
  /** Store directory; default $ATLAS_STORE, else ./atlas-store. */
  readonly store?: string;
  /** Worker threads; default the machine's available parallelism. */
  readonly threads?: number;
  /** Structures per batch buffer (default 256, about 3 MiB). */
  readonly batchStructures?: number;
  /** Batch buffers in flight (default 4). */
  readonly batchBuffers?: number;
  /** The holographic store: total floats M and headroom (for a new store), capacity policy, margin τ, vault key file. */
  readonly holo?: HoloStoreOptions;
}

export interface EngineStats extends StoreStats {
  readonly threads: number;
  /** One spec §4 entry per layer. */
  readonly layers: LayerStats[];
  readonly holo: HoloSummary;
}

/** What `ingest` takes: paths, bytes, or documents already routed to a layer (each with its own). */
export type EngineInput = IngestInput | Iterable<RoutedItem> | AsyncIterable<RoutedItem>;

export interface EngineIngestOptions extends IngestOptions {
  /** 'auto' (default: by content), or a layer name or number for every document. */
  readonly layer?: LayerPolicy;
}

export interface PoolStats {
  readonly threads: number;
  /** False until the first ingest starts the workers. */
  readonly started: boolean;
  readonly utilization: number;
  readonly queueSize: number;
  readonly completed: number;
  readonly runTime: { readonly p50: number; readonly p99: number };
  readonly waitTime: { readonly p50: number; readonly p99: number };
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
  #batches: BatchPool;
  #closed = false;

  private constructor(store: RemoteStore, threads: number, batchStructures: number, batchBuffers: number) {
    this.#store = store;
    this.threads = threads;
    this.#batches = new BatchPool(batchStructures, batchBuffers);
  }

  static async open(options: EngineOptions = {}): Promise<Engine> {
    const threads = positiveInt(options.threads, 'threads', availableParallelism(), 256);
    const batchStructures = positiveInt(options.batchStructures, 'batchStructures', 256);
    const batchBuffers = positiveInt(options.batchBuffers, 'batchBuffers', 4, 64);
    const store = await RemoteStore.open(resolveStoreDir(options.store), options.holo);
    return new Engine(store, threads, batchStructures, batchBuffers);
  }

  /** Starts the worker pool's threads now instead of at the first ingest (a long-running worker wants them ready). */
  startPool(): void {
    this.#open();
    this.#workers();
  }

  /** The worker pool, started on the first ingest so that reads and stats start no threads. */
  #workers(): Piscina {
    if (!this.#pool) {
      this.#pool = new Piscina({ filename: JOBS, minThreads: this.threads, maxThreads: this.threads, idleTimeout: 60_000 });
      this.#pool.on('error', () => {}); // a crashed worker also rejects its task, which is where the error is reported
    }
    return this.#pool;
  }

  /**
   * Ingests a path (file or folder, recursive), bytes, or an (async) iterable of them; yields one result per document
   * with the layer it went to. Documents the layer policy sends to the Vault (by their first 64 KiB and file name) are
   * sealed by the store and never pass through the structure pipeline, so their plaintext never reaches the disk.
   */
  ingest(input: EngineInput, options: EngineIngestOptions = {}): AsyncGenerator<DocumentResult> {
    this.#open();
    const { layer: policy = 'auto', ...rest } = options;
    if (!isAutoPolicy(policy)) resolveLayer(policy); // INVALID now, not mid-ingest
    return this.#ingestRouted(input, policy, rest);
  }

  async *#ingestRouted(input: EngineInput, policy: LayerPolicy, options: IngestOptions): AsyncGenerator<DocumentResult> {
    const store = this.#store;
    const layers = new Map<string, string>();
    // Each document is routed once, on its way in (file name and first 64 KiB). The pipeline writes manifests in input
    // order, one per document it was given, so the layers chosen wait here in that order for their manifests.
    const routes: string[] = [];
    // Sealed Vault results wait for the plain documents before them in the input: results come out in input order.
    const vaulted: Array<{ after: number; result: DocumentResult }> = [];
    let plainCount = 0;
    const sealedBefore = function* (n: number): Generator<DocumentResult> {
      while (vaulted.length > 0 && vaulted[0]!.after <= n) yield vaulted.shift()!.result;
    };
    // The pipeline's store: manifests go in with the layer policy, and each document's layer is noted for its result.
    const routed: Store = {
      putStructures: (batch, digests, parity) => store.putStructures(batch, digests, parity),
      putDocument: async (manifest) => {
        const r = await store.putRoutedDocument(manifest, routes.shift() ?? fail(ErrorCode.STATE, `document ${manifest.id} was not routed`));
        layers.set(r.id, r.layer);
        return r.added;
      },
      getDocument: (id, first, count) => store.getDocument(id, first, count),
      getManifest: (id) => store.getManifest(id),
      has: (id) => store.has(id),
      verify: (ids) => store.verify(ids),
      stats: () => store.stats(),
      close: async () => {}, // the engine owns the store
    };
    const seal = async (bytes: Uint8Array, path?: string): Promise<void> => {
      const r = await store.putVault(bytes);
      vaulted.push({ after: plainCount, result: vaultResult(r.id, bytes.length, r.added, path) });
    };
    // The items that are not for the Vault go on to the pipeline; Vault ones are sealed on the way.
    async function* plain(): AsyncGenerator<IngestItem> {
      for await (const entry of ingestItems(input)) {
        const routed = isRoutedItem(entry) ? entry : undefined;
        const item = routed?.item ?? (entry as IngestItem);
        for await (const doc of item instanceof Uint8Array ? [item] : walk(item)) {
          const layer = routed?.layer ?? (await routeItem(doc, policy));
          if (layer.hasField) {
            routes.push(layer.name);
            plainCount++;
            yield doc;
          } else if (typeof doc === 'string') {
            await seal(await readFile(doc), doc);
          } else {
            await seal(doc);
          }
        }
      }
    }
    const { batchStructures, batchBuffers } = this.#batches;
    const config = { pool: this.#workers(), store: routed, threads: this.threads, batchStructures, batchBuffers, batches: this.#batches };
    let yielded = 0;
    for await (const r of ingestPipeline(config, plain(), options)) {
      yield* sealedBefore(yielded++);
      yield { ...r, layer: (layers.get(r.id) ?? (await store.layerOf(r.id)) ?? null) as DocumentResult['layer'] };
    }
    yield* sealedBefore(Infinity);
  }

  /** Stores one document in the layer the policy picks (default: by content); the API form of `ingest --layer`. */
  async storeWithLayerRouting(data: Uint8Array, layerPolicy: LayerPolicy = 'auto'): Promise<DocumentResult> {
    let result: DocumentResult | undefined;
    for await (const r of this.ingest([data], { layer: layerPolicy, details: false })) result = r;
    return result ?? fail(ErrorCode.STATE, 'the document produced no result');
  }

  /** The document's bytes through its layer's field: clean-up per chunk (margin, misses counted in ber), then verified. */
  async retrieveFromLayer(id: string, layer?: string | number): Promise<LayerRecall> {
    this.#open();
    return this.#store.retrieveFromLayer(requireStoredId(id), layer);
  }

  /**
   * The stored structure a noisy cue (a structure's payload with a few bytes changed) came from, with its margin and
   * its verified payload bytes; INVALID when no structure wins by margin τ. Searches every field layer, or `layer`.
   */
  async recallByCue(cue: Uint8Array, layer?: string | number): Promise<CueRecall> {
    this.#open();
    return this.#store.recallByCue(cue, layer);
  }

  /** Resolves once every stored document's pairs are bound into their layer fields (binding runs behind ingest). */
  async bound(): Promise<void> {
    this.#open();
    return this.#store.bound();
  }

  /** {layers: one spec §4 entry per layer, summary}; `settle` waits for background binding so every layer is probed. */
  async getLayerStats(options: { settle?: boolean } = {}): Promise<LayerReport> {
    this.#open();
    return this.#store.getLayerStats(options);
  }

  /** Recomputes D_k from the current loads (optionally a new total M), re-binds and swaps the fields atomically. */
  async rebalanceLayers(options: { totalFloats?: number } = {}): Promise<RebalanceReport> {
    this.#open();
    return this.#store.rebalanceLayers(options);
  }

  /** The document's exact bytes, every structure and the document hash verified (Vault documents decrypted). */
  async get(id: string): Promise<Uint8Array> {
    this.#open();
    return this.#store.getDocument(requireStoredId(id));
  }

  /** Streams the document in verified chunks; throws WITNESS at the end if the whole does not hash to its id. */
  async *read(id: string): AsyncGenerator<Uint8Array> {
    this.#open();
    if (isVaultId(requireStoredId(id))) {
      yield await this.#store.getDocument(id); // verified against the witness inside its sealed manifest
      return;
    }
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
    return this.#store.has(requireStoredId(id));
  }

  /** Verifies the given documents, or every stored document when none are given. */
  async verify(ids?: string | readonly string[]): Promise<VerifyReport[]> {
    this.#open();
    const list = ids === undefined ? [] : typeof ids === 'string' ? [ids] : ids;
    return this.#store.verify(list.map((id) => requireStoredId(id)));
  }

  /** Store counts plus the layer telemetry (`settle`: wait for background binding first). */
  async stats(options: { settle?: boolean } = {}): Promise<EngineStats> {
    this.#open();
    const { layers, summary } = await this.#store.getLayerStats(options);
    return { ...(await this.#store.stats()), threads: this.threads, layers, holo: summary };
  }

  /** A stored document's manifest and layer (undefined when absent); Vault documents have no manifest here. */
  async describe(id: string): Promise<{ layer: string; manifest?: DocumentManifest } | undefined> {
    this.#open();
    const stored = requireStoredId(id);
    const layer = await this.#store.layerOf(stored);
    if (layer === undefined) return undefined;
    if (isVaultId(stored)) return { layer };
    const manifest = await this.#store.getManifest(stored);
    return manifest ? { layer, manifest } : { layer };
  }

  /** The worker pool's health (all zero before the first ingest starts it); times in milliseconds. */
  poolStats(): PoolStats {
    const pool = this.#pool;
    if (!pool) return { threads: this.threads, started: false, utilization: 0, queueSize: 0, completed: 0, runTime: { p50: 0, p99: 0 }, waitTime: { p50: 0, p99: 0 } };
    const { runTime, waitTime } = pool.histogram;
    return {
      threads: this.threads, started: true, utilization: pool.utilization, queueSize: pool.queueSize, completed: pool.completed,
      runTime: { p50: runTime.p50, p99: runTime.p99 }, waitTime: { p50: waitTime.p50, p99: waitTime.p99 },
    };
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

/** A document id: 64 hex characters (SHA-256 of the content) or 32 (a keyed Vault id). */
function requireStoredId(id: string): string {
  return typeof id === 'string' && isVaultId(id) ? id : requireDocumentId(id);
}

async function* ingestItems(input: EngineInput): AsyncGenerator<IngestItem | RoutedItem> {
  if (typeof input === 'string' || input instanceof Uint8Array) yield input;
  else if (input !== null && typeof input === 'object' && (Symbol.asyncIterator in input || Symbol.iterator in input)) yield* input;
  else fail(ErrorCode.INVALID, 'ingest input must be a path, a Uint8Array, or an (async) iterable of them or of {item, layer}');
}

/** What ingest reports for a sealed Vault document: no content-derived field (hash, histogram) leaves the store. */
function vaultResult(id: string, length: number, stored: boolean, path?: string): DocumentResult {
  return {
    ...(path === undefined ? {} : { path }),
    id, length, structures: structureCount(length), layer: 'vault', stored, histogram: [], dominantClass: -1,
    witness: { algo: 'sha256', len: length, sha256: '', residue: 0, createdAt: Date.now() },
  };
}
