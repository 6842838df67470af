// Capacity policy evict (holo-store.md §3.6) for both holographic stores: a layer's oldest documents leave its field
// (and N_k) to make room, their bytes stay; rebalance keeps them out. On Redis also: two writers' evictions.
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ErrorCode } from '../../src/errors.js';
import { PAYLOAD_SIZE } from '../../src/framing/structure.js';
import { HoloIndex } from '../../src/store/holo-index.js';
import { HoloStore, type HoloStoreOptions } from '../../src/store/holo-store.js';
import type { DocumentManifest } from '../../src/store/store.js';
import { RedisHoloStore } from '../../src/store/redis-holo-store.js';
import { seededBytes } from '../fixtures/engine/data.js';
import { redisForSuite } from '../fixtures/queues/redis-server.js';
import { cleanDirs, newDir, putDoc } from '../store/holo-helpers.js';

const SMALL = { totalFloats: 1 << 13, headroom: 8, secret: new Uint8Array(32).fill(5), capacityPolicy: 'evict' } as const;
const redis = redisForSuite();
let prefixes = 0;
afterEach(() => cleanDirs());

type HoloLike = HoloStore | RedisHoloStore;
type Layers = Awaited<ReturnType<HoloLike['getLayerStats']>>;
/** Identity (S = 10, S² = 100): its clean-ups keep a clear margin even at capacity_used 1. */
const LAYER = 'identity';
const IDENTITY = 0;
const S2 = 100;
const layer = (report: Layers) => report.layers.find((l) => l.name === LAYER)!;

/** Documents of the given sizes in structures (the last one short), stored into LAYER in order. */
async function fill(store: HoloLike, sizes: readonly number[], seed: number) {
  const docs: { id: string; bytes: Uint8Array; chunks: number; manifest: DocumentManifest }[] = [];
  for (const [i, chunks] of sizes.entries()) {
    const bytes = seededBytes(chunks * PAYLOAD_SIZE - 7, seed + i);
    const r = await putDoc(store, bytes, LAYER);
    expect(r).toMatchObject({ added: true, layer: LAYER });
    docs.push({ id: r.id, bytes, chunks, manifest: r.manifest });
  }
  return docs;
}

const backends: { name: string; open(options?: HoloStoreOptions): Promise<HoloLike> }[] = [
  { name: 'HoloStore', open: async (options = {}) => HoloStore.openHolo(newDir(), { ...SMALL, ...options }) },
  { name: 'RedisHoloStore', open: (options = {}) => RedisHoloStore.openHolo(redis.url, { ...SMALL, ...options, prefix: `evict${++prefixes}` }) },
];

describe.each(backends)('$name capacity policy evict', ({ open }) => {
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

describe('RedisHoloStore eviction across writers', () => {
  it('two writers evict in one FIFO order, never one document twice; the folded base holds only the remaining pairs', async () => {
    const prefix = `evict${++prefixes}`;
    const one = await RedisHoloStore.openHolo(redis.url, { ...SMALL, prefix });
    const two = await RedisHoloStore.openHolo(redis.url, { ...SMALL, prefix });
    const client = new Redis(redis.url);
    try {
      const d = layer(await one.getLayerStats()).dimension;
      const cap = Math.floor(d / S2), third = Math.floor(cap / 3);
      const [a] = await fill(one, [third], 80);
      const [b] = await fill(two, [third], 81);
      const [c] = await fill(one, [cap - 2 * third], 82);
      // Both overflow the full layer at once: one evicts a, the other (admitting again on the moved state) b.
      const [x, y] = await Promise.all([fill(one, [third], 83), fill(two, [third], 84)]);
      const remaining = [c!, x![0]!, y![0]!];
      for (const store of [one, two]) {
        expect(layer(await store.getLayerStats())).toMatchObject({ evicted: 2, items: cap });
        for (const gone of [a!, b!]) {
          await expect(store.retrieveFromLayer(gone.id)).rejects.toMatchObject({ code: ErrorCode.INVALID, message: expect.stringContaining('evicted') });
          expect(Buffer.from(await store.getDocument(gone.id)).equals(Buffer.from(gone.bytes))).toBe(true);
        }
        for (const doc of remaining) expect((await store.retrieveFromLayer(doc.id)).misses).toBe(0);
      }
      // The shared state counts exactly the bound items: no eviction was applied twice.
      const state = JSON.parse((await client.get(`${prefix}:h:state`))!) as { layers: { items: number }[][] };
      expect(state.layers[IDENTITY]![0]!.items).toBe(cap);
      // A checkpoint leaves evicted documents out of the writer's saved partial (one stored a and c, then x).
      await one.checkpoint();
      const partial = (await client.getBuffer(`${prefix}:fb:0:${IDENTITY}:0:${one.writerId}`))!;
      expect(idsIn(partial).sort()).toEqual([c!.id, x![0]!.id].sort());
      for (const doc of remaining) expect((await two.retrieveFromLayer(doc.id)).misses).toBe(0);
      await one.close();
      await two.close();
      const [field, docs] = await client.mgetBuffer(`${prefix}:f:0:${IDENTITY}:0:base`, `${prefix}:fb:0:${IDENTITY}:0:base`);
      expect(idsIn(docs!).sort()).toEqual(remaining.map((r) => r.id).sort());
      const saved = new Float32Array(field!.buffer.slice(field!.byteOffset, field!.byteOffset + field!.length));
      const expected = boundFrom(remaining, d);
      const bins = expected.re.length;
      let max = 0, withEvicted = 0;
      const all = boundFrom([...remaining, a!, b!], d);
      for (let k = 0; k < bins; k++) {
        max = Math.max(max, Math.abs(saved[k]! - expected.re[k]!), Math.abs(saved[bins + k]! - expected.im[k]!));
        withEvicted = Math.max(withEvicted, Math.abs(saved[k]! - all.re[k]!));
      }
      expect(max).toBeLessThan(1e-5);
      expect(withEvicted).toBeGreaterThan(0.05);
    } finally {
      client.disconnect();
      await one.close().catch(() => {});
      await two.close().catch(() => {});
    }
  }, 60_000);
});

function idsIn(list: Buffer): string[] {
  const ids: string[] = [];
  for (let at = 0; at < list.length; at += 32) ids.push(list.subarray(at, at + 32).toString('hex'));
  return ids;
}

/** The identity field of `dimension` bound from exactly these documents' pairs. */
function boundFrom(docs: readonly { id: string; manifest: DocumentManifest }[], dimension: number): { re: Float32Array; im: Float32Array } {
  const layers = Array.from({ length: 6 }, (_, k) => [{ dimension: k === IDENTITY ? dimension : 1024, items: 0 }]);
  const index = new HoloIndex(SMALL.secret, { layers, reserve: 0, headroom: 8 }, 0);
  for (const { id, manifest } of docs) index.add(IDENTITY, 0, Buffer.from(id, 'hex'), manifest.structures, true);
  const { re, im } = index.shards[IDENTITY]![0]!.field.spectrum;
  return { re: re as Float32Array, im: im as Float32Array };
}
