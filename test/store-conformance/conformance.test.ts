// One suite, every Store implementation: the embedded LMDB store and the shared Redis store must behave alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { open } from 'lmdb';
import { Redis } from 'ioredis';
import { AtlasError, ErrorCode } from '../../src/errors.js';
import { documentId, frameDocument, PAYLOAD_SIZE } from '../../src/framing/index.js';
import { sha256, witnessGenerate } from '../../src/l2/witness.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { HoloStore } from '../../src/store/holo-store.js';
import { LmdbStore } from '../../src/store/lmdb-store.js';
import { RedisHoloStore } from '../../src/store/redis-holo-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { DocumentManifest, Store } from '../../src/store/store.js';
import { seededBytes, tempDir } from '../fixtures/engine/data.js';
import { PrivateRedis } from '../fixtures/queues/redis-server.js';
import { putStructuresOf } from '../fixtures/engine/store.js';

interface Backend {
  readonly name: string;
  open(): Promise<Store>;
  /** Overwrites one stored structure's bytes behind the store's back; returns the store to go on with. */
  corrupt(store: Store, digest: Uint8Array, bytes: Uint8Array): Promise<Store>;
  /** The length of the value stored for a structure (undefined: none), and the store to go on with. */
  storedLength(store: Store, digest: Uint8Array): Promise<[Store, number | undefined]>;
  /** Whether it keeps RS parity and repairs a damaged structure (the holographic stores) instead of refusing it. */
  readonly repairs: boolean;
}

/** Writes one structure straight into an LMDB environment (closed store). */
async function overwrite(path: string, digest: Uint8Array, bytes: Uint8Array): Promise<void> {
  const root = open({ path, compression: false, maxDbs: 16 });
  await root.openDB({ name: 'structures', encoding: 'binary', keyEncoding: 'binary' }).put(Buffer.from(digest), Buffer.from(bytes));
  await root.close();
}

/** The length of one structure's value in an LMDB environment (closed store). */
async function lengthIn(path: string, digest: Uint8Array): Promise<number | undefined> {
  const root = open({ path, compression: false, maxDbs: 16 });
  const value = root.openDB<Buffer, Buffer>({ name: 'structures', encoding: 'binary', keyEncoding: 'binary' }).get(Buffer.from(digest));
  await root.close();
  return value?.length;
}

async function lengthInRedis(prefix: string, digest: Uint8Array): Promise<number | undefined> {
  const client = new Redis(redis.url);
  const value = await client.getBuffer(`${prefix}:s:${Buffer.from(digest).toString('hex')}`);
  client.disconnect();
  return value?.length;
}

async function overwriteInRedis(prefix: string, digest: Uint8Array, bytes: Uint8Array): Promise<void> {
  const client = new Redis(redis.url);
  await client.set(`${prefix}:s:${Buffer.from(digest).toString('hex')}`, Buffer.from(bytes));
  client.disconnect();
}

let redis: PrivateRedis;
const dirs: string[] = [];
let prefixes = 0;

beforeAll(async () => {
  redis = await PrivateRedis.start();
});
afterAll(async () => {
  await redis?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A store in a directory of its own: corrupting closes it, overwrites the structure in LMDB and opens it again. */
function dirBackend(name: string, openAt: (dir: string) => Store & { readonly path: string }, repairs: boolean): Backend {
  return {
    name,
    async open() {
      const dir = tempDir('conformance');
      dirs.push(dir);
      return openAt(dir);
    },
    async corrupt(store, digest, bytes) {
      const path = (store as Store & { readonly path: string }).path;
      await store.close();
      await overwrite(path, digest, bytes);
      return openAt(path);
    },
    async storedLength(store, digest) {
      const path = (store as Store & { readonly path: string }).path;
      await store.close();
      const length = await lengthIn(path, digest);
      return [openAt(path), length];
    },
    repairs,
  };
}

const backends: Backend[] = [
  dirBackend('LmdbStore', (dir) => LmdbStore.open(dir), false),
  {
    name: 'RedisStore',
    open: () => RedisStore.open(redis.url, { prefix: `conf${++prefixes}` }),
    async corrupt(store, digest, bytes) {
      await overwriteInRedis(`conf${prefixes}`, digest, bytes);
      return store;
    },
    storedLength: async (store, digest) => [store, await lengthInRedis(`conf${prefixes}`, digest)],
    repairs: false,
  },
  // Group parity off: this suite checks that a structure beyond repair is refused; holo-conformance covers rebuilding it.
  dirBackend('HoloStore', (dir) => HoloStore.openHolo(dir, { totalFloats: 1 << 16, headroom: 8, groupSize: 0 }), true),
  {
    name: 'RedisHoloStore',
    open: () => RedisHoloStore.openHolo(redis.url, { prefix: `conf${++prefixes}`, totalFloats: 1 << 16, headroom: 8, groupSize: 0 }),
    async corrupt(store, digest, bytes) {
      await overwriteInRedis(`conf${prefixes}`, digest, bytes);
      return store;
    },
    storedLength: async (store, digest) => [store, await lengthInRedis(`conf${prefixes}`, digest)],
    repairs: true,
  },
];

async function code(p: Promise<unknown>): Promise<ErrorCode> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AtlasError);
  return (err as AtlasError).code;
}

describe.each(backends)('$name conformance', (backend) => {
  it('stores a document once and reads it back byte-exact, whole and by structure range', async () => {
    const store = await backend.open();
    try {
      const doc = seededBytes(PAYLOAD_SIZE * 3 + 100, 1);
      const { manifest } = await putStructuresOf(store, doc);
      expect(await store.has(manifest.id)).toBe(false);
      expect(await store.putDocument(manifest)).toBe(true);
      expect(await store.putDocument(manifest)).toBe(false);
      expect(await store.has(manifest.id)).toBe(true);
      expect(Buffer.from(await store.getDocument(manifest.id)).equals(Buffer.from(doc))).toBe(true);
      expect(Buffer.from(await store.getDocument(manifest.id, 1, 2)).equals(Buffer.from(doc.subarray(PAYLOAD_SIZE, 3 * PAYLOAD_SIZE)))).toBe(true);
      expect(Buffer.from(await store.getDocument(manifest.id, 3)).equals(Buffer.from(doc.subarray(3 * PAYLOAD_SIZE)))).toBe(true);
      const back = await store.getManifest(manifest.id);
      expect(back?.length).toBe(doc.length);
      expect(Buffer.from(back!.structures).equals(Buffer.from(manifest.structures))).toBe(true);
      expect(back?.witness.sha256).toBe(manifest.id);
      expect(back?.witness.residue).toBe(manifest.witness.residue);
    } finally {
      await store.close();
    }
  });

  it('keeps a short structure without its zero padding, reads it whole, and reads a whole value an older build wrote', async () => {
    let store = await backend.open();
    try {
      const doc = seededBytes(PAYLOAD_SIZE + 4096, 5); // a full structure, then 4 KiB (its last byte is not 0)
      doc[doc.length - 1] = 1;
      const { manifest, framed } = await putStructuresOf(store, doc);
      await store.putDocument(manifest);
      const digests = [0, 1].map((i) => manifest.structures.subarray(32 * i, 32 * (i + 1)));
      const lengths: (number | undefined)[] = [];
      for (const digest of digests) {
        let length: number | undefined;
        [store, length] = await backend.storedLength(store, digest);
        lengths.push(length);
      }
      expect(lengths).toEqual([STRUCTURE_SIZE, 4096 + 1]);
      expect(Buffer.from(await store.getDocument(manifest.id)).equals(Buffer.from(doc))).toBe(true);
      store = await backend.corrupt(store, digests[1]!, framed.subarray(STRUCTURE_SIZE, 2 * STRUCTURE_SIZE));
      expect(Buffer.from(await store.getDocument(manifest.id)).equals(Buffer.from(doc))).toBe(true);
      expect((await store.verify([manifest.id]))[0]?.ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('shares structures between documents and counts them once; the empty document works', async () => {
    const store = await backend.open();
    try {
      const a = seededBytes(PAYLOAD_SIZE * 2, 2);
      const b = new Uint8Array(PAYLOAD_SIZE * 3);
      b.set(a); // two identical leading structures
      b.fill(7, PAYLOAD_SIZE * 2);
      const empty = new Uint8Array(0);
      for (const doc of [a, b, empty]) await store.putDocument((await putStructuresOf(store, doc)).manifest);
      const stats = await store.stats();
      expect(stats.documents).toBe(3);
      expect(stats.structures).toBe(3);
      expect(stats.documentBytes).toBe(a.length + b.length);
      expect(stats.structureBytes).toBe(3 * STRUCTURE_SIZE);
      expect((await store.getDocument(documentId(empty))).length).toBe(0);
      const reports = await store.verify();
      expect(reports).toHaveLength(3);
      expect(reports.every((r) => r.ok)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('refuses a manifest whose structures are not stored, and bad ids and ranges, with codes', async () => {
    const store = await backend.open();
    try {
      const doc = seededBytes(500, 3);
      const framed = frameDocument(doc);
      const manifest: DocumentManifest = { id: documentId(doc), length: doc.length, structures: sha256(framed), witness: witnessGenerate(doc) };
      expect(await code(store.putDocument(manifest))).toBe(ErrorCode.STATE);
      expect(await store.has(manifest.id)).toBe(false);
      expect(await code(store.putDocument({ ...manifest, structures: new Uint8Array(64) }))).toBe(ErrorCode.INVALID);
      expect(await code(store.getDocument('nope'))).toBe(ErrorCode.INVALID);
      expect(await code(store.getDocument('0'.repeat(64)))).toBe(ErrorCode.INVALID);
      expect(await store.getManifest('0'.repeat(64))).toBeUndefined();
      await store.putStructures(framed, manifest.structures);
      await store.putDocument(manifest);
      expect(await code(store.getDocument(manifest.id, 5))).toBe(ErrorCode.INVALID);
      expect(await code(store.putStructures(framed, new Uint8Array(64)))).toBe(ErrorCode.INVALID);
      expect(await code(store.putStructures(framed, manifest.structures, new Uint8Array(5)))).toBe(ErrorCode.INVALID); // RS parity: 1,792 B each
    } finally {
      await store.close();
    }
  });

  it('detects a corrupted structure on read and in verify (a store with parity repairs what it can first)', async () => {
    let store = await backend.open();
    const doc = seededBytes(PAYLOAD_SIZE + 10, 4);
    const { manifest, framed } = await putStructuresOf(store, doc);
    await store.putDocument(manifest);
    const bad = framed.slice(0, STRUCTURE_SIZE);
    bad[5]! ^= 1;
    store = await backend.corrupt(store, manifest.structures.subarray(0, 32), bad);
    if (backend.repairs) {
      expect(Buffer.from(await store.getDocument(manifest.id)).equals(Buffer.from(doc))).toBe(true);
      bad.fill(0x55, 0, 4000); // far beyond RS(255,223)
      store = await backend.corrupt(store, manifest.structures.subarray(0, 32), bad);
    }
    try {
      expect(await code(store.getDocument(manifest.id))).toBe(ErrorCode.WITNESS);
      expect(Buffer.from(await store.getDocument(manifest.id, 1)).equals(Buffer.from(doc.subarray(PAYLOAD_SIZE)))).toBe(true);
      const [report] = await store.verify([manifest.id]);
      expect(report?.ok).toBe(false);
      expect(report?.error).toMatch(/structure 0/);
    } finally {
      await store.close();
    }
  });
});
