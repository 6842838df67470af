import type { Witness } from '../l2/witness.js';

/** What a document is made of: written last, after all its structures are durable. */
export interface DocumentManifest {
  /** SHA-256 hex of the document bytes. */
  readonly id: string;
  readonly length: number;
  /** The structures' SHA-256 digests in order, 32 bytes each. */
  readonly structures: Uint8Array;
  readonly witness: Witness;
}

export interface StoreStats {
  readonly path: string;
  readonly documents: number;
  readonly structures: number;
  /** Sum of the stored documents' lengths. */
  readonly documentBytes: number;
  /** Bytes of distinct structures (12,288 each). */
  readonly structureBytes: number;
}

export interface VerifyReport {
  readonly id: string;
  readonly ok: boolean;
  /** The failure, as an AtlasError message, when not ok. */
  readonly error?: string;
}

/**
 * The durable, content-addressed document store. Implementations: LmdbStore (embedded); a Redis backend and the
 * holographic layers slot in behind this interface. Reads verify every structure's SHA-256 and the document hash and
 * throw an AtlasError instead of returning a wrong byte.
 */
export interface Store {
  /**
   * Stores structures (consecutive 12,288-byte runs of `batch`) under their SHA-256 digests. The caller may reuse
   * `batch` once it returns; this store's later calls see them (the embedded store commits them with its next write
   * batch); durable no later than the next putDocument's return. `parity`, when given, holds each structure's RS
   * parity (ECC_PARITY_BYTES each, as parityOf computes it: the engine's workers do), for a store that keeps RS
   * parity to take rather than compute; a wrong one cannot give wrong bytes (repairs are checked against the digest).
   */
  putStructures(batch: Uint8Array, digests: Uint8Array, parity?: Uint8Array): Promise<void>;
  /** Makes a document visible once all its structures are stored; false when it was already there. */
  putDocument(manifest: DocumentManifest): Promise<boolean>;
  /** The document's bytes from structure `first` on, `count` structures (default: the whole document, hash checked). */
  getDocument(id: string, first?: number, count?: number): Promise<Uint8Array>;
  getManifest(id: string): Promise<DocumentManifest | undefined>;
  has(id: string): Promise<boolean>;
  /** Verifies the given documents (all when none are given) without returning their bytes. */
  verify(ids?: readonly string[]): Promise<VerifyReport[]>;
  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}
