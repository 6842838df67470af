import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { ErrorCode, fail } from '../errors.js';
import type { Witness } from '../l2/witness.js';
import { PAYLOAD_SIZE, storedCopy, structureCount, wholeStructure } from '../framing/structure.js';
import { STRUCTURE_SIZE } from '../l3/phi.js';
import { DIGEST_SIZE, parityAt, requireDigest, requireDocumentId, structureBatchCount } from './check.js';
import type { DocumentManifest, Store, StoreStats, VerifyReport } from './store.js';
import { checkedPayload } from './structure-read.js';

export interface RedisStoreOptions {
  /** Key prefix (default 'atlas'); several stores can share one Redis under different prefixes. */
  readonly prefix?: string;
  readonly redis?: RedisOptions;
}

/** Structures fetched or written per round trip. */
const STEP = 64;

// The scripts run atomically, so the counters in the stats hash never disagree with the keys, even when a writer dies.
// ARGV[1] is the count n; KEYS: stats, n structure keys, then (when parity is kept) n parity keys; ARGV: n values, n parities.
const PUT_STRUCTURES = `
local n = tonumber(ARGV[1])
local parity = #KEYS > n + 1
local added = 0
for i = 1, n do
  if redis.call('SET', KEYS[i + 1], ARGV[i + 1], 'NX') then
    added = added + 1
    if parity then redis.call('SET', KEYS[n + 1 + i], ARGV[n + 1 + i]) end
  end
end
if added > 0 then redis.call('HINCRBY', KEYS[1], 'structures', added) end
return added`;

// KEYS: manifest, docs set, stats, structure keys up to KEYS[S]; ARGV: id, length, structures, witness.
const DOCUMENT_CHECK = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 4, S do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    return redis.error_reply('STATE: document ' .. ARGV[1] .. ': structure ' .. (i - 4) .. ' is not stored')
  end
end`;
const DOCUMENT_WRITE = `
redis.call('HSET', KEYS[1], 'length', ARGV[2], 'structures', ARGV[3], 'witness', ARGV[4])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], 'documents', 1)
redis.call('HINCRBY', KEYS[3], 'documentBytes', ARGV[2])`;

const PUT_DOCUMENT = `local S = #KEYS ${DOCUMENT_CHECK} ${DOCUMENT_WRITE}
return 1`;

// PUT_DOCUMENT plus a compare-and-set of a state key (KEYS[S + 1]: expected ARGV[5], new ARGV[6]) and a record
// (field ARGV[1] = ARGV[7] of hash KEYS[S + 2], then any further (field, value) pairs), all or nothing; -1 when the
// state changed since the caller read it.
const PUT_DOCUMENT_CAS = `local S = #KEYS - 2 ${DOCUMENT_CHECK}
if (redis.call('GET', KEYS[S + 1]) or '') ~= ARGV[5] then return -1 end ${DOCUMENT_WRITE}
redis.call('SET', KEYS[S + 1], ARGV[6])
redis.call('HSET', KEYS[S + 2], ARGV[1], ARGV[7])
for i = 8, #ARGV, 2 do redis.call('HSET', KEYS[S + 2], ARGV[i], ARGV[i + 1]) end
return 1`;

/** A document write that also moves a shared state from `expected` to `next` and records `record` under the id. */
export interface StateChange {
  readonly stateKey: string;
  readonly expected: string;
  readonly next: string;
  readonly recordsKey: string;
  readonly record: string;
  /** Other records (id, record) rewritten with it, e.g. the documents its admission evicted. */
  readonly others?: readonly (readonly [string, string])[];
}

interface Scripts {
  atlasPutStructures(numKeys: number, ...args: Array<string | Buffer>): Promise<number>;
  atlasPutDocument(numKeys: number, ...args: Array<string | Buffer>): Promise<number>;
  atlasPutDocumentCas(numKeys: number, ...args: Array<string | Buffer>): Promise<number>;
}

/** Redis URLs are the store locations that are not directories. */
export function isRedisUrl(location: string | undefined): location is string {
  return location !== undefined && /^rediss?:\/\//.test(location);
}

/**
 * The shared store: structures, manifests and the document index in one Redis, written by any number of workers on any
 * number of hosts. Content addressing makes every write idempotent. Durability is Redis's: run it with
 * `appendonly yes` and `appendfsync always` so that an acknowledged write survives a crash (docs/scaling.md).
 */
export class RedisStore implements Store {
  readonly path: string;
  readonly #redis: Redis & Scripts;
  readonly #prefix: string;

  protected constructor(path: string, redis: Redis, prefix: string) {
    this.path = path;
    this.#prefix = prefix;
    redis.defineCommand('atlasPutStructures', { lua: PUT_STRUCTURES });
    redis.defineCommand('atlasPutDocument', { lua: PUT_DOCUMENT });
    redis.defineCommand('atlasPutDocumentCas', { lua: PUT_DOCUMENT_CAS });
    this.#redis = redis as Redis & Scripts;
  }

  static async open(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    return new RedisStore(redactUrl(url), await RedisStore.connect(url, options), options.prefix ?? 'atlas');
  }

  /** Connects (ioredis reconnects by itself; with maxRetriesPerRequest null, calls wait out a Redis restart). */
  protected static async connect(url: string, options: RedisStoreOptions): Promise<Redis> {
    if (!isRedisUrl(url)) fail(ErrorCode.INVALID, `'${url}' is not a redis:// URL`);
    const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, ...options.redis });
    redis.on('error', () => {}); // reconnects are ioredis's job; a failed call reports its own error
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      fail(ErrorCode.STATE, `cannot open the store at ${redactUrl(url)}: ${(err as Error).message}`);
    }
    return redis;
  }

  async putStructures(batch: Uint8Array, digests: Uint8Array, parity?: Uint8Array): Promise<void> {
    const count = structureBatchCount(batch, digests, parity);
    const writes: Promise<number>[] = [];
    for (let at = 0; at < count; at += STEP) {
      const end = Math.min(count, at + STEP);
      const keys: string[] = [this.#key('stats')];
      const values: Buffer[] = [];
      const parityKeys: string[] = [];
      const parities: Buffer[] = [];
      for (let i = at; i < end; i++) {
        const digest = digests.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE);
        keys.push(this.#structureKey(digest));
        // Stored without its zero padding (storedForm), and a copy: the caller may reuse `batch` as soon as this
        // returns, before ioredis has written the bytes out.
        const whole = batch.subarray(i * STRUCTURE_SIZE, (i + 1) * STRUCTURE_SIZE);
        const stored = storedCopy(whole);
        values.push(stored);
        const rs = this.structureParity(whole, digest, stored, parityAt(parity, i));
        if (rs) {
          parityKeys.push(this.parityKey(digest));
          parities.push(rs);
        }
      }
      writes.push(this.#redis.atlasPutStructures(keys.length + parityKeys.length, ...keys, ...parityKeys, String(end - at), ...values, ...parities));
    }
    await Promise.all(writes);
  }

  async putDocument(manifest: DocumentManifest): Promise<boolean> {
    return (await this.writeDocument(manifest)) === 1;
  }

  /** Writes a manifest (1), finds it already stored (0), or with `change` finds the shared state moved on (-1). */
  protected async writeDocument(manifest: DocumentManifest, change?: StateChange): Promise<number> {
    const id = requireDocumentId(manifest.id);
    const count = structureCount(manifest.length);
    if (manifest.structures.length !== count * DIGEST_SIZE) fail(ErrorCode.INVALID, `manifest of ${id} lists ${manifest.structures.length / DIGEST_SIZE} structures, ${count} expected`);
    const keys = [this.#key('m', id), this.#key('docs'), this.#key('stats')];
    for (let i = 0; i < count; i++) keys.push(this.#structureKey(manifest.structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE)));
    const args = [id, String(manifest.length), Buffer.from(manifest.structures), JSON.stringify(manifest.witness)];
    try {
      if (!change) return await this.#redis.atlasPutDocument(keys.length, ...keys, ...args);
      keys.push(change.stateKey, change.recordsKey);
      return await this.#redis.atlasPutDocumentCas(keys.length, ...keys, ...args, change.expected, change.next, change.record, ...(change.others ?? []).flat());
    } catch (err) {
      const m = /^STATE: (.*)$/s.exec((err as Error).message);
      if (m) fail(ErrorCode.STATE, m[1]!);
      throw err;
    }
  }

  async getManifest(id: string): Promise<DocumentManifest | undefined> {
    const fields = await this.#redis.hgetallBuffer(this.#key('m', requireDocumentId(id)));
    if (!fields.length) return undefined;
    const { length, structures, witness } = fields;
    if (!length || !structures || !witness) fail(ErrorCode.STATE, `document ${id}: manifest is corrupt`);
    const n = Number(length.toString());
    if (!Number.isSafeInteger(n) || structures.length !== structureCount(n) * DIGEST_SIZE) fail(ErrorCode.STATE, `document ${id}: manifest is corrupt`);
    return { id, length: n, structures: new Uint8Array(structures), witness: JSON.parse(witness.toString()) as Witness };
  }

  async has(id: string): Promise<boolean> {
    return (await this.#redis.exists(this.#key('m', requireDocumentId(id)))) === 1;
  }

  async getDocument(id: string, first = 0, count?: number): Promise<Uint8Array> {
    const manifest = await this.#requireManifest(id);
    const total = structureCount(manifest.length);
    if (!Number.isInteger(first) || first < 0 || first > total) fail(ErrorCode.INVALID, `structure ${String(first)} is out of range (document has ${total})`);
    const last = Math.min(total, first + (count ?? total));
    const out = new Uint8Array(Math.max(0, Math.min(manifest.length, last * PAYLOAD_SIZE) - first * PAYLOAD_SIZE));
    for (let at = first; at < last; at += STEP) {
      const chunk = await this.#payloads(manifest, at, Math.min(last, at + STEP));
      out.set(chunk, (at - first) * PAYLOAD_SIZE);
    }
    if (first === 0 && last === total) requireDigest(out, Buffer.from(id, 'hex'), `document ${id}`);
    return out;
  }

  async verify(ids?: readonly string[]): Promise<VerifyReport[]> {
    const list = ids && ids.length > 0 ? ids : await this.#redis.smembers(this.#key('docs'));
    const reports: VerifyReport[] = [];
    for (const id of list) {
      try {
        const manifest = await this.#requireManifest(id);
        const total = structureCount(manifest.length);
        const hash = createHash('sha256');
        for (let at = 0; at < total; at += STEP) hash.update(await this.#payloads(manifest, at, Math.min(total, at + STEP)));
        if (hash.digest('hex') !== id) fail(ErrorCode.WITNESS, `document ${id} does not match its SHA-256`);
        reports.push({ id, ok: true });
      } catch (err) {
        reports.push({ id: String(id), ok: false, error: (err as Error).message });
      }
    }
    return reports;
  }

  async stats(): Promise<StoreStats> {
    const s = await this.#redis.hgetall(this.#key('stats'));
    const structures = Number(s.structures ?? 0);
    return { path: this.path, documents: Number(s.documents ?? 0), structures, documentBytes: Number(s.documentBytes ?? 0), structureBytes: structures * STRUCTURE_SIZE };
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  /**
   * RS parity kept beside each new structure, written in the same script; none in the plain store. `whole` and
   * `parity` (its RS parity, when the caller computed it) are the caller's (read them now); `stored` is the structure
   * as stored (storedForm), a copy of this store's own.
   */
  protected structureParity(_whole: Uint8Array, _digest: Uint8Array, _stored: Buffer, _parity?: Uint8Array): Buffer | undefined {
    return undefined;
  }

  /** The stored structures, whole, unchecked; null where absent. */
  protected async rawStructures(digests: readonly Uint8Array[]): Promise<(Buffer | null)[]> {
    const values = digests.length ? await this.#redis.mgetBuffer(...digests.map((d) => this.#structureKey(d))) : [];
    return values.map((v) => v && wholeBuffer(v));
  }

  /** Structures `first`, `first + 1`, ... of document `id` as read, before the digest check (subclasses repair here). */
  protected async repairStructures(_id: string, _first: number, _digests: readonly Uint8Array[], raw: (Buffer | null)[]): Promise<(Buffer | null)[]> {
    return raw;
  }

  protected get redis(): Redis {
    return this.#redis;
  }

  protected key(...parts: string[]): string {
    return this.#key(...parts);
  }

  protected structureKey(digest: Uint8Array): string {
    return this.#structureKey(digest);
  }

  protected parityKey(digest: Uint8Array): string {
    return this.#key('p', hex(digest));
  }

  #key(...parts: string[]): string {
    return [this.#prefix, ...parts].join(':');
  }

  #structureKey(digest: Uint8Array): string {
    return this.#key('s', hex(digest));
  }

  async #requireManifest(id: string): Promise<DocumentManifest> {
    const manifest = await this.getManifest(id);
    if (!manifest) fail(ErrorCode.INVALID, `no document ${id} in the store`);
    return manifest;
  }

  /** Payload bytes of structures [first, last), each verified. */
  async #payloads(manifest: DocumentManifest, first: number, last: number): Promise<Uint8Array> {
    const digest = (i: number) => manifest.structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE);
    const digests = Array.from({ length: last - first }, (_, k) => digest(first + k));
    const values = await this.repairStructures(manifest.id, first, digests, await this.rawStructures(digests));
    const parts = values.map((bytes, k) => checkedPayload(bytes, digests[k]!, manifest.id, manifest.length, first + k));
    return Buffer.concat(parts);
  }
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** The URL without its password, for messages and stats. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** A structure as putStructures stored it (its stored form, or whole), whole. */
export function wholeBuffer(stored: Buffer): Buffer {
  const whole = wholeStructure(stored);
  return whole === stored ? stored : Buffer.from(whole.buffer, whole.byteOffset, whole.length);
}
