import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { CallPort } from './batched-port.js';
import type { LayerPolicy } from '../holo/routing.js';
import type { HoloStore, HoloStoreOptions, LayerRecall, LayerReport, RebalanceReport, RoutedDocument } from './holo-store.js';
import type { CueRecall } from './cue-index.js';
import type { DocumentManifest, Store, StoreStats, VerifyReport } from './store.js';

const OWNER = join(PACKAGE_ROOT, 'dist', 'src', 'store', 'owner.js');

type Method = keyof HoloStore & string;

/**
 * The store (a HoloStore) in one owner thread; calls cross by comlink, batched per turn (batched-port.ts), errors
 * come back as AtlasErrors. Besides the Store interface it carries the holographic operations (routing, Vault, layer recall,
 * telemetry, rebalance).
 */
export class RemoteStore implements Store {
  #worker: Worker;
  #port: CallPort;

  private constructor(worker: Worker) {
    this.#worker = worker;
    this.#port = new CallPort(worker);
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

  putStructures(batch: Uint8Array, digests: Uint8Array, parity?: Uint8Array): Promise<void> {
    return this.#call('putStructures', batch, digests, parity);
  }
  putDocument(manifest: DocumentManifest): Promise<boolean> {
    return this.#call('putDocument', manifest);
  }
  getDocument(id: string, first?: number, count?: number): Promise<Uint8Array> {
    return this.#call('getDocument', id, first, count);
  }
  getManifest(id: string): Promise<DocumentManifest | undefined> {
    return this.#call('getManifest', id);
  }
  has(id: string): Promise<boolean> {
    return this.#call('has', id);
  }
  verify(ids?: readonly string[]): Promise<VerifyReport[]> {
    return this.#call('verify', ids ? [...ids] : undefined);
  }
  stats(): Promise<StoreStats> {
    return this.#call('stats');
  }
  putRoutedDocument(manifest: DocumentManifest, policy: LayerPolicy): Promise<RoutedDocument> {
    return this.#call('putRoutedDocument', manifest, policy);
  }
  putVault(bytes: Uint8Array): Promise<RoutedDocument> {
    return this.#call('putVault', bytes);
  }
  retrieveFromLayer(id: string, layer?: string | number): Promise<LayerRecall> {
    return this.#call('retrieveFromLayer', id, layer);
  }
  recallByCue(cue: Uint8Array, layer?: string | number): Promise<CueRecall> {
    return this.#call('recallByCue', cue, layer);
  }
  layerOf(id: string): Promise<string | undefined> {
    return this.#call('layerOf', id);
  }
  getLayerStats(options: { settle?: boolean } = {}): Promise<LayerReport> {
    return this.#call('getLayerStats', options);
  }
  bound(): Promise<void> {
    return this.#call('bound');
  }
  rebalanceLayers(options: { totalFloats?: number } = {}): Promise<RebalanceReport> {
    return this.#call('rebalanceLayers', options);
  }

  async close(): Promise<void> {
    try {
      await this.#call('close');
    } finally {
      await this.#worker.terminate();
    }
  }

  #call<T>(method: Method, ...args: unknown[]): Promise<T> {
    return this.#port.call<T>(method, ...args);
  }
}
