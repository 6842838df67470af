import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { PACKAGE_ROOT } from '../package-root.js';
import { reviveError } from './check.js';
import type { LayerPolicy } from '../holo/routing.js';
import type { HoloStore, HoloStoreOptions, LayerRecall, LayerReport, RebalanceReport, RoutedDocument } from './holo-store.js';
import type { CueRecall } from './cue-index.js';
import type { DocumentManifest, Store, StoreStats, VerifyReport } from './store.js';

const OWNER = join(PACKAGE_ROOT, 'dist', 'src', 'store', 'owner.js');

/**
 * The store (a HoloStore) in one owner thread; calls cross by comlink, errors come back as AtlasErrors. Besides the
 * Store interface it carries the holographic operations (routing, Vault, layer recall, telemetry, rebalance).
 */
export class RemoteStore implements Store {
  #worker: Worker;
  #remote: Comlink.Remote<HoloStore>;

  private constructor(worker: Worker) {
    this.#worker = worker;
    this.#remote = Comlink.wrap<HoloStore>(nodeEndpoint(worker));
  }

  /** Starts the owner thread on `dir` and waits until the store answers. */
  static async open(dir: string, options: HoloStoreOptions = {}): Promise<RemoteStore> {
    const store = new RemoteStore(new Worker(OWNER, { workerData: { dir, options } }));
    try {
      await store.has('0'.repeat(64)); // a cheap first call: it fails if the owner could not open the store
    } catch (err) {
      await store.#worker.terminate();
      throw err;
    }
    return store;
  }

  putStructures(batch: Uint8Array, digests: Uint8Array): Promise<void> {
    return this.#call(() => this.#remote.putStructures(batch, digests));
  }
  putDocument(manifest: DocumentManifest): Promise<boolean> {
    return this.#call(() => this.#remote.putDocument(manifest));
  }
  getDocument(id: string, first?: number, count?: number): Promise<Uint8Array> {
    return this.#call(() => this.#remote.getDocument(id, first, count));
  }
  getManifest(id: string): Promise<DocumentManifest | undefined> {
    return this.#call(() => this.#remote.getManifest(id));
  }
  has(id: string): Promise<boolean> {
    return this.#call(() => this.#remote.has(id));
  }
  verify(ids?: readonly string[]): Promise<VerifyReport[]> {
    return this.#call(() => this.#remote.verify(ids ? [...ids] : undefined));
  }
  stats(): Promise<StoreStats> {
    return this.#call(() => this.#remote.stats());
  }
  putRoutedDocument(manifest: DocumentManifest, policy: LayerPolicy): Promise<RoutedDocument> {
    return this.#call(() => this.#remote.putRoutedDocument(manifest, policy));
  }
  putVault(bytes: Uint8Array): Promise<RoutedDocument> {
    return this.#call(() => this.#remote.putVault(bytes));
  }
  retrieveFromLayer(id: string, layer?: string | number): Promise<LayerRecall> {
    return this.#call(() => this.#remote.retrieveFromLayer(id, layer));
  }
  recallByCue(cue: Uint8Array, layer?: string | number): Promise<CueRecall> {
    return this.#call(() => this.#remote.recallByCue(cue, layer));
  }
  layerOf(id: string): Promise<string | undefined> {
    return this.#call(() => this.#remote.layerOf(id));
  }
  getLayerStats(options: { settle?: boolean } = {}): Promise<LayerReport> {
    return this.#call(() => this.#remote.getLayerStats(options));
  }
  bound(): Promise<void> {
    return this.#call(() => this.#remote.bound());
  }
  rebalanceLayers(options: { totalFloats?: number } = {}): Promise<RebalanceReport> {
    return this.#call(() => this.#remote.rebalanceLayers(options));
  }

  async close(): Promise<void> {
    try {
      await this.#call(() => this.#remote.close());
    } finally {
      this.#remote[Comlink.releaseProxy]();
      await this.#worker.terminate();
    }
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw reviveError(err);
    }
  }
}
