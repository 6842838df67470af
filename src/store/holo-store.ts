import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { Database } from 'lmdb';
import { ErrorCode, fail } from '../errors.js';
import { PAYLOAD_SIZE, payloadLength, storedCopy, structureCount } from '../framing/structure.js';
import { allocateDimensions, capacityState, DEFAULT_HEADROOM, requirePolicy, type CapacityPolicy, type CapacityState, type Eviction } from '../holo/allocation.js';
import { FIELD_LAYERS, LAYERS, VAULT, resolveLayer, type LayerName } from '../holo/layers.js';
import { decodeStripe, DEFAULT_GROUP_SIZE, decodeRecord, documentParity, encodeRecord, encodeStripe, GROUP_PARITY_VERSION, parityDigest, type MemberKind } from '../holo/group-parity.js';
import { sha256 } from '../l2/witness.js';
import { DEFAULT_MARGIN } from '../holo/probe.js';
import { isAutoPolicy, routeToLayer, type LayerPolicy } from '../holo/routing.js';
import type { LayerStats } from '../holo/telemetry.js';
import { loadVaultKey } from '../holo/vault.js';
import { STRUCTURE_SIZE } from '../l3/phi.js';
import { requireBytes } from '../validate.js';
import { DIGEST_SIZE, requireDocumentId } from './check.js';
import { CueIndex, type CueDocument, type CueHeader, type CueRecall } from './cue-index.js';
import { readContainer, writeContainer } from './field-container.js';
import { BindPool } from './bind-pool.js';
import { HoloIndex, refuseEvicted, type BoundItem } from './holo-index.js';
import { recallFromLayer } from './layer-recall.js';
import { verifyRebound } from './rebalance-check.js';
import { layerReport } from './layer-report.js';
import { LmdbStore, type AddedStructure } from './lmdb-store.js';
import { emptyCounters, groupRebuild, parityOf, repairStructure, splitParity, type LayerCounters } from './structure-repair.js';
import type { DocumentManifest, StoreStats, VerifyReport } from './store.js';
import { isVaultId, openDocument, sealDocument, vaultChunkAddresses, vaultDocumentId, type StoredVaultManifest } from './vault-documents.js';

/** Routing looks at a document's first 64 KiB (the engine routes on the same prefix before choosing the Vault path). */
export const ROUTING_PREFIX = 65536;
/** Default M: 2^22 floats (16 MiB of float32 fields), room for a 160 MiB document in one spill shard. */
export const DEFAULT_TOTAL_FLOATS = 1 << 22;
const FIELDS_FILE = 'holo-fields.bin';
const CUE_FILE = 'holo-cue.bin';
/** The running total of group parity bytes stored, in the meta database. */
const GROUP_PARITY_BYTES = 'groupParityBytes';
/**
 * Checkpoints are at least this far apart (unless closing or after a rebalance): each writes every field (16 MiB at
 * the default M) and fsyncs, and with binding keeping up a store drained every 256 documents wrote the fields for
 * every 256 small documents. A crash rebinds everything either way (the container's bind digest must match).
 */
const CHECKPOINT_MIN_MS = 5000;
/** How long close() keeps binding queued pairs before it leaves them to the next open. */
const CLOSE_BIND_MS = 2000;
/** Pairs of one field handed to the bind pool at a time. */
const BIND_BATCH = 64;
/** Batches handed to the bind pool and not yet bound, at most. */
const BIND_IN_FLIGHT = 4;
const NO_BYTES = new Uint8Array(0);
/**
 * Binding runs behind the stores on binder threads at the lowest priority, so it takes only the CPU they leave idle
 * (small documents leave most of it: their ingest waits on commits). Where the threads cannot lower their priority,
 * binding starts once no store has come for BIND_IDLE_MS, or when someone waits for it (bound(), a layer read,
 * close), since the binders would otherwise take the CPU the ingest needs. Stores wait while BIND_BACKLOG pairs (option
 * bindBacklog) are queued, so an ingest that outruns the binding cannot leave it behind without bound.
 */
const BIND_IDLE_MS = 100;
const BIND_BACKLOG = 1 << 16;

export interface HoloStoreOptions {
  /** M, the total floats of the six fields, fixed when the store is created (default 2^22); rebalance may change it. */
  readonly totalFloats?: number;
  /** Headroom h of the floors (default 64), fixed when the store is created. */
  readonly headroom?: number;
  /**
   * What a store beyond capacity does (default 'spill'): 'reject' throws CapacityError; 'spill' opens a shard from
   * the reserve; 'evict' unbinds the layer's oldest documents (FIFO by admission) from its last shard until the new
   * one fits, a document larger than the whole shard still throws CapacityError. An evicted document keeps its bytes
   * (getDocument/verify) but leaves the field: retrieveFromLayer refuses it (INVALID), recallByCue no longer finds it,
   * rebalance does not re-bind it, and its layer's `evicted` count says how many documents went (docs/holo-store.md).
   */
  readonly capacityPolicy?: CapacityPolicy;
  /** Clean-up margin τ (default 0.5). */
  readonly margin?: number;
  /**
   * Documents between field checkpoints (default 256; checkpoints are also at least 5 s apart); fields are also saved
   * on close and after a rebalance.
   */
  readonly checkpointEvery?: number;
  /** Vault key file; otherwise ATLAS_VAULT_KEY. */
  readonly vaultKeyFile?: string;
  /** Threads that bind pairs into the fields (default: one per core, at most 8). */
  readonly bindThreads?: number;
  /** Pairs queued for binding at most (default 65,536): stores wait while the binding is this far behind. */
  readonly bindBacklog?: number;
  /** The codebook secret of a new store (default 32 random bytes); tests pin it for reproducible fields. */
  readonly secret?: Uint8Array;
  /**
   * g: each document's structures (a Vault document's sealed chunks) are grouped by g, and each group gets one XOR
   * parity block, so one lost member per group is rebuilt on read (default 8: 1/g more stored bytes); 0 stores none.
   */
  readonly groupSize?: number;
}

/** Store counts plus the group parity bytes stored beside the structures. */
export interface HoloStoreStats extends StoreStats {
  readonly groupParityBytes: number;
}

interface HoloRecord {
  readonly layer: number;
  readonly shard: number;
  readonly length: number;
  /** Admission order within the store (FIFO for eviction); absent in records older than eviction. */
  readonly seq?: number;
  /** Evicted from the field (policy evict): the bytes stay, the pairs are unbound. */
  readonly evicted?: true;
}

interface HoloConfig {
  readonly secret: Buffer;
  readonly totalFloats: number;
  readonly headroom: number;
}

interface ContainerHeader {
  readonly generation: number;
  readonly bindDigest: string;
  readonly layout: number[][];
}

interface StoredVault extends StoredVaultManifest {
  readonly length: number;
}

export interface HoloSummary {
  readonly documents: number;
  readonly vault_documents: number;
  readonly bound_items: number;
  readonly total_floats: number;
  readonly allocated: number;
  readonly reserve: number;
  readonly generation: number;
  readonly capacity_policy: CapacityPolicy;
  readonly headroom: number;
  readonly margin: number;
  /** Pairs recorded but not yet bound (binding runs behind the stores). */
  readonly pending_binds: number;
}

export interface LayerReport {
  readonly layers: LayerStats[];
  readonly summary: HoloSummary;
}

export interface RoutedDocument {
  readonly id: string;
  readonly added: boolean;
  readonly layer: LayerName;
}

export interface LayerRecall {
  readonly bytes: Uint8Array;
  readonly layer: LayerName;
  /** Chunks whose clean-up picked the manifest's digest with margin ≥ τ. */
  readonly hits: number;
  /** Chunks that fell back to the manifest (counted in ber). */
  readonly misses: number;
  readonly minMargin: number | null;
}

export interface RebalanceReport {
  readonly generation: number;
  readonly dimensions: number[];
  readonly reserve: number;
}

export function nonNegative(value: number | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) fail(ErrorCode.INVALID, `${what} must be a non-negative integer, got ${String(value)}`);
  return value;
}

/**
 * The embedded store with the 7-layer holographic index (holo-store.md): every non-Vault document is routed to one
 * layer and its chunks bind key code p_κ(docId, i) to value code c(h) in that layer's field (capacity-checked, spill or
 * reject); every structure carries RS(255,223) parity and reads repair within capacity; Vault documents are sealed
 * with AES-256-GCM under random ids and bind nothing.
 */
export class HoloStore extends LmdbStore {
  #holo: Database<HoloRecord, string>;
  #parity: Database<Buffer, Buffer>;
  /**
   * Group parity blocks by their SHA-256; the parity stripes of structures (version 3) by theirs; the group parity
   * records of Vault documents, and of documents stored before stripes (versions 1 and 2), by document id.
   */
  #groupParity: Database<Buffer, Buffer>;
  #stripes: Database<Buffer, Buffer>;
  #groups: Database<Buffer, string>;
  #groupSize: number;
  #vaultChunks: Database<Buffer, Buffer>;
  #vaults: Database<StoredVault, string>;
  #meta: Database<unknown, string>;
  #config: HoloConfig;
  #index: HoloIndex;
  #policy: CapacityPolicy;
  #margin: number;
  #checkpointEvery: number;
  #vaultKeyFile?: string;
  #sinceCheckpoint = 0;
  #checkpointWaiting = false;
  #lastCheckpoint = -Infinity;
  #inFlight = new Map<string, HoloRecord>();
  /**
   * The shard layout of the last durable saved state, and the layouts in-flight documents wrote with theirs, told
   * apart by the reserve: within a generation the layout changes only by spill shards, each taken from the reserve (a
   * rebalance saves its own state).
   */
  #savedLayout: number;
  #layoutWritten = new Map<string, number>();
  /**
   * Pairs recorded but not yet superposed: binding runs behind the stores, in slices, so ingest never waits on it.
   * sign −1: an evicted pair to take out again.
   */
  #queue: { index: HoloIndex; layer: number; shard: number; item: BoundItem; sign: 1 | -1 }[] = [];
  #queueHead = 0;
  #bindThreads?: number;
  #bindBacklog: number;
  #bindPool?: BindPool;
  #binding?: Promise<void>;
  /** When the last store call came (performance.now()), and the callers waiting in bound(). */
  #lastWrite = 0;
  #waiters = 0;
  /** Ends the binding's wait for stores to pause early (a bound() caller came). */
  #wake?: () => void;
  /** Stores waiting for the backlog to shrink below BIND_BACKLOG: woken after every bind batch. */
  #roomWaiters: Array<() => void> = [];
  #closing = false;
  /** The fields were not loaded (no valid container) and are rebuilt on first need. */
  #stale = false;
  /** Documents stored by this session: close() only spends time binding for them. */
  #stored = 0;
  #pending = FIELD_LAYERS.map(() => 0);
  #rebalancing?: Promise<RebalanceReport>;
  #counters: LayerCounters[] = LAYERS.map(emptyCounters);
  /** Documents evicted from each layer's field. */
  #evicted: number[] = LAYERS.map(() => 0);
  /** Bumped by every eviction: a cue index built before it may still hold an evicted document. */
  #evictions = 0;

  private constructor(path: string, options: HoloStoreOptions) {
    super(path, HoloStore.openRoot(path));
    this.#holo = this.root.openDB<HoloRecord, string>({ name: 'holo' });
    this.#parity = this.root.openDB<Buffer, Buffer>({ name: 'parity', encoding: 'binary', keyEncoding: 'binary' });
    this.#groupParity = this.root.openDB<Buffer, Buffer>({ name: 'group-parity', encoding: 'binary', keyEncoding: 'binary' });
    this.#stripes = this.root.openDB<Buffer, Buffer>({ name: 'parity-stripes', encoding: 'binary', keyEncoding: 'binary' });
    this.#groups = this.root.openDB<Buffer, string>({ name: 'group-manifests', encoding: 'binary' });
    this.#vaultChunks = this.root.openDB<Buffer, Buffer>({ name: 'vault-chunks', encoding: 'binary', keyEncoding: 'binary' });
    this.#vaults = this.root.openDB<StoredVault, string>({ name: 'vault-manifests' });
    this.#meta = this.root.openDB<unknown, string>({ name: 'holo-meta' });
    this.#policy = requirePolicy(options.capacityPolicy ?? 'spill');
    this.#margin = options.margin ?? DEFAULT_MARGIN;
    if (!Number.isFinite(this.#margin) || this.#margin < 0) fail(ErrorCode.INVALID, `margin must be a non-negative number, got ${String(this.#margin)}`);
    this.#checkpointEvery = Math.max(1, nonNegative(options.checkpointEvery, 'checkpointEvery', 256));
    if (options.vaultKeyFile !== undefined) this.#vaultKeyFile = options.vaultKeyFile;
    if (options.bindThreads !== undefined) this.#bindThreads = options.bindThreads;
    this.#bindBacklog = Math.max(1, nonNegative(options.bindBacklog, 'bindBacklog', BIND_BACKLOG));
    this.#groupSize = nonNegative(options.groupSize, 'groupSize', DEFAULT_GROUP_SIZE);
    this.#config = this.#loadConfig(options);
    this.#index = this.#loadIndex();
    this.#savedLayout = this.#index.state.reserve;
  }

  static openHolo(path: string, options: HoloStoreOptions = {}): HoloStore {
    const store = new HoloStore(path, options);
    return store;
  }

  // ---- writing ----

  override async putStructures(batch: Uint8Array, digests: Uint8Array, parity?: Uint8Array): Promise<void> {
    this.#lastWrite = performance.now();
    return super.putStructures(batch, digests, parity);
  }

  /**
   * Queued with the new structures, in the same write batch: their group parity, one stripe of up to g of them at a
   * time (the block, and the stripe record under its SHA-256), and each one's parity record: its RS parity (the
   * caller's, else computed) and its stripe's key.
   */
  protected override structuresAdded(added: readonly AddedStructure[]): Promise<unknown>[] {
    const writes: Promise<unknown>[] = [];
    const g = this.#groupSize > 0 ? this.#groupSize : added.length;
    let parityBytes = 0;
    for (let first = 0; first < added.length; first += g) {
      const stripe = added.slice(first, first + g);
      let key: Buffer | undefined;
      if (this.#groupSize > 0) {
        const { record, blocks } = documentParity('structure', stripe.length, stripe.length, STRUCTURE_SIZE, (i) => stripe[i]!.stored);
        const block = Buffer.from(parityDigest(record, 0));
        const stripeRecord = encodeStripe(block, stripe.map((s) => s.key));
        key = Buffer.from(sha256(stripeRecord));
        if (!this.#groupParity.doesExist(block)) {
          writes.push(this.#groupParity.put(block, blocks[0]!));
          parityBytes += blocks[0]!.length;
        }
        writes.push(this.#stripes.put(key, stripeRecord));
      }
      for (const s of stripe) writes.push(this.#parity.put(s.key, parityOf(s.whole, s.parity, key)));
    }
    if (parityBytes > 0) writes.push(this.root.transaction(() => this.#addParityBytes(parityBytes)));
    return writes;
  }

  /** Inside a write transaction: adds to the running total of group parity bytes stored. */
  #addParityBytes(bytes: number): void {
    void this.#meta.put(GROUP_PARITY_BYTES, ((this.#meta.get(GROUP_PARITY_BYTES) as number | undefined) ?? 0) + bytes);
  }

  override async putDocument(manifest: DocumentManifest): Promise<boolean> {
    return (await this.putRoutedDocument(manifest)).added;
  }

  /**
   * Makes a document visible and binds it into the layer `policy` routes it to (on its first 64 KiB). A store beyond
   * capacity spills or throws CapacityError (BUDGET) before anything becomes visible. The Vault is refused here: its
   * plaintext must never reach the structure store (use putVault).
   */
  async putRoutedDocument(manifest: DocumentManifest, policy: LayerPolicy = 'auto'): Promise<RoutedDocument> {
    while (this.#binding && this.#queue.length - this.#queueHead >= this.#bindBacklog) await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    this.#lastWrite = performance.now();
    const id = requireDocumentId(manifest.id);
    // Only routing by content reads the document's first 64 KiB back, once its structures are committed; an explicit
    // layer needs no bytes.
    const auto = isAutoPolicy(policy);
    if (auto) await this.structuresCommitted();
    let exists: boolean;
    do {
      // A rebalance that starts while this call waits must not miss the document: check again after every wait.
      if (this.#rebalancing) await this.#rebalancing.catch(() => {});
      exists = await this.has(id);
    } while (this.#rebalancing);
    this.#rebuildIfStale();
    const known = this.#inFlight.get(id) ?? this.#holo.get(id);
    if (known || exists) return { id, added: false, layer: LAYERS[known?.layer ?? 1]!.name };
    const count = structureCount(manifest.length);
    if (manifest.structures.length !== count * DIGEST_SIZE) fail(ErrorCode.INVALID, `manifest of ${id} lists ${manifest.structures.length / DIGEST_SIZE} structures, ${count} expected`);
    const layer = routeToLayer({ bytes: auto ? this.#prefix(manifest) : NO_BYTES }, policy);
    if (!layer.hasField) fail(ErrorCode.INVALID, `document ${id} routes to the vault: vault documents are stored with putVault, never as plaintext structures`);
    const index = this.#index;
    const { state, placement, evictions } = index.admit(layer.index, count, this.#policy);
    index.commit(state);
    this.#evict(index, evictions);
    const doc = Buffer.from(id, 'hex');
    const seq = index.add(layer.index, placement.shard, doc, manifest.structures, false);
    const record: HoloRecord = { layer: layer.index, shard: placement.shard, length: manifest.length, seq };
    this.#inFlight.set(id, record);
    let added: boolean;
    try {
      added = await super.putDocument(manifest);
    } catch (err) {
      index.remove(layer.index, placement.shard, doc, manifest.structures);
      throw err;
    } finally {
      if (!added! && this.#inFlight.get(id)?.evicted) this.#evicted[layer.index]!--; // evicted, then never committed
      this.#inFlight.delete(id);
      const layout = this.#layoutWritten.get(id);
      this.#layoutWritten.delete(id);
      if (added! && layout !== undefined) this.#savedLayout = layout;
    }
    if (!added) {
      index.remove(layer.index, placement.shard, doc, manifest.structures);
      return { id, added, layer: layer.name };
    }
    this.#counters[layer.index]!.bytes += manifest.length;
    this.#stored++;
    // A later admission may have evicted it while it was committing: then it never enters the field.
    if (index.shardOf(layer.index, id) !== undefined) this.#enqueue(index, layer.index, placement.shard, Array.from({ length: count }, (_, i) => ({ doc, index: i, digest: manifest.structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE) })));
    if (++this.#sinceCheckpoint >= this.#checkpointEvery) this.#checkpointWhenBound();
    return { id, added, layer: layer.name };
  }

  /**
   * Applies an admission's evictions: each document leaves the index (candidates, N_k), its pairs are queued for
   * unbinding behind its own binds, and its layer record is marked evicted. One still committing is only marked in
   * flight: its pairs were not queued, and its record is written evicted when it commits.
   */
  #evict(index: HoloIndex, evictions: readonly Eviction[]): void {
    for (const { layer, shard, id } of evictions) {
      const items = index.evict(layer, shard, id);
      this.#evicted[layer]!++;
      this.#evictions++;
      const inFlight = this.#inFlight.get(id);
      if (inFlight) {
        this.#inFlight.set(id, { ...inFlight, evicted: true });
        continue;
      }
      this.#enqueue(index, layer, shard, items, -1);
      const record = this.#holo.get(id) ?? fail(ErrorCode.STATE, `document ${id} to evict has no layer record`);
      void this.#holo.put(id, { ...record, evicted: true });
    }
  }

  #enqueue(index: HoloIndex, layer: number, shard: number, items: readonly BoundItem[], sign: 1 | -1 = 1): void {
    for (const item of items) this.#queue.push({ index, layer, shard, item, sign });
    this.#pending[layer]! += items.length;
    this.#startBinding();
  }

  #startBinding(): void {
    this.#binding ??= this.#bindQueued().finally(() => {
      this.#binding = undefined;
      this.#wakeRoomWaiters();
    });
  }

  #wakeRoomWaiters(): void {
    for (const wake of this.#roomWaiters.splice(0)) wake();
  }

  /**
   * Binds queued pairs in batches of one field on the bind pool's threads, so stores and reads go on meanwhile. Up to
   * BIND_IN_FLIGHT batches are handed over at once: the pool keeps each bin's pairs in order, and its threads never
   * wait for this thread to prepare the next batch's seeds.
   */
  async #bindQueued(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    const bound = (layer: number, pairs: number): void => {
      this.#pending[layer]! -= pairs;
      this.#wakeRoomWaiters();
    };
    try {
      while (!this.#closing && !failure) {
        if (this.#queueHead >= this.#queue.length) {
          if (inFlight.size === 0) break;
          await Promise.race(inFlight).catch(() => {}); // pairs queued meanwhile are picked up before this returns
          continue;
        }
        await this.#writesPaused();
        const first = this.#queue[this.#queueHead]!;
        let end = this.#queueHead + 1;
        while (end < this.#queue.length && end - this.#queueHead < BIND_BATCH) {
          const next = this.#queue[end]!;
          if (next.index !== first.index || next.layer !== first.layer || next.shard !== first.shard || next.sign !== first.sign) break;
          end++;
        }
        const pairs = end - this.#queueHead;
        // Pairs of a generation a rebalance has replaced are dropped: the new fields were bound from the manifests.
        // Unbinds (rare: evictions) run on this thread, once no bind-pool batch is in flight.
        if (first.index === this.#index && first.sign === -1) {
          await Promise.all(inFlight);
          for (let i = this.#queueHead; i < end; i++) first.index.bindPair(first.layer, first.shard, this.#queue[i]!.item, -1);
          bound(first.layer, pairs);
        } else if (first.index === this.#index) {
          const seeds = new Uint32Array(8 * pairs);
          for (let i = this.#queueHead; i < end; i++) seeds.set(first.index.pairSeeds(first.layer, this.#queue[i]!.item), 8 * (i - this.#queueHead));
          const batch = this.#binders().bind(first.index.shards[first.layer]![first.shard]!.field, seeds);
          inFlight.add(batch);
          batch.then(
            () => (inFlight.delete(batch), bound(first.layer, pairs)),
            (error: unknown) => (inFlight.delete(batch), (failure ??= { error })),
          );
          if (inFlight.size >= BIND_IN_FLIGHT) await Promise.race(inFlight).catch(() => {});
        } else {
          bound(first.layer, pairs);
        }
        this.#queueHead = end;
      }
    } finally {
      await Promise.allSettled(inFlight);
    }
    if (failure) throw failure.error;
    if (this.#queueHead >= this.#queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    }
  }

  #binders(): BindPool {
    return (this.#bindPool ??= new BindPool(this.#bindThreads));
  }

  /** Resolves once every recorded pair is in its field (binding starts now if it was waiting for stores to pause). */
  async bound(): Promise<void> {
    this.#waiters++;
    this.#wake?.();
    try {
      await this.#drained();
    } finally {
      this.#waiters--;
    }
  }

  async #drained(): Promise<void> {
    while (this.#binding) await this.#binding;
  }

  /**
   * Returns at once when the binders run in the background; else waits until stores pause for BIND_IDLE_MS, unless
   * someone waits for the binding or the backlog is full.
   */
  async #writesPaused(): Promise<void> {
    if (await this.#binders().runsInBackground()) return;
    for (;;) {
      const wait = this.#lastWrite + BIND_IDLE_MS - performance.now();
      if (wait <= 0 || this.#waiters > 0 || this.#closing || this.#queue.length - this.#queueHead >= this.#bindBacklog) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /**
   * Checkpoints once the binding has caught up and CHECKPOINT_MIN_MS have passed since the last one (a timer waits
   * out the rest, so a store that goes idle is saved too); one wait at a time, however many stores ask meanwhile.
   */
  #checkpointWhenBound(): void {
    if (this.#checkpointWaiting) return;
    this.#checkpointWaiting = true;
    const early = this.#lastCheckpoint + CHECKPOINT_MIN_MS - performance.now();
    const due = early > 0 ? new Promise<void>((resolve) => setTimeout(resolve, early).unref()) : Promise.resolve();
    void due.then(() => this.#drained()).then(() => {
      this.#checkpointWaiting = false;
      if (this.#closing || this.#sinceCheckpoint < this.#checkpointEvery) return;
      if (this.#queueHead < this.#queue.length) this.#checkpointWhenBound(); // stores came meanwhile
      else this.checkpoint();
    });
  }

  protected override documentAdded(manifest: DocumentManifest): void {
    const record = this.#inFlight.get(manifest.id);
    if (record) void this.#holo.put(manifest.id, record);
    // The saved state gives the shard layout only (item counts are recounted from the records on open), so it is
    // written when a spill shard changed the layout, in the transaction of the first document that may use it.
    const layout = this.#index.state.reserve;
    if (layout !== this.#savedLayout) {
      void this.#meta.put('state', this.#index.state);
      this.#layoutWritten.set(manifest.id, layout);
    }
  }

  /** Seals a document into the Vault (AES-256-GCM per chunk, keyed id, RS parity over the ciphertext); binds nothing. */
  async putVault(bytes: Uint8Array): Promise<RoutedDocument> {
    const key = loadVaultKey(this.#vaultKeyFile === undefined ? {} : { keyFile: this.#vaultKeyFile });
    const id = vaultDocumentId(key, bytes);
    this.fresh();
    if (this.#vaults.doesExist(id)) return { id, added: false, layer: VAULT.name };
    const sealed = sealDocument(key, bytes, id);
    await this.root.transaction(() => {
      for (const { address, sealed: chunk } of sealed.chunks) {
        void this.#vaultChunks.put(address, Buffer.from(chunk));
        void this.#parity.put(address, parityOf(chunk));
      }
      this.#putGroupParity(sealed.id, 'chunk', sealed.chunks.length, sealed.chunks.reduce((m, c) => Math.max(m, c.sealed.length), 0), (i) => sealed.chunks[i]!.sealed);
      void this.#vaults.put(sealed.id, { ...sealed.manifest, sealed: Buffer.from(sealed.manifest.sealed), length: bytes.length });
    });
    await this.root.flushed;
    this.#counters[VAULT.index]!.bytes += bytes.length;
    return { id: sealed.id, added: true, layer: VAULT.name };
  }

  /**
   * Inside a write transaction: the group parity of a Vault document's `count` sealed chunks (ciphertext), each block
   * stored once under its SHA-256, and the document's record of them. (Structures get theirs in stripes: structuresAdded.)
   */
  #putGroupParity(id: string, kind: MemberKind, count: number, maxLength: number, member: (i: number) => Uint8Array): void {
    if (this.#groupSize === 0 || count === 0) return;
    const { record, blocks } = documentParity(kind, count, this.#groupSize, maxLength, member);
    let added = 0;
    blocks.forEach((block, group) => {
      const key = Buffer.from(parityDigest(record, group));
      if (this.#groupParity.doesExist(key)) return;
      void this.#groupParity.put(key, block);
      added += block.length;
    });
    void this.#groups.put(id, encodeRecord(record));
    if (added > 0) this.#addParityBytes(added);
  }

  // ---- reading ----

  override async stats(): Promise<HoloStoreStats> {
    const stats = await super.stats();
    return { ...stats, groupParityBytes: (this.#meta.get(GROUP_PARITY_BYTES) as number | undefined) ?? 0 };
  }

  override async has(id: string): Promise<boolean> {
    if (typeof id === 'string' && isVaultId(id)) {
      this.fresh();
      return this.#vaults.doesExist(id);
    }
    return super.has(id);
  }

  override async getDocument(id: string, first = 0, count?: number): Promise<Uint8Array> {
    if (typeof id !== 'string' || !isVaultId(id)) return super.getDocument(id, first, count);
    const bytes = this.#readVault(id);
    return first === 0 && count === undefined ? bytes : bytes.subarray(first * PAYLOAD_SIZE, count === undefined ? undefined : (first + count) * PAYLOAD_SIZE);
  }

  override async verify(ids?: readonly string[]): Promise<VerifyReport[]> {
    this.fresh();
    const all = ids && ids.length > 0 ? ids : undefined;
    const plain = all ? all.filter((id) => !isVaultId(id)) : undefined;
    const vault = all ? all.filter((id) => isVaultId(id)) : [...this.#vaults.getKeys()];
    const reports = plain === undefined || plain.length > 0 ? await super.verify(plain) : [];
    for (const id of vault) {
      try {
        this.#readVault(id);
        reports.push({ id, ok: true });
      } catch (err) {
        reports.push({ id, ok: false, error: (err as Error).message });
      }
    }
    return reports;
  }

  /** The layer a stored document went to. */
  async layerOf(id: string): Promise<LayerName | undefined> {
    this.fresh();
    if (isVaultId(id)) return this.#vaults.doesExist(id) ? VAULT.name : undefined;
    const record = this.#holo.get(requireDocumentId(id));
    return record ? LAYERS[record.layer]!.name : undefined;
  }

  /**
   * The holographic read (spec §5): for each chunk, unbind its key code and clean up over the layer's candidates; a
   * pick with margin ≥ τ that matches the manifest is a hit, anything else falls back to the manifest's digest and
   * counts in ber. The bytes come from the chunk store, verified and repaired, and the document hash is checked.
   */
  async retrieveFromLayer(id: string, layer?: string | number): Promise<LayerRecall> {
    this.#rebuildIfStale();
    await this.bound();
    this.fresh();
    if (isVaultId(id)) {
      if (layer !== undefined && resolveLayer(layer) !== VAULT) fail(ErrorCode.INVALID, `document ${id} is in the vault, not ${String(layer)}`);
      return { bytes: this.#readVault(id), layer: VAULT.name, hits: 0, misses: 0, minMargin: null };
    }
    const record = this.#holo.get(requireDocumentId(id)) ?? fail(ErrorCode.INVALID, `no holographic document ${id} in the store`);
    const stored = LAYERS[record.layer]!;
    if (layer !== undefined && resolveLayer(layer) !== stored) fail(ErrorCode.INVALID, `document ${id} is in layer ${stored.name}, not ${String(layer)}`);
    if (record.evicted) refuseEvicted(id, stored.name);
    const manifest = (await this.getManifest(id)) ?? fail(ErrorCode.STATE, `document ${id} has a layer record but no manifest`);
    const index = this.#index; // a rebalance swaps the index; this read finishes on the generation it started on
    const shard = index.shardOf(stored.index, id) ?? fail(ErrorCode.STATE, `document ${id} is not bound in layer ${stored.name}`);
    return recallFromLayer(index, stored.index, shard, manifest, this.#margin, this.#counters[stored.index]!, (i, digest) => this.loadStructure(id, i, digest));
  }

  /** A structure checked against its digest; repaired or rebuilt when it does not match or is missing (counted), or refused. */
  protected override loadStructure(id: string, index: number, digest: Uint8Array): Uint8Array {
    return this.#structure(id, index, digest, this.#holo.get(id)?.layer ?? FIELD_LAYERS[1]!.index);
  }

  #structure(id: string, index: number, digest: Uint8Array, layer: number): Uint8Array {
    return this.#repair('structure', digest, layer, `document ${id}: structure ${index}`, (stripe) => {
      const digests = this.storedStructures(id) ?? fail(ErrorCode.STATE, `document ${id} has no manifest`);
      const count = digests.length / DIGEST_SIZE;
      const docDigest = (j: number): Uint8Array => digests.subarray(j * DIGEST_SIZE, (j + 1) * DIGEST_SIZE);
      // A document stored before stripes has a record of its own groups.
      if (stripe === undefined || this.#groups.doesExist(id)) return this.#rebuild(id, index, count, 'structure', docDigest);
      return this.#rebuildFromStripe(stripe, digest, count, docDigest);
    });
  }

  /**
   * The stored bytes under `digest` if they match it; else repaired from their RS parity or, failing that or when
   * missing, rebuilt from their group parity by `rebuild` (given a structure's stripe key, when its parity record has
   * one) (counted), and written back with fresh parity so the damage is healed once rather than repaired on every
   * read; else refused.
   */
  #repair(kind: MemberKind, digest: Uint8Array, layer: number, what: string, rebuild: (stripe?: Uint8Array) => Uint8Array): Uint8Array {
    const key = Buffer.from(digest);
    const stored = this.#parity.get(key);
    const { rs, stripe } = kind === 'structure' ? splitParity(stored) : { rs: stored, stripe: undefined };
    return repairStructure(this.#member(kind, key), digest, rs, this.#counters[layer]!, what, (repaired) => {
      if (kind === 'structure') void this.structureDb.put(key, storedCopy(repaired));
      else void this.#vaultChunks.put(key, Buffer.from(repaired));
      void this.#parity.put(key, parityOf(repaired, undefined, stripe));
    }, () => rebuild(stripe));
  }

  /**
   * A structure rebuilt from its parity stripe (unverified: repairStructure checks it); a failure names the other
   * members by their place in the document (`docDigest` of `count`) where they are in it.
   */
  #rebuildFromStripe(key: Uint8Array, digest: Uint8Array, count: number, docDigest: (j: number) => Uint8Array): Uint8Array {
    const stored = this.#stripes.get(Buffer.from(key)) ?? fail(ErrorCode.WITNESS, 'its parity stripe record is missing');
    const { block, members } = decodeStripe(stored, key);
    const index = members.findIndex((m) => Buffer.from(m).equals(Buffer.from(digest)));
    if (index < 0) fail(ErrorCode.WITNESS, 'its parity stripe record does not list it');
    const place = (j: number): number => {
      for (let i = 0; i < count; i++) if (Buffer.from(docDigest(i)).equals(Buffer.from(members[j]!))) return i;
      return -1;
    };
    return groupRebuild(index, {
      record: { version: GROUP_PARITY_VERSION, groupSize: members.length, parity: block },
      count: members.length, noun: 'structure', digest: (j) => members[j]!,
      raw: (j) => this.#member('structure', Buffer.from(members[j]!)),
      parity: (j) => splitParity(this.#parity.get(Buffer.from(members[j]!))).rs,
      block: (d) => this.#groupParity.get(Buffer.from(d)),
      names: {
        member: (j) => (place(j) < 0 ? `structure ${Buffer.from(members[j]!).toString('hex')} (of another document)` : `structure ${place(j)}`),
        group: () => {
          const places = members.map((_, j) => place(j));
          const contiguous = places.every((p, j) => p >= 0 && p === places[0]! + j);
          return contiguous ? `${places[0]}–${places[places.length - 1]}` : `stripe ${Buffer.from(key).toString('hex')}`;
        },
      },
    });
  }

  /** A whole structure, or a sealed Vault chunk, as stored under `key`; unchecked. */
  #member(kind: MemberKind, key: Buffer): Uint8Array | undefined {
    if (kind === 'chunk') return this.#vaultChunks.get(key);
    return this.rawStructure(key);
  }

  /** Member `index` of document `id` rebuilt from its own group parity record (unverified: repairStructure checks it). */
  #rebuild(id: string, index: number, count: number, kind: MemberKind, digest: (j: number) => Uint8Array): Uint8Array {
    const stored = this.#groups.get(id) ?? fail(ErrorCode.WITNESS, 'no group parity recorded for this document (stored before group parity, or with groupSize 0)');
    return groupRebuild(index, {
      record: decodeRecord(stored, count, `document ${id}`), count, noun: kind, digest,
      raw: (j) => this.#member(kind, Buffer.from(digest(j))),
      parity: (j) => {
        const stored = this.#parity.get(Buffer.from(digest(j)));
        return kind === 'structure' ? splitParity(stored).rs : stored;
      },
      block: (d) => this.#groupParity.get(Buffer.from(d)),
    });
  }

  #readVault(id: string): Uint8Array {
    this.fresh();
    const stored = this.#vaults.get(id) ?? fail(ErrorCode.INVALID, `no document ${id} in the store`);
    const key = loadVaultKey(this.#vaultKeyFile === undefined ? {} : { keyFile: this.#vaultKeyFile });
    return openDocument(key, id, stored, (address, i) => this.#repair('chunk', address, VAULT.index, `vault document ${id}: chunk ${i}`, () => {
      const addresses = vaultChunkAddresses(key, id, stored);
      return this.#rebuild(id, i, addresses.length, 'chunk', (j) => addresses[j]!);
    }));
  }

  // ---- telemetry ----

  /**
   * The spec §4 record per layer, measured (snr_measured and ber from a probe sample), and a store-wide summary. It
   * does not wait for background binding: a layer with pairs still to bind reports snr_measured null and no probe
   * misses until they are in (summary.pending_binds), unless `settle` waits for them.
   */
  async getLayerStats(options: { settle?: boolean } = {}): Promise<LayerReport> {
    this.#rebuildIfStale();
    if (options.settle) await this.bound();
    this.fresh();
    return layerReport({
      index: this.#index, counters: this.#counters, pending: this.#pending, evicted: this.#evicted, margin: this.#margin,
      summary: { documents: this.#holo.getCount(), vault_documents: this.#vaults.getCount(), total_floats: this.#config.totalFloats, capacity_policy: this.#policy, headroom: this.#config.headroom },
    });
  }

  // ---- rebalance and persistence ----

  /**
   * §3.7: recomputes D_k from the current loads (within M, or a new total), re-binds every pair from the manifests
   * into new fields, verifies a probe sample, then swaps atomically with one generation bump. Reads go on against the
   * old fields meanwhile; stores wait for the swap.
   */
  rebalanceLayers(options: { totalFloats?: number } = {}): Promise<RebalanceReport> {
    this.#rebalancing ??= this.#rebalance(options).finally(() => (this.#rebalancing = undefined));
    return this.#rebalancing;
  }

  async #rebalance(options: { totalFloats?: number }): Promise<RebalanceReport> {
    await Promise.resolve(); // let putRoutedDocument calls already running see #rebalancing only after they started
    while (this.#inFlight.size > 0) await yieldTurn();
    this.#rebuildIfStale();
    await this.bound();
    const total = nonNegative(options.totalFloats, 'totalFloats', this.#config.totalFloats);
    const old = this.#index;
    const loads = old.shards.map((shards) => shards.reduce((s, x) => s + x.items.length, 0));
    const allocation = allocateDimensions(total, loads, this.#config.headroom);
    const state = capacityState(allocation, loads, this.#config.headroom);
    const next = new HoloIndex(this.#config.secret, state, old.generation + 1);
    let done = 0;
    for (const [layer, shards] of old.shards.entries()) {
      // Shards merge into one: in admission order, the order eviction takes them in.
      const documents = shards.flatMap((shard) => [...shard.documents.values()]).sort((a, b) => a.seq - b.seq);
      for (const { doc, digests, seq } of documents) {
        next.add(layer, 0, doc, digests, true, seq);
        if (++done % 4 === 0) await yieldTurn();
      }
    }
    verifyRebound(next, state, loads, this.#margin);
    await this.root.transaction(() => {
      for (const { key, value } of this.#holo.getRange()) if (value.shard !== 0) void this.#holo.put(key, { ...value, shard: 0 });
      void this.#meta.put('state', state);
      void this.#meta.put('generation', next.generation);
      if (total !== this.#config.totalFloats) void this.#meta.put('config', { ...this.#config, totalFloats: total });
    });
    await this.root.flushed;
    this.#config = { ...this.#config, totalFloats: total };
    this.#savedLayout = state.reserve;
    this.#index = next;
    this.checkpoint();
    return { generation: next.generation, dimensions: state.layers.map((s) => s[0]!.dimension), reserve: state.reserve };
  }

  /** Writes the fields to their container (temp file, fsync, rename); call only with nothing left to bind. */
  checkpoint(): void {
    if (this.#queueHead < this.#queue.length) fail(ErrorCode.STATE, 'cannot checkpoint while pairs are still being bound');
    const index = this.#index;
    const header: ContainerHeader = { generation: index.generation, bindDigest: index.bindDigest.toString('hex'), layout: index.shards.map((s) => s.map((x) => x.field.dimension)) };
    writeContainer(join(this.path, FIELDS_FILE), header, index.sections());
    this.#sinceCheckpoint = 0;
    this.#lastCheckpoint = performance.now();
  }

  /** Saves the fields when they are complete; with binding still behind, the next open rebuilds them instead. */
  override async close(): Promise<void> {
    try {
      if (this.#rebalancing) await this.#rebalancing.catch(() => {});
      // Binding goes on for a moment if this session stored documents; what is still queued then is rebound on the
      // next open that needs the fields.
      const stop = setTimeout(() => (this.#closing = true), this.#stored > 0 ? CLOSE_BIND_MS : 0);
      await this.bound();
      clearTimeout(stop);
      this.#closing = true;
      if (this.#queueHead >= this.#queue.length && this.#sinceCheckpoint > 0) this.checkpoint();
    } finally {
      await this.#bindPool?.close();
      await super.close();
    }
  }

  #prefix(manifest: DocumentManifest): Uint8Array {
    const length = Math.min(manifest.length, ROUTING_PREFIX);
    const out = new Uint8Array(length);
    for (let i = 0; i * PAYLOAD_SIZE < length; i++) {
      const raw = this.rawStructure(manifest.structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE)) ?? fail(ErrorCode.STATE, `document ${manifest.id}: structure ${i} is not stored`);
      out.set(raw.subarray(0, Math.min(PAYLOAD_SIZE, length - i * PAYLOAD_SIZE)), i * PAYLOAD_SIZE);
    }
    return out;
  }

  #loadConfig(options: HoloStoreOptions): HoloConfig {
    const stored = this.#meta.get('config') as { secret: Uint8Array; totalFloats: number; headroom: number } | undefined;
    if (stored) return { secret: Buffer.from(stored.secret), totalFloats: stored.totalFloats, headroom: stored.headroom };
    const config: HoloConfig = {
      secret: Buffer.from(options.secret ?? randomBytes(32)),
      totalFloats: nonNegative(options.totalFloats, 'totalFloats', DEFAULT_TOTAL_FLOATS),
      headroom: nonNegative(options.headroom, 'headroom', DEFAULT_HEADROOM),
    };
    const state = capacityState(allocateDimensions(config.totalFloats, FIELD_LAYERS.map(() => 0), config.headroom), FIELD_LAYERS.map(() => 0), config.headroom);
    this.root.transactionSync(() => {
      this.#meta.putSync('config', config);
      this.#meta.putSync('state', state);
      this.#meta.putSync('generation', 0);
    });
    return config;
  }

  /** Rebuilds the index from the layer records and manifests; ψ comes from the container when it matches, else re-binds. */
  #loadIndex(): HoloIndex {
    const saved = this.#meta.get('state') as CapacityState;
    const generation = this.#meta.get('generation') as number;
    // Item counts are recounted from the records: the saved state may count a store that never committed.
    const counts = saved.layers.map((shards) => shards.map(() => 0));
    const records: [string, HoloRecord, Uint8Array][] = [];
    for (const { id, structures } of this.manifestEntries()) {
      const record = this.#holo.get(id);
      if (!record) continue;
      if (record.evicted) {
        this.#evicted[record.layer]!++;
        this.#counters[record.layer]!.bytes += record.length;
        continue;
      }
      // Two processes storing into one directory each keep their own shard layout; the last saved one may lack a shard.
      if (counts[record.layer]?.[record.shard] === undefined) fail(ErrorCode.STATE, `document ${id} is bound to shard ${record.shard} of layer ${record.layer}, which the saved layout lacks (two writers on one store?)`);
      records.push([id, record, structures]);
      counts[record.layer]![record.shard]! += structures.length / DIGEST_SIZE;
      this.#counters[record.layer]!.bytes += record.length;
    }
    for (const { value } of this.#vaults.getRange()) this.#counters[VAULT.index]!.bytes += value.length;
    const state: CapacityState = { ...saved, layers: saved.layers.map((shards, k) => shards.map((s, i) => ({ dimension: s.dimension, items: counts[k]![i]! }))) };
    const index = new HoloIndex(this.#config.secret, state, generation);
    // In admission order with their admission numbers, so eviction stays FIFO across opens without sorting each time
    // (records older than eviction have none: first).
    records.sort(([, a], [, b]) => (a.seq ?? -1) - (b.seq ?? -1));
    for (const [id, record, structures] of records) index.add(record.layer, record.shard, Buffer.from(id, 'hex'), structures, false, record.seq ?? -1);
    let container;
    try {
      container = readContainer<ContainerHeader>(join(this.path, FIELDS_FILE));
    } catch {
      container = undefined; // damaged: the fields are rebuilt from the manifests
    }
    const layout = JSON.stringify(index.shards.map((s) => s.map((x) => x.field.dimension)));
    if (container && container.header.generation === generation && container.header.bindDigest === index.bindDigest.toString('hex') && JSON.stringify(container.header.layout) === layout) {
      index.load(container.sections);
      return index;
    }
    // No valid container: every pair is bound again, in the background like new stores, but only once the fields
    // are needed (a store, a layer recall, telemetry, a rebalance): plain reads never pay for it.
    this.#stale = records.length > 0;
    return index;
  }

  /** Queues the rebuild of fields that were not loaded from a valid container. */
  #rebuildIfStale(): void {
    if (!this.#stale) return;
    this.#stale = false;
    const index = this.#index;
    for (const { layer, shard, item } of index.recorded()) {
      this.#queue.push({ index, layer, shard, item, sign: 1 });
      this.#pending[layer]!++;
    }
    this.#sinceCheckpoint = this.#checkpointEvery;
    this.#startBinding();
    this.#checkpointWhenBound();
  }

  // ---- recall by cue ----

  #cues?: CueIndex;
  #cueUpdate?: Promise<CueIndex>;
  /** #evictions when #cues was started: an index from before an eviction is rebuilt without the evicted. */
  #cuesEpoch = 0;

  /**
   * Recall by noisy cue (issue 5 §3): the cue index is unbound with the cue's content and cleaned up over the candidate
   * keys of every field layer (or of `layer`). A match with margin ≥ τ names the structure (document, index, digest);
   * its payload bytes come from the chunk store, verified (and repaired from parity). A weaker match is refused with
   * INVALID, never guessed. The first call builds the index from the stored structures (saved for later opens), later
   * calls bind only the documents stored since.
   */
  async recallByCue(cue: Uint8Array, layer?: string | number): Promise<CueRecall> {
    requireBytes(cue, 'cue');
    if (cue.length === 0) fail(ErrorCode.INVALID, 'the cue is empty');
    const layers = layer === undefined ? FIELD_LAYERS : [resolveLayer(layer)];
    if (!layers[0]!.hasField) fail(ErrorCode.INVALID, 'the vault binds nothing: recall by cue searches the field layers only');
    let cues: CueIndex, epoch: number;
    do {
      epoch = this.#evictions;
      cues = await this.#updateCues();
    } while (epoch !== this.#evictions);
    const match = cues.match(cue, layers.map((l) => l.index));
    if (match === undefined) fail(ErrorCode.INVALID, `no stored structure matches the cue: ${layer === undefined ? 'the store' : `layer ${layers[0]!.name}`} holds none`);
    if (match.margin < this.#margin) fail(ErrorCode.INVALID, `no stored structure matches the cue: best margin ${match.margin.toFixed(3)} < τ ${this.#margin}`);
    const record = this.#holo.get(match.id) ?? fail(ErrorCode.STATE, `document ${match.id} is in the cue index but has no layer record`);
    const bytes = this.loadStructure(match.id, match.index, match.digest).subarray(0, payloadLength(record.length, match.index));
    return { id: match.id, index: match.index, layer: LAYERS[match.layer]!.name, digest: Buffer.from(match.digest).toString('hex'), score: match.score, margin: match.margin, bytes };
  }

  /** The cue index with every visible document bound: restored from its container or built, then extended (one run at a time). */
  #updateCues(): Promise<CueIndex> {
    const run = async (): Promise<CueIndex> => {
      this.fresh();
      if (this.#cuesEpoch !== this.#evictions) this.#cues = undefined;
      this.#cuesEpoch = this.#evictions;
      const cues = this.#cues ?? this.#restoreCues() ?? new CueIndex(this.#config.secret);
      this.#cues = cues;
      const pending: CueDocument[] = [];
      for (const l of FIELD_LAYERS) {
        for (const shard of this.#index.shards[l.index]!) {
          for (const [id, { digests }] of shard.documents) if (!cues.has(l.index, id) && !this.#inFlight.has(id)) pending.push({ layer: l.index, id, digests });
        }
      }
      for (const [n, document] of pending.entries()) {
        cues.add(document, (digest, i) => this.#structure(document.id, i, digest, document.layer));
        if (n % 8 === 7) await yieldTurn();
      }
      if (pending.length > 0) writeContainer(join(this.path, CUE_FILE), cues.header(), cues.sections());
      return cues;
    };
    const next = (this.#cueUpdate ?? Promise.resolve()).then(run, run);
    this.#cueUpdate = next;
    return next;
  }

  #restoreCues(): CueIndex | undefined {
    let container;
    try {
      container = readContainer<CueHeader>(join(this.path, CUE_FILE));
    } catch {
      return undefined; // damaged: rebuilt from the stored structures
    }
    if (!container) return undefined;
    const digestsOf = (layer: number, id: string): Uint8Array | undefined => {
      const shards = this.#index.shards[layer];
      for (const shard of shards ?? []) {
        const entry = shard.documents.get(id);
        if (entry) return entry.digests;
      }
      return undefined;
    };
    return CueIndex.restore(this.#config.secret, container.header, container.sections, digestsOf);
  }
}
