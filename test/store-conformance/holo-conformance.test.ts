// One holographic suite for the embedded HoloStore and the Redis one: routing, exact layer recall (Vault included),
// capacity reject and spill, RS repair of a corrupted structure, telemetry.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { open } from 'lmdb';
import { Redis } from 'ioredis';
import { ErrorCode } from '../../src/errors.js';
import { documentId, frameDocument } from '../../src/framing/index.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { PAYLOAD_SIZE } from '../../src/framing/structure.js';
import { ECC_DEPTH } from '../../src/holo/ecc.js';
import { FIELD_LAYERS, LAYERS } from '../../src/holo/layers.js';
import { LAYER_STATS_KEYS } from '../../src/holo/telemetry.js';
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
}

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
  },
];

function layerStats(report: Awaited<ReturnType<HoloLike['getLayerStats']>>, name: string) {
  return report.layers.find((l) => l.name === name)!;
}

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

  it('repairs a corrupted structure from its RS parity, refuses beyond capacity, and counts both', async () => {
    let store = await backend.open({});
    try {
      const doc = seededBytes(2 * PAYLOAD_SIZE, 21);
      const { id, manifest } = await putDoc(store, doc, 'knowledge');
      const digest = manifest.structures.subarray(0, 32);
      const clean = frameDocument(doc).subarray(0, STRUCTURE_SIZE);
      const bad = Buffer.from(clean);
      for (let i = 5000; i < 5896; i++) bad[i]! ^= 0x5a; // an 896-byte burst: 16 bytes per codeword
      store = await backend.corrupt(store, digest, bad, {});
      expect(Buffer.from(await store.getDocument(id)).equals(Buffer.from(doc))).toBe(true);
      expect(Buffer.from((await store.retrieveFromLayer(id)).bytes).equals(Buffer.from(doc))).toBe(true);
      expect(layerStats(await store.getLayerStats(), 'knowledge')).toMatchObject({ ecc_repairs: 2, ecc_failures: 0 });
      for (let k = 0; k < 17; k++) bad[7 + k * ECC_DEPTH]! ^= 0xff; // 17 bad bytes in one codeword
      store = await backend.corrupt(store, digest, bad, {});
      await expect(store.getDocument(id)).rejects.toMatchObject({ code: ErrorCode.WITNESS, message: expect.stringContaining('unrecoverable') });
      await expect(store.retrieveFromLayer(id)).rejects.toMatchObject({ code: ErrorCode.WITNESS });
      expect(layerStats(await store.getLayerStats(), 'knowledge').ecc_failures).toBe(2);
      expect((await store.verify([id]))[0]).toMatchObject({ ok: false });
    } finally {
      await store.close();
    }
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

