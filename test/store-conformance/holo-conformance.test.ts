// One holographic suite for the embedded HoloStore and the Redis one: routing, exact layer recall (Vault included),
// capacity reject and spill, RS repair of a corrupted structure, group parity rebuilding lost ones, telemetry.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { Redis } from 'ioredis';
import { type AtlasError, ErrorCode } from '../../src/errors.js';
import { documentId, frameDocument } from '../../src/framing/index.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { PAYLOAD_SIZE } from '../../src/framing/structure.js';
import { ECC_DEPTH, ECC_PARITY_BYTES } from '../../src/holo/ecc.js';
import { FIELD_LAYERS, LAYERS } from '../../src/holo/layers.js';
import { LAYER_STATS_KEYS } from '../../src/holo/telemetry.js';
import { VAULT_IV_BYTES, VAULT_TAG_BYTES } from '../../src/holo/vault.js';
import { HoloStore, type HoloStoreOptions } from '../../src/store/holo-store.js';
import { RedisHoloStore } from '../../src/store/redis-holo-store.js';
import { seededBytes } from '../fixtures/engine/data.js';
import { PrivateRedis } from '../fixtures/queues/redis-server.js';
import { cleanDirs, newDir, putDoc, VAULT_KEY_HEX } from '../store/holo-helpers.js';

type HoloLike = HoloStore | RedisHoloStore;

interface HoloBackend {
  readonly name: string;
  open(options: HoloStoreOptions): Promise<HoloLike>;
  /** Overwrites one stored structure behind the store's back; returns the store to go on with. */
  corrupt(store: HoloLike, digest: Uint8Array, bytes: Uint8Array, options: HoloStoreOptions): Promise<HoloLike>;
  /** Deletes stored keys behind the store's back (a lost chunk file); returns the store to go on with. */
  remove(store: HoloLike, kind: Stored, keys: readonly (Uint8Array | string)[], options: HoloStoreOptions): Promise<HoloLike>;
  /** Lets queued write-backs land (the embedded store: closed and opened again, which resets its counters). */
  settle(store: HoloLike, options: HoloStoreOptions): Promise<HoloLike>;
  /** The Vault chunk addresses stored. */
  vaultChunks(store: HoloLike): Promise<Buffer[]>;
  /** Every stored byte, as a grep of the store would see it. */
  atRest(store: HoloLike): Promise<Buffer[]>;
}

/**
 * What remove() can take away: a structure or sealed chunk by its digest, a document's group parity record by id (the
 * embedded store keeps none for structures: there it takes the stripe keys out of the document's structures' parity
 * records, as a document stored before group parity has them).
 */
type Stored = 'structure' | 'chunk' | 'record';
const LMDB_DBS: Record<Stored, string> = { structure: 'structures', chunk: 'vault-chunks', record: 'parity' };
const REDIS_KEYS: Record<Stored, string> = { structure: 's', chunk: 'v:c', record: 'gm' };
const keyText = (key: Uint8Array | string): string => (typeof key === 'string' ? key : Buffer.from(key).toString('hex'));

const SMALL = { totalFloats: 1 << 16, headroom: 8, secret: new Uint8Array(32).fill(5) };
let redis: PrivateRedis;
let prefixes = 0;

beforeAll(async () => {
  redis = await PrivateRedis.start();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(() => {
  cleanDirs();
  delete process.env.ATLAS_VAULT_KEY;
});

const backends: HoloBackend[] = [
  {
    name: 'HoloStore',
    async open(options) {
      return HoloStore.openHolo(newDir(), { ...SMALL, ...options });
    },
    async corrupt(store, digest, bytes, options) {
      const path = store.path;
      await store.close();
      const root = open({ path, compression: false, maxDbs: 16 });
      await root.openDB({ name: 'structures', encoding: 'binary', keyEncoding: 'binary' }).put(Buffer.from(digest), Buffer.from(bytes));
      await root.close();
      return HoloStore.openHolo(path, { ...SMALL, ...options });
    },
    async remove(store, kind, keys, options) {
      const path = store.path;
      await store.close();
      const root = open({ path, compression: false, maxDbs: 16 });
      const db = root.openDB<Buffer, Buffer>({ name: LMDB_DBS[kind], encoding: 'binary', keyEncoding: 'binary' });
      if (kind === 'record') {
        const manifests = root.openDB<{ structures: Uint8Array }, string>({ name: 'manifests' });
        for (const id of keys) {
          const { structures } = manifests.get(keyText(id))!;
          for (let at = 0; at < structures.length; at += 32) {
            const digest = Buffer.from(structures.subarray(at, at + 32));
            const record = db.get(digest)!;
            expect(record.length).toBe(ECC_PARITY_BYTES + 32); // RS parity, then the stripe's key
            await db.put(digest, record.subarray(0, ECC_PARITY_BYTES));
          }
        }
      } else for (const key of keys) expect(await db.remove(Buffer.from(key))).toBe(true);
      await root.close();
      return HoloStore.openHolo(path, { ...SMALL, ...options });
    },
    async settle(store, options) {
      await store.close();
      return HoloStore.openHolo(store.path, { ...SMALL, ...options });
    },
    async vaultChunks(store) {
      const root = open({ path: store.path, compression: false, maxDbs: 16, readOnly: true });
      try {
        return [...root.openDB<Buffer, Buffer>({ name: 'vault-chunks', encoding: 'binary', keyEncoding: 'binary' }).getKeys()].map((k) => Buffer.from(k));
      } finally {
        await root.close();
      }
    },
    async atRest(store) {
      return readdirSync(store.path, { recursive: true, encoding: 'utf8' }).map((name) => join(store.path, name)).filter((p) => statSync(p).isFile()).map((p) => readFileSync(p));
    },
  },
  {
    name: 'RedisHoloStore',
    open: (options) => RedisHoloStore.openHolo(redis.url, { ...SMALL, ...options, prefix: `holo${++prefixes}` }),
    async corrupt(store, digest, bytes) {
      const client = new Redis(redis.url);
      await client.set(`holo${prefixes}:s:${Buffer.from(digest).toString('hex')}`, Buffer.from(bytes));
      client.disconnect();
      return store;
    },
    async remove(store, kind, keys) {
      const client = new Redis(redis.url);
      try {
        for (const key of keys) expect(await client.del(`holo${prefixes}:${REDIS_KEYS[kind]}:${keyText(key)}`)).toBe(1);
      } finally {
        client.disconnect();
      }
      return store;
    },
    settle: async (store) => store,
    async vaultChunks() {
      const client = new Redis(redis.url);
      try {
        return (await client.keys(`holo${prefixes}:v:c:*`)).map((k) => Buffer.from(k.split(':').at(-1)!, 'hex'));
      } finally {
        client.disconnect();
      }
    },
    async atRest() {
      const client = new Redis(redis.url);
      try {
        const values: Buffer[] = [];
        for (const key of await client.keys(`holo${prefixes}:*`)) {
          const type = await client.type(key);
          values.push(Buffer.from(key));
          if (type === 'string') values.push((await client.getBuffer(key))!);
          else if (type === 'hash') for (const [f, v] of Object.entries(await client.hgetallBuffer(key))) values.push(Buffer.from(f), v);
          else if (type === 'set') values.push(...(await client.smembersBuffer(key)));
          else throw new Error(`unexpected key type ${type} of ${key}`);
        }
        return values;
      } finally {
        client.disconnect();
      }
    },
  },
];

function layerStats(report: Awaited<ReturnType<HoloLike['getLayerStats']>>, name: string) {
  return report.layers.find((l) => l.name === name)!;
}

async function eccCounts(store: HoloLike, layer: string): Promise<{ repairs: number; failures: number }> {
  const entry = layerStats(await store.getLayerStats(), layer);
  return { repairs: entry.ecc_repairs, failures: entry.ecc_failures };
}

/** The ECC counters of `layer` changed by `read`, and what it returned or threw. */
async function measured<T>(store: HoloLike, layer: string, read: () => Promise<T>): Promise<{ value?: T; error?: AtlasError; repairs: number; failures: number }> {
  const before = await eccCounts(store, layer);
  const outcome = await read().then((value) => ({ value }), (error: AtlasError) => ({ error }));
  const after = await eccCounts(store, layer);
  return { ...outcome, repairs: after.repairs - before.repairs, failures: after.failures - before.failures };
}

const digestOf = (structures: Uint8Array, i: number): Uint8Array => structures.subarray(32 * i, 32 * (i + 1));
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
/** 19 structures: with g = 8, groups 0–7 and 8–15 and the short last group 16–18. */
const GROUPED = 19 * PAYLOAD_SIZE - 100;

describe.each(backends)('$name holographic conformance', (backend) => {
  it('routes to every layer and recalls every document exactly, Vault included; telemetry counts them', async () => {
    process.env.ATLAS_VAULT_KEY = VAULT_KEY_HEX;
    const store = await backend.open({});
    try {
      const stored: { id: string; bytes: Uint8Array; layer: string }[] = [];
      for (const layer of LAYERS) {
        for (const [i, size] of [1, PAYLOAD_SIZE + 1, 3 * PAYLOAD_SIZE].entries()) {
          const bytes = seededBytes(size, 100 * layer.index + i + 1);
          const r = layer.hasField ? await putDoc(store, bytes, layer.name) : await store.putVault(bytes);
          expect(r).toMatchObject({ added: true, layer: layer.name });
          stored.push({ id: r.id, bytes, layer: layer.name });
        }
      }
      expect((await putDoc(store, stored[0]!.bytes, 'wisdom')).added).toBe(false);
      for (const { id, bytes, layer } of stored) {
        const recall = await store.retrieveFromLayer(id, layer);
        expect(recall.layer).toBe(layer);
        expect(Buffer.from(recall.bytes).equals(Buffer.from(bytes))).toBe(true);
        if (layer !== 'vault') expect(recall.hits).toBe(Math.ceil(bytes.length / PAYLOAD_SIZE));
        expect(await store.layerOf(id)).toBe(layer);
        expect(Buffer.from(await store.getDocument(id)).equals(Buffer.from(bytes))).toBe(true);
      }
      await expect(store.retrieveFromLayer(stored[0]!.id, 'wisdom')).rejects.toMatchObject({ code: ErrorCode.INVALID });
      expect((await store.verify()).every((r) => r.ok)).toBe(true);
      const report = await store.getLayerStats({ settle: true });
      for (const entry of report.layers) expect(Object.keys(entry)).toEqual([...LAYER_STATS_KEYS]);
      for (const layer of FIELD_LAYERS) {
        const entry = layerStats(report, layer.name);
        expect(entry.items).toBe(1 + 2 + 3);
        expect(entry.bytes).toBe(1 + PAYLOAD_SIZE + 1 + 3 * PAYLOAD_SIZE);
        expect(entry.snr_measured).not.toBeNull();
        expect(entry.snr_measured!).toBeGreaterThan(0.5 * entry.snr_predicted);
        expect(entry.ber).toBe(0);
      }
      expect(layerStats(report, 'vault')).toMatchObject({ items: 0, bytes: 1 + PAYLOAD_SIZE + 1 + 3 * PAYLOAD_SIZE });
      expect(report.summary).toMatchObject({ documents: 18, vault_documents: 3, bound_items: 36, pending_binds: 0, generation: 0 });
    } finally {
      await store.close();
    }
  }, 60_000);

  it('rejects beyond capacity under reject, leaving nothing visible', async () => {
    const store = await backend.open({ totalFloats: 1 << 13, capacityPolicy: 'reject' });
    try {
      const d = layerStats(await store.getLayerStats(), 'context').dimension; // S = 4: D/16 items fit exactly
      expect((await putDoc(store, seededBytes((d / 16) * PAYLOAD_SIZE, 1), 'context')).added).toBe(true);
      const extra = seededBytes(10, 3);
      await expect(putDoc(store, extra, 'context')).rejects.toMatchObject({ code: ErrorCode.BUDGET, message: expect.stringContaining('capacity of layer context exceeded') });
      expect(await store.has(documentId(extra))).toBe(false);
      expect(layerStats(await store.getLayerStats(), 'context')).toMatchObject({ items: d / 16, dimension: d, capacity_used: 1, spill_shards: 0 });
    } finally {
      await store.close();
    }
  });

  it('spills into a new shard from the reserve and recalls from it', async () => {
    const store = await backend.open({ totalFloats: 1 << 13, capacityPolicy: 'spill' });
    try {
      const before = await store.getLayerStats();
      const d = layerStats(before, 'context').dimension;
      const full = seededBytes((d / 16) * PAYLOAD_SIZE, 4);
      await putDoc(store, full, 'context');
      const spilled = await putDoc(store, seededBytes(100, 5), 'context');
      const report = await store.getLayerStats();
      expect(layerStats(report, 'context')).toMatchObject({ spill_shards: 1, items: d / 16 + 1, dimension: d + 256 });
      expect(report.summary.reserve).toBe(before.summary.reserve - 256);
      const recall = await store.retrieveFromLayer(spilled.id, 'context');
      expect(Buffer.from(recall.bytes).equals(Buffer.from(seededBytes(100, 5)))).toBe(true);
      expect(recall.hits).toBe(1);
      expect(Buffer.from((await store.retrieveFromLayer(documentId(full))).bytes).equals(Buffer.from(full))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('repairs a corrupted structure from its RS parity, rebuilds one beyond it from its group, refuses a second loss there, and counts each', async () => {
    let store = await backend.open({});
    try {
      const doc = seededBytes(2 * PAYLOAD_SIZE, 21);
      const { id, manifest } = await putDoc(store, doc, 'knowledge');
      const digest = digestOf(manifest.structures, 0);
      const clean = frameDocument(doc).subarray(0, STRUCTURE_SIZE);
      const bad = Buffer.from(clean);
      for (let i = 5000; i < 5896; i++) bad[i]! ^= 0x5a; // an 896-byte burst: 16 bytes per codeword
      store = await backend.corrupt(store, digest, bad, {});
      const rs = await measured(store, 'knowledge', () => store.getDocument(id));
      expect(same(rs.value!, doc)).toBe(true);
      expect(rs).toMatchObject({ repairs: 1, failures: 0 });
      store = await backend.settle(store, {});
      const healed = await measured(store, 'knowledge', async () => (await store.retrieveFromLayer(id)).bytes);
      expect(same(healed.value!, doc)).toBe(true);
      expect(healed).toMatchObject({ repairs: 0, failures: 0 }); // the repair was written back

      for (let k = 0; k < 17; k++) bad[7 + k * ECC_DEPTH]! ^= 0xff; // 17 bad bytes in one codeword: beyond RS
      store = await backend.corrupt(store, digest, bad, {});
      const rebuilt = await measured(store, 'knowledge', () => store.getDocument(id));
      expect(same(rebuilt.value!, doc)).toBe(true); // from structure 1 and the group parity
      expect(rebuilt).toMatchObject({ repairs: 1, failures: 0 });

      store = await backend.settle(store, {});
      store = await backend.corrupt(store, digest, bad, {});
      store = await backend.remove(store, 'structure', [digestOf(manifest.structures, 1)], {});
      const refused = await measured(store, 'knowledge', () => store.getDocument(id));
      expect(refused.value).toBeUndefined();
      expect(refused.error).toMatchObject({ code: ErrorCode.WITNESS, message: expect.stringContaining(`document ${id}: structure 0 is corrupt and unrecoverable`) });
      expect(refused.error!.message).toContain('structure 1 of the same parity group (0–1) is missing too');
      expect(refused).toMatchObject({ repairs: 0, failures: 1 });
      await expect(store.retrieveFromLayer(id)).rejects.toMatchObject({ code: ErrorCode.WITNESS });
      expect((await store.verify([id]))[0]).toMatchObject({ ok: false });
    } finally {
      await store.close();
    }
  });

  it('rebuilds a missing structure from its group parity: exact bytes, counted once, written back; parity bytes in stats', async () => {
    let store = await backend.open({});
    try {
      const doc = seededBytes(GROUPED, 31);
      const { id, manifest } = await putDoc(store, doc, 'knowledge');
      const parityBytes = 3 * (4 + STRUCTURE_SIZE); // one block per group: length prefix and a structure
      expect((await store.stats()).groupParityBytes).toBe(parityBytes);
      store = await backend.remove(store, 'structure', [digestOf(manifest.structures, 5)], {});
      const first = await measured(store, 'knowledge', () => store.getDocument(id));
      expect(same(first.value!, doc)).toBe(true);
      expect(first).toMatchObject({ repairs: 1, failures: 0 });
      store = await backend.settle(store, {});
      const second = await measured(store, 'knowledge', () => store.getDocument(id));
      expect(same(second.value!, doc)).toBe(true);
      expect(second).toMatchObject({ repairs: 0, failures: 0 }); // written back
      expect(same((await store.retrieveFromLayer(id)).bytes, doc)).toBe(true);
      expect((await store.verify([id]))[0]).toMatchObject({ ok: true });
      expect(await store.stats()).toMatchObject({ groupParityBytes: parityBytes, structures: 19 });
    } finally {
      await store.close();
    }
  });

  it('documents sharing structures share a group parity block (stored and counted once); a lost shared structure is rebuilt for both', async () => {
    let store = await backend.open({});
    try {
      const a = seededBytes(GROUPED, 37);
      const b = new Uint8Array(13 * PAYLOAD_SIZE);
      b.set(a.subarray(0, 8 * PAYLOAD_SIZE)); // group 0 of both: the same 8 structures
      b.set(seededBytes(5 * PAYLOAD_SIZE, 38), 8 * PAYLOAD_SIZE);
      const A = await putDoc(store, a, 'knowledge');
      const B = await putDoc(store, b, 'knowledge');
      expect(Buffer.from(digestOf(B.manifest.structures, 3)).equals(Buffer.from(digestOf(A.manifest.structures, 3)))).toBe(true);
      expect(await store.stats()).toMatchObject({ structures: 19 + 5, groupParityBytes: 4 * (4 + STRUCTURE_SIZE) });
      store = await backend.remove(store, 'structure', [digestOf(A.manifest.structures, 3)], {});
      const first = await measured(store, 'knowledge', () => store.getDocument(B.id));
      expect(same(first.value!, b)).toBe(true);
      expect(first).toMatchObject({ repairs: 1, failures: 0 });
      store = await backend.settle(store, {});
      const other = await measured(store, 'knowledge', () => store.getDocument(A.id));
      expect(same(other.value!, a)).toBe(true);
      expect(other).toMatchObject({ repairs: 0, failures: 0 }); // healed for both by B's read
    } finally {
      await store.close();
    }
  });

  it('two losses in one group fail clearly, naming the document and structure, never with bytes; one in each of two groups are rebuilt', async () => {
    let store = await backend.open({});
    try {
      const a = seededBytes(GROUPED, 32);
      const b = seededBytes(GROUPED, 33);
      const A = await putDoc(store, a, 'knowledge');
      const B = await putDoc(store, b, 'knowledge');
      const lose = [digestOf(A.manifest.structures, 9), digestOf(A.manifest.structures, 12), digestOf(B.manifest.structures, 2), digestOf(B.manifest.structures, 17)];
      store = await backend.remove(store, 'structure', lose, {});
      const lost = await measured(store, 'knowledge', () => store.getDocument(A.id));
      expect(lost.value).toBeUndefined();
      expect(lost.error).toMatchObject({ code: ErrorCode.WITNESS, message: expect.stringContaining(`document ${A.id}: structure 9 is missing and unrecoverable`) });
      expect(lost.error!.message).toContain('structure 12 of the same parity group (8–15) is missing too');
      expect(lost).toMatchObject({ repairs: 0, failures: 1 });
      await expect(store.retrieveFromLayer(A.id)).rejects.toMatchObject({ code: ErrorCode.WITNESS, message: expect.stringContaining('unrecoverable') });
      expect((await store.verify([A.id]))[0]).toMatchObject({ ok: false, error: expect.stringContaining('structure 9') });
      // The document's other groups still read, by range.
      expect(same(await store.getDocument(A.id, 0, 8), a.subarray(0, 8 * PAYLOAD_SIZE))).toBe(true);
      expect(same(await store.getDocument(A.id, 16), a.subarray(16 * PAYLOAD_SIZE))).toBe(true);
      const both = await measured(store, 'knowledge', () => store.getDocument(B.id));
      expect(same(both.value!, b)).toBe(true); // structure 2 (group 0) and 17 (the short last group)
      expect(both).toMatchObject({ repairs: 2, failures: 0 });
      expect(same((await store.retrieveFromLayer(B.id)).bytes, b)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('rebuilds a lost Vault chunk from group parity over the ciphertext; no plaintext at rest', async () => {
    process.env.ATLAS_VAULT_KEY = VAULT_KEY_HEX;
    let store = await backend.open({});
    try {
      const secret = seededBytes(9 * PAYLOAD_SIZE - 50, 34); // 9 chunks: the last group holds chunk 8 alone
      const { id } = await store.putVault(secret);
      const chunks = await backend.vaultChunks(store);
      expect(chunks).toHaveLength(9);
      const sealed = (payload: number) => 4 + VAULT_IV_BYTES + payload + VAULT_TAG_BYTES;
      expect((await store.stats()).groupParityBytes).toBe(sealed(PAYLOAD_SIZE) + sealed(PAYLOAD_SIZE - 50));
      store = await backend.remove(store, 'chunk', [chunks[3]!], {});
      const read = await measured(store, 'vault', () => store.getDocument(id));
      expect(same(read.value!, secret)).toBe(true);
      expect(read).toMatchObject({ repairs: 1, failures: 0 });
      store = await backend.settle(store, {});
      const again = await measured(store, 'vault', async () => (await store.retrieveFromLayer(id, 'vault')).bytes);
      expect(same(again.value!, secret)).toBe(true);
      expect(again).toMatchObject({ repairs: 0, failures: 0 }); // written back
      expect(await backend.vaultChunks(store)).toHaveLength(9);
      const digest = createHash('sha256').update(secret).digest();
      const needles = [0, 4 * PAYLOAD_SIZE + 7, 8 * PAYLOAD_SIZE + 100, secret.length - 24].map((at) => Buffer.from(secret.subarray(at, at + 24)));
      needles.push(digest, Buffer.from(digest.toString('hex')));
      const hay = await backend.atRest(store);
      expect(hay.length).toBeGreaterThan(0);
      for (const needle of needles) for (const h of hay) expect(h.indexOf(needle)).toBe(-1);
    } finally {
      await store.close();
    }
  });

  it('reads a document stored before group parity (no record); a lost structure of it fails clearly; groupSize 0 stores none', async () => {
    let store = await backend.open({});
    try {
      const doc = seededBytes(GROUPED, 35);
      const { id, manifest } = await putDoc(store, doc, 'knowledge');
      store = await backend.remove(store, 'record', [id], {});
      expect(same(await store.getDocument(id), doc)).toBe(true);
      expect(same((await store.retrieveFromLayer(id)).bytes, doc)).toBe(true);
      expect((await store.verify([id]))[0]).toMatchObject({ ok: true });
      store = await backend.remove(store, 'structure', [digestOf(manifest.structures, 4)], {});
      const lost = await measured(store, 'knowledge', () => store.getDocument(id));
      expect(lost.error).toMatchObject({ code: ErrorCode.WITNESS, message: expect.stringContaining(`document ${id}: structure 4 is missing and unrecoverable (no group parity recorded`) });
      expect(lost).toMatchObject({ repairs: 0, failures: 1 });
    } finally {
      await store.close();
    }
    const plain = await backend.open({ groupSize: 0 });
    try {
      const doc = seededBytes(GROUPED, 36);
      const { id } = await putDoc(plain, doc, 'knowledge');
      expect(await plain.stats()).toMatchObject({ groupParityBytes: 0, structures: 19 });
      expect(same(await plain.getDocument(id), doc)).toBe(true);
    } finally {
      await plain.close();
    }
    await expect(backend.open({ groupSize: -1 })).rejects.toMatchObject({ code: ErrorCode.INVALID, message: expect.stringContaining('groupSize') });
  });

  it('rebalances: every pair re-bound into new fields, spill shards merged, one generation bump, every recall survives', async () => {
    const store = await backend.open({ totalFloats: 1 << 14, capacityPolicy: 'spill' });
    const docs: { id: string; bytes: Uint8Array }[] = [];
    try {
      const layers = ['identity', 'knowledge', 'experience', 'preference', 'context', 'wisdom'];
      for (let i = 0; i < 30; i++) {
        const bytes = seededBytes(500 + i * 6000, 200 + i); // knowledge outgrows its field and spills once
        docs.push({ id: (await putDoc(store, bytes, layers[i % 6]!)).id, bytes });
      }
      const before = await store.getLayerStats({ settle: true });
      expect(before.layers.some((l) => l.spill_shards > 0)).toBe(true);
      await expect(store.rebalanceLayers({ totalFloats: 1024 })).rejects.toMatchObject({ code: ErrorCode.BUDGET, message: expect.stringContaining('infeasible') });
      // Reads issued while the rebalance runs are served (from the old fields) and exact.
      const rebalance = store.rebalanceLayers({ totalFloats: 1 << 16 });
      const during = await Promise.all(docs.map(({ id }) => store.retrieveFromLayer(id)));
      const report = await rebalance;
      expect(report.generation).toBe(before.summary.generation + 1);
      during.forEach((r, i) => expect(Buffer.from(r.bytes).equals(Buffer.from(docs[i]!.bytes))).toBe(true));
      const after = await store.getLayerStats({ settle: true });
      expect(after.summary).toMatchObject({ generation: before.summary.generation + 1, total_floats: 1 << 16 });
      expect(after.layers.every((l) => l.spill_shards === 0)).toBe(true);
      for (const layer of after.layers.slice(0, 6)) expect(layer.items).toBe(layerStats(before, layer.name).items);
      let hits = 0, chunks = 0;
      for (const { id, bytes } of docs) {
        const r = await store.retrieveFromLayer(id);
        expect(Buffer.from(r.bytes).equals(Buffer.from(bytes))).toBe(true);
        hits += r.hits;
        chunks += r.hits + r.misses;
      }
      expect(hits / chunks).toBeGreaterThan(0.95); // the clean-up itself works on the new fields
      const later = seededBytes(20_000, 250); // stores go on, into the new fields
      expect((await putDoc(store, later, 'knowledge')).added).toBe(true);
      expect(Buffer.from((await store.retrieveFromLayer(documentId(later))).bytes).equals(Buffer.from(later))).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);
});

