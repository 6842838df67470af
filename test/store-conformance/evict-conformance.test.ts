// Capacity policy evict (holo-store.md §3.6) for both holographic stores: the embedded HoloStore evicts a layer's
// oldest documents from its field and keeps their bytes; the Redis store refuses the policy (INVALID, with why).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { PAYLOAD_SIZE } from '../../src/framing/structure.js';
import { HoloStore, type HoloStoreOptions } from '../../src/store/holo-store.js';
import { RedisHoloStore } from '../../src/store/redis-holo-store.js';
import { seededBytes } from '../fixtures/engine/data.js';
import { PrivateRedis } from '../fixtures/queues/redis-server.js';
import { cleanDirs, newDir, putDoc } from '../store/holo-helpers.js';

const SMALL = { totalFloats: 1 << 13, headroom: 8, secret: new Uint8Array(32).fill(5), capacityPolicy: 'evict' } as const;
let redis: PrivateRedis;
let prefixes = 0;

beforeAll(async () => {
  redis = await PrivateRedis.start();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(() => cleanDirs());

type Layers = Awaited<ReturnType<HoloStore['getLayerStats']>>;
/** Identity (S = 10, S² = 100): its clean-ups keep a clear margin even at capacity_used 1. */
const LAYER = 'identity';
const S2 = 100;
const layer = (report: Layers) => report.layers.find((l) => l.name === LAYER)!;

describe('HoloStore capacity policy evict', () => {
  const open = (options: HoloStoreOptions = {}) => HoloStore.openHolo(newDir(), { ...SMALL, ...options });

  /** Documents of the given sizes in structures (the last one short), stored into LAYER in order. */
  async function fill(store: HoloStore, sizes: readonly number[], seed: number) {
    const docs: { id: string; bytes: Uint8Array; chunks: number }[] = [];
    for (const [i, chunks] of sizes.entries()) {
      const bytes = seededBytes(chunks * PAYLOAD_SIZE - 7, seed + i);
      const r = await putDoc(store, bytes, LAYER);
      expect(r).toMatchObject({ added: true, layer: LAYER });
      docs.push({ id: r.id, bytes, chunks });
    }
    return docs;
  }

  it('evicts the oldest documents first until the new one fits; they leave the field and N but keep their bytes', async () => {
    const store = await open();
    try {
      const d = layer(await store.getLayerStats()).dimension;
      const cap = Math.floor(d / S2);
      expect(cap).toBeGreaterThanOrEqual(8);
      // Sizes whose FIFO order differs from size order: evicting by size (or newest first) would pick others.
      const sizes = [Math.floor(cap / 4), 1, Math.floor((cap * 3) / 8)];
      sizes.push(cap - sizes.reduce((a, b) => a + b, 0));
      const docs = await fill(store, sizes, 10);
      expect(layer(await store.getLayerStats())).toMatchObject({ items: cap, capacity_used: (cap * S2) / d, evicted: 0 });
      const evictedSoFar: string[] = [];
      // Each addition overflows by a little: first doc 0 goes, then doc 1, then doc 2.
      const first = Math.floor(cap / 8);
      const later = await fill(store, [first], 20);
      evictedSoFar.push(docs[0]!.id);
      expect(layer(await store.getLayerStats())).toMatchObject({ items: cap - sizes[0]! + first, evicted: 1, spill_shards: 0, dimension: d });
      const last = cap - (cap - sizes[0]! + first) + 1; // one item more than is left: the next oldest (doc 1) goes
      later.push(...(await fill(store, [last], 30)));
      evictedSoFar.push(docs[1]!.id);
      const items = cap - sizes[0]! - sizes[1]! + first + last;
      expect(items).toBeLessThanOrEqual(cap);
      later.push(...(await fill(store, [cap - items + 1], 40)));
      evictedSoFar.push(docs[2]!.id);
      const report = await store.getLayerStats({ settle: true });
      const remaining = [docs[3]!, ...later];
      const n = remaining.reduce((s, x) => s + x.chunks, 0);
      expect(layer(report)).toMatchObject({ items: n, evicted: 3, spill_shards: 0, dimension: d, capacity_used: (n * S2) / d });
      expect(layer(report).snr_predicted).toBeCloseTo(Math.sqrt(d / (n - 1)), 10);
      expect(report.summary.bound_items).toBe(n);
      expect(report.summary.documents).toBe(docs.length + later.length); // every document is still stored
      for (const { id, bytes } of remaining) {
        const r = await store.retrieveFromLayer(id, LAYER);
        expect(Buffer.from(r.bytes).equals(Buffer.from(bytes))).toBe(true);
        expect(r.misses).toBe(0);
        expect(r.minMargin!).toBeGreaterThan(0.5);
      }
      for (const id of evictedSoFar) {
        const { bytes } = docs.find((x) => x.id === id)!;
        expect(Buffer.from(await store.getDocument(id)).equals(Buffer.from(bytes))).toBe(true);
        expect(await store.layerOf(id)).toBe(LAYER);
        await expect(store.retrieveFromLayer(id)).rejects.toMatchObject({ code: ErrorCode.INVALID, message: expect.stringContaining('evicted') });
      }
      expect((await store.verify()).every((r) => r.ok)).toBe(true);
      expect((await store.verify(evictedSoFar)).map((r) => r.ok)).toEqual([true, true, true]);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('rejects a document larger than the whole shard (evicting cannot help) and evicts nothing for it', async () => {
    const store = await open();
    try {
      const d = layer(await store.getLayerStats()).dimension;
      const [kept] = await fill(store, [4], 50);
      const huge = seededBytes((Math.floor(d / S2) + 1) * PAYLOAD_SIZE - 7, 51);
      await expect(putDoc(store, huge, LAYER)).rejects.toMatchObject({ code: ErrorCode.BUDGET, message: expect.stringContaining('evicting cannot make room') });
      expect(layer(await store.getLayerStats())).toMatchObject({ items: 4, evicted: 0 });
      expect((await store.retrieveFromLayer(kept!.id)).misses).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('rebalance after eviction re-binds only the bound documents and keeps every recall; evicted stay evicted', async () => {
    const store = await open();
    try {
      const cap = Math.floor(layer(await store.getLayerStats()).dimension / S2);
      const half = Math.floor(cap / 2), quarter = Math.floor((cap - half) / 2);
      const docs = await fill(store, [half, cap - half, quarter, half - quarter], 60); // the third evicts the first
      const evicted = docs[0]!;
      const before = await store.getLayerStats({ settle: true });
      expect(layer(before)).toMatchObject({ evicted: 1, items: cap });
      const report = await store.rebalanceLayers({ totalFloats: 1 << 15 });
      expect(report.generation).toBe(1);
      const after = await store.getLayerStats({ settle: true });
      expect(layer(after)).toMatchObject({ evicted: 1, items: cap, generation: 1 });
      for (const { id, bytes } of docs.slice(1)) {
        const r = await store.retrieveFromLayer(id);
        expect(Buffer.from(r.bytes).equals(Buffer.from(bytes))).toBe(true);
        expect(r.misses).toBe(0);
      }
      await expect(store.retrieveFromLayer(evicted.id)).rejects.toMatchObject({ code: ErrorCode.INVALID });
      expect(Buffer.from(await store.getDocument(evicted.id)).equals(Buffer.from(evicted.bytes))).toBe(true);
      // The new, larger field takes more before evicting again, and evicts the oldest bound one (doc 1) first.
      const bigger = Math.floor(layer(after).dimension / S2);
      expect(bigger).toBeGreaterThan(cap);
      await fill(store, [bigger - cap, 1], 70);
      expect(layer(await store.getLayerStats())).toMatchObject({ evicted: 2, items: bigger + 1 - (cap - half) });
      await expect(store.retrieveFromLayer(docs[1]!.id)).rejects.toMatchObject({ code: ErrorCode.INVALID });
      expect((await store.retrieveFromLayer(docs[2]!.id)).misses).toBe(0);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe('RedisHoloStore capacity policy evict', () => {
  it('is refused with INVALID naming the reason, before connecting; spill and reject still open', async () => {
    const url = redis.url;
    await expect(RedisHoloStore.openHolo(url, { ...SMALL, prefix: `evict${++prefixes}` })).rejects.toMatchObject({
      code: ErrorCode.INVALID, message: expect.stringContaining('evict is not supported by the Redis holo store: its fields are per-writer partials'),
    });
    await expect(RedisHoloStore.openHolo('redis://127.0.0.1:1', { capacityPolicy: 'evict' })).rejects.toMatchObject({ code: ErrorCode.INVALID });
    const store = await RedisHoloStore.openHolo(url, { ...SMALL, capacityPolicy: 'reject', prefix: `evict${++prefixes}` });
    await store.close();
  });
});
