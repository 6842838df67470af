import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { ErrorCode, fail } from '../errors.js';
import type { Witness } from '../l2/witness.js';
import { PAYLOAD_SIZE, structureCount } from '../framing/structure.js';
import { STRUCTURE_SIZE } from '../l3/phi.js';
import { DIGEST_SIZE, requireDigest, requireDocumentId } from './check.js';
import type { DocumentManifest, Store, StoreStats, VerifyReport } from './store.js';
import { checkedPayload } from './structure-read.js';

export interface RedisStoreOptions {
  /** Key prefix (default 'atlas'); several stores can share one Redis under different prefixes. */
  readonly prefix?: string;
  readonly redis?: RedisOptions;
}

/** Structures fetched or written per round trip. */
const STEP = 64;

// Both scripts run atomically, so the counters in the stats hash never disagree with the keys, even when a writer dies.
const PUT_STRUCTURES = `
local added = 0
for i = 1, #ARGV do
  if redis.call('SET', KEYS[i + 1], ARGV[i], 'NX') then added = added + 1 end
end
if added > 0 then redis.call('HINCRBY', KEYS[1], 'structures', added) end
return added`;

const PUT_DOCUMENT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 4, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    return redis.error_reply('STATE: document ' .. ARGV[1] .. ': structure ' .. (i - 4) .. ' is not stored')
  end
end
redis.call('HSET', KEYS[1], 'length', ARGV[2], 'structures', ARGV[3], 'witness', ARGV[4])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], 'documents', 1)
redis.call('HINCRBY', KEYS[3], 'documentBytes', ARGV[2])
return 1`;

interface Scripts {
  atlasPutStructures(numKeys: number, ...args: Array<string | Buffer>): Promise<number>;
  atlasPutDocument(numKeys: number, ...args: Array<string | Buffer>): Promise<number>;
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

  private constructor(path: string, redis: Redis, prefix: string) {
    this.path = path;
    this.#prefix = prefix;
    redis.defineCommand('atlasPutStructures', { lua: PUT_STRUCTURES });
    redis.defineCommand('atlasPutDocument', { lua: PUT_DOCUMENT });
    this.#redis = redis as Redis & Scripts;
  }

  /** Connects (ioredis reconnects by itself; with maxRetriesPerRequest null, calls wait out a Redis restart). */
  static async open(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
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
    return new RedisStore(redactUrl(url), redis, options.prefix ?? 'atlas');
  }

  async putStructures(batch: Uint8Array, digests: Uint8Array): Promise<void> {
    const count = digests.length / DIGEST_SIZE;
    if (!Number.isInteger(count) || batch.length < count * STRUCTURE_SIZE) fail(ErrorCode.INVALID, 'putStructures: batch and digests disagree');
    const writes: Promise<number>[] = [];
    for (let at = 0; at < count; at += STEP) {
      const end = Math.min(count, at + STEP);
      const keys: string[] = [this.#key('stats')];
      const values: Buffer[] = [];
      for (let i = at; i < end; i++) {
        keys.push(this.#structureKey(digests.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE)));
        // A copy: the caller may reuse `batch` as soon as this returns, before ioredis has written the bytes out.
        values.push(Buffer.from(batch.subarray(i * STRUCTURE_SIZE, (i + 1) * STRUCTURE_SIZE)));
      }
      writes.push(this.#redis.atlasPutStructures(keys.length, ...keys, ...values));
    }
    await Promise.all(writes);
  }

  async putDocument(manifest: DocumentManifest): Promise<boolean> {
    const id = requireDocumentId(manifest.id);
    const count = structureCount(manifest.length);
    if (manifest.structures.length !== count * DIGEST_SIZE) fail(ErrorCode.INVALID, `manifest of ${id} lists ${manifest.structures.length / DIGEST_SIZE} structures, ${count} expected`);
    const keys = [this.#key('m', id), this.#key('docs'), this.#key('stats')];
    for (let i = 0; i < count; i++) keys.push(this.#structureKey(manifest.structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE)));
    try {
      const added = await this.#redis.atlasPutDocument(keys.length, ...keys, id, String(manifest.length), Buffer.from(manifest.structures), JSON.stringify(manifest.witness));
      return added === 1;
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

  #key(...parts: string[]): string {
    return [this.#prefix, ...parts].join(':');
  }

  #structureKey(digest: Uint8Array): string {
    return this.#key('s', Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('hex'));
  }

  async #requireManifest(id: string): Promise<DocumentManifest> {
    const manifest = await this.getManifest(id);
    if (!manifest) fail(ErrorCode.INVALID, `no document ${id} in the store`);
    return manifest;
  }

  /** Payload bytes of structures [first, last), each verified. */
  async #payloads(manifest: DocumentManifest, first: number, last: number): Promise<Uint8Array> {
    const digest = (i: number) => manifest.structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE);
    const keys = Array.from({ length: last - first }, (_, k) => this.#structureKey(digest(first + k)));
    const values = keys.length ? await this.#redis.mgetBuffer(...keys) : [];
    const parts = values.map((bytes, k) => checkedPayload(bytes, digest(first + k), manifest.id, manifest.length, first + k));
    return Buffer.concat(parts);
  }
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
