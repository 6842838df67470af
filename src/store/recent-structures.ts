/**
 * Structures a store was handed lately, by digest, so that the group parity of the documents that follow need not
 * read them back (from LMDB, or over the network from Redis). Each is taken once; beyond `limit` the oldest are
 * dropped (a structure no document claimed), and a store reads back what is not here.
 */
export class RecentStructures {
  readonly #kept = new Map<string, Uint8Array>();
  readonly #limit: number;

  /** Default: 8,192 structures, 96 MiB. */
  constructor(limit = 8192) {
    this.#limit = limit;
  }

  keep(digest: Uint8Array, bytes: Uint8Array): void {
    this.#kept.set(key(digest), bytes);
    if (this.#kept.size > this.#limit) this.#kept.delete(this.#kept.keys().next().value!);
  }

  take(digest: Uint8Array): Uint8Array | undefined {
    const name = key(digest);
    const bytes = this.#kept.get(name);
    this.#kept.delete(name);
    return bytes;
  }
}

function key(digest: Uint8Array): string {
  return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('latin1');
}
