import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import { ErrorCode, fail } from '../errors.js';
import type { Witness } from '../l2/witness.js';
import { PAYLOAD_SIZE, storedCopy, structureCount, wholeStructure } from '../framing/structure.js';
import { sealedPayload } from './structure-read.js';
import { STRUCTURE_SIZE } from '../l3/phi.js';
import { DIGEST_SIZE, parityAt, requireDigest, requireDocumentId, structureBatchCount } from './check.js';
import type { DocumentManifest, Store, StoreStats, VerifyReport } from './store.js';

interface StoredManifest {
  length: number;
  structures: Uint8Array;
}

/** Structures read per step when a whole document is streamed through verification (bounded memory). */
const READ_STEP = 256;
const DOCUMENT_BYTES = 'documentBytes';

/**
 * A structure putStructures queued. `whole` and `parity` (its RS parity, when the caller computed it) are the caller's:
 * read them during the call; `stored` (the structure in the form it is stored in) is the store's own copy.
 */
export interface AddedStructure {
  readonly key: Buffer;
  readonly whole: Uint8Array;
  readonly stored: Buffer;
  readonly parity: Uint8Array | undefined;
}

/** The embedded store: one LMDB environment with structures (by digest), manifests and witnesses (by document id). */
export class LmdbStore implements Store {
  readonly path: string;
  protected readonly root: RootDatabase;
  #structures: Database<Buffer, Buffer>;
  #manifests: Database<StoredManifest, string>;
  #witnesses: Database<Witness, string>;
  /** Running totals kept in the transactions that change them, so stats() reads no manifest. */
  #totals: Database<number, string>;
  /** The commit of the structures putStructures queued last. */
  #queued: Promise<void> = Promise.resolve();

  protected constructor(path: string, root: RootDatabase) {
    this.path = path;
    this.root = root;
    this.#structures = root.openDB<Buffer, Buffer>({ name: 'structures', encoding: 'binary', keyEncoding: 'binary' });
    this.#manifests = root.openDB<StoredManifest, string>({ name: 'manifests' });
    this.#witnesses = root.openDB<Witness, string>({ name: 'witnesses' });
    this.#totals = root.openDB<number, string>({ name: 'totals' });
    if (this.#totals.get(DOCUMENT_BYTES) === undefined) {
      // A store from before the totals: summed once, in a write transaction so that concurrent openers agree.
      root.transactionSync(() => {
        if (this.#totals.get(DOCUMENT_BYTES) !== undefined) return;
        let bytes = 0;
        for (const { value } of this.#manifests.getRange()) bytes += value.length;
        this.#totals.putSync(DOCUMENT_BYTES, bytes);
      });
    }
  }

  static open(path: string): LmdbStore {
    return new LmdbStore(path, LmdbStore.openRoot(path));
  }

  protected static openRoot(path: string): RootDatabase {
    try {
      mkdirSync(path, { recursive: true });
      return open({ path, compression: false, maxDbs: 16 });
    } catch (err) {
      fail(ErrorCode.STATE, `cannot open the store at ${path}: ${(err as Error).message}`);
    }
  }

  async putStructures(batch: Uint8Array, digests: Uint8Array, parity?: Uint8Array): Promise<void> {
    const count = structureBatchCount(batch, digests, parity);
    // Queued for lmdb's next write batch rather than committed here, so the documents that follow share one commit and
    // one flush with their structures. lmdb keeps each value until it commits (and takes no SharedArrayBuffer views),
    // so each structure is copied once, in its stored form (storedForm: without its zero padding), and the caller may
    // reuse `batch` once this returns. Writes apply in order: this store's later transactions see them; putDocument's
    // flush makes them durable.
    const keys = Buffer.from(digests);
    const writes: Promise<unknown>[] = [];
    const added: AddedStructure[] = [];
    for (let i = 0; i < count; i++) {
      const key = keys.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE);
      if (this.#structures.doesExist(key)) continue; // one queued but not yet committed is written again: same bytes
      const whole = batch.subarray(i * STRUCTURE_SIZE, (i + 1) * STRUCTURE_SIZE);
      const stored = storedCopy(whole);
      writes.push(this.#structures.put(key, stored));
      added.push({ key, whole, stored, parity: parityAt(parity, i) });
    }
    if (added.length > 0) writes.push(...this.structuresAdded(added));
    // A failed write surfaces as putDocument's "structure i is not stored".
    this.#queued = Promise.all(writes).then(() => {}, () => {});
  }

  /** Resolves once the structures queued by putStructures so far are committed (readable through snapshots). */
  protected async structuresCommitted(): Promise<void> {
    await this.#queued;
    this.fresh();
  }

  async putDocument(manifest: DocumentManifest): Promise<boolean> {
    const id = requireDocumentId(manifest.id);
    const count = structureCount(manifest.length);
    if (manifest.structures.length !== count * DIGEST_SIZE) fail(ErrorCode.INVALID, `manifest of ${id} lists ${manifest.structures.length / DIGEST_SIZE} structures, ${count} expected`);
    const stored: StoredManifest = { length: manifest.length, structures: Buffer.from(manifest.structures) };
    const added = await this.root.transaction(() => {
      if (this.#manifests.doesExist(id)) return false;
      for (let i = 0; i < count; i++) {
        if (!this.#structures.doesExist(Buffer.from(stored.structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE)))) {
          fail(ErrorCode.STATE, `document ${id}: structure ${i} is not stored`);
        }
      }
      void this.#witnesses.put(id, manifest.witness);
      void this.#manifests.put(id, stored);
      void this.#totals.put(DOCUMENT_BYTES, (this.#totals.get(DOCUMENT_BYTES) ?? 0) + manifest.length);
      this.documentAdded(manifest);
      return true;
    });
    await this.root.flushed; // visible is not enough: return only once the manifest is on disk
    return added;
  }

  async getManifest(id: string): Promise<DocumentManifest | undefined> {
    this.fresh();
    const stored = this.#manifests.get(requireDocumentId(id));
    const witness = this.#witnesses.get(id);
    if (stored === undefined) return undefined;
    if (witness === undefined) fail(ErrorCode.STATE, `document ${id} has no witness`);
    return { id, length: stored.length, structures: stored.structures, witness };
  }

  async has(id: string): Promise<boolean> {
    this.fresh();
    return this.#manifests.doesExist(requireDocumentId(id));
  }

  async getDocument(id: string, first = 0, count?: number): Promise<Uint8Array> {
    this.fresh();
    const manifest = this.#requireManifest(id);
    const total = structureCount(manifest.length);
    if (!Number.isInteger(first) || first < 0 || first > total) fail(ErrorCode.INVALID, `structure ${String(first)} is out of range (document has ${total})`);
    const whole = first === 0 && (count === undefined || count >= total);
    const last = Math.min(total, first + (count ?? total));
    const out = this.#readStructures(id, manifest, first, last);
    if (whole) requireDigest(out, Buffer.from(id, 'hex'), `document ${id}`);
    return out;
  }

  async verify(ids?: readonly string[]): Promise<VerifyReport[]> {
    this.fresh();
    const list = ids && ids.length > 0 ? ids : [...this.#manifests.getKeys()];
    return list.map((id) => {
      try {
        const manifest = this.#requireManifest(id);
        const total = structureCount(manifest.length);
        const hash = createHash('sha256');
        for (let at = 0; at < total; at += READ_STEP) hash.update(this.#readStructures(id, manifest, at, Math.min(total, at + READ_STEP)));
        if (hash.digest('hex') !== id) fail(ErrorCode.WITNESS, `document ${id} does not match its SHA-256`);
        return { id, ok: true };
      } catch (err) {
        return { id: String(id), ok: false, error: (err as Error).message };
      }
    });
  }

  async stats(): Promise<StoreStats> {
    this.fresh();
    const structures = this.#structures.getCount();
    return { path: this.path, documents: this.#manifests.getCount(), structures, documentBytes: this.#totals.get(DOCUMENT_BYTES) ?? 0, structureBytes: structures * STRUCTURE_SIZE };
  }

  async close(): Promise<void> {
    await this.root.close();
  }

  /**
   * Called once by each putStructures call with the structures it queued (not stored before), in order: what belongs
   * with them, queued too (the writes it returns).
   */
  protected structuresAdded(_added: readonly AddedStructure[]): Promise<unknown>[] {
    return [];
  }

  /** Called inside the transaction that makes a document visible: subclasses record what belongs with it. */
  protected documentAdded(_manifest: DocumentManifest): void {}

  /** The stored bytes of a structure, checked against its digest (subclasses may repair them). */
  protected loadStructure(id: string, index: number, digest: Uint8Array): Uint8Array {
    const bytes = this.rawStructure(digest);
    if (bytes === undefined) fail(ErrorCode.STATE, `document ${id}: structure ${index} is missing from the store`);
    requireDigest(bytes, digest, `document ${id}: structure ${index}`);
    return bytes;
  }

  /** The structures by digest, in their stored form (storedForm), for subclasses that write verified bytes back (repairs). */
  protected get structureDb(): Database<Buffer, Buffer> {
    return this.#structures;
  }

  /** The whole structure under `digest` as stored, unchecked; undefined when absent. */
  protected rawStructure(digest: Uint8Array): Uint8Array | undefined {
    const stored = this.#structures.get(Buffer.from(digest));
    return stored === undefined ? undefined : wholeStructure(stored);
  }

  /** A stored manifest's structure digests (32 bytes each); undefined when there is none. */
  protected storedStructures(id: string): Uint8Array | undefined {
    return this.#manifests.get(id)?.structures;
  }

  /** Stored manifests, in id order. */
  protected *manifestEntries(): Generator<{ id: string; length: number; structures: Uint8Array }> {
    for (const { key, value } of this.#manifests.getRange()) yield { id: key, length: value.length, structures: value.structures };
  }

  /** Payload bytes of structures [first, last) of a stored document, each verified. */
  protected readPayload(id: string, first: number, last: number): Uint8Array {
    return this.#readStructures(id, this.#requireManifest(id), first, last);
  }

  /** lmdb-js keeps a read snapshot until the next event-loop turn; a read must see what other processes committed. */
  protected fresh(): void {
    this.root.resetReadTxn();
  }

  #requireManifest(id: string): StoredManifest {
    const stored = this.#manifests.get(requireDocumentId(id));
    if (stored === undefined) fail(ErrorCode.INVALID, `no document ${id} in the store`);
    if (stored.structures.length !== structureCount(stored.length) * DIGEST_SIZE) fail(ErrorCode.STATE, `document ${id}: manifest is corrupt`);
    return stored;
  }

  /** Payload bytes of structures [first, last), each checked against its digest and for conservation and padding. */
  #readStructures(id: string, manifest: StoredManifest, first: number, last: number): Uint8Array {
    const end = Math.min(manifest.length, last * PAYLOAD_SIZE);
    const out = new Uint8Array(Math.max(0, end - first * PAYLOAD_SIZE));
    for (let i = first; i < last; i++) {
      const digest = manifest.structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE);
      out.set(sealedPayload(this.loadStructure(id, i, digest), id, manifest.length, i), (i - first) * PAYLOAD_SIZE);
    }
    return out;
  }
}
