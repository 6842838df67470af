// The Redis holographic store with several writers: partial fields summed on read, a dead writer's documents re-bound,
// the Vault sealed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ErrorCode } from '../../src/errors.js';
import { documentId as documentIdOf } from '../../src/framing/index.js';
import { PAYLOAD_SIZE } from '../../src/framing/structure.js';
import type { CapacityState } from '../../src/holo/allocation.js';
import { HoloIndex } from '../../src/store/holo-index.js';
import { RedisHoloStore } from '../../src/store/redis-holo-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { atlas } from '../fixtures/engine/cli.js';
import { seededBytes, tempDir } from '../fixtures/engine/data.js';
import { PrivateRedis } from '../fixtures/queues/redis-server.js';
import { putDoc, VAULT_KEY_HEX } from './holo-helpers.js';

const OPTIONS = { totalFloats: 1 << 16, headroom: 8, checkpointEvery: 1000 };
let redis: PrivateRedis;
let prefixes = 0;

beforeAll(async () => {
  redis = await PrivateRedis.start();
});
const dirs: string[] = [];
afterAll(async () => {
  await redis?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function openOn(prefix: string): Promise<RedisHoloStore> {
  return RedisHoloStore.openHolo(redis.url, { ...OPTIONS, prefix });
}

/** Stops a writer the way a crash does: the connection goes, nothing is checkpointed. */
async function kill(store: RedisHoloStore): Promise<void> {
  await RedisStore.prototype.close.call(store);
}

async function storeDocs(store: RedisHoloStore, seeds: number[], layer: string): Promise<Map<string, Uint8Array>> {
  const docs = new Map<string, Uint8Array>();
  for (const seed of seeds) {
    const bytes = seededBytes(2 * PAYLOAD_SIZE + seed, seed);
    const r = await putDoc(store, bytes, layer);
    expect(r.added).toBe(true);
    docs.set(r.id, bytes);
  }
  return docs;
}

async function expectExactRecall(reader: RedisHoloStore, docs: Map<string, Uint8Array>): Promise<void> {
  for (const [id, bytes] of docs) {
    const recall = await reader.retrieveFromLayer(id, 'knowledge');
    expect(Buffer.from(recall.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(recall).toMatchObject({ hits: 3, misses: 0 });
  }
}

/**
 * The saved partials of a knowledge shard summed equal a field in which every recorded document is bound exactly once
 * (no pair lost, none counted twice by a fold), to float32 rounding.
 */
async function expectFieldOfEveryPairOnce(client: Redis, prefix: string, shard: number, generation = 0): Promise<void> {
  const { secret } = JSON.parse((await client.get(`${prefix}:h:config`))!) as { secret: string };
  const state = JSON.parse((await client.get(`${prefix}:h:state`))!) as CapacityState;
  const reference = new HoloIndex(Buffer.from(secret, 'hex'), state, generation);
  for (const [id, record] of Object.entries(await client.hgetall(`${prefix}:h:records`))) {
    const [layer, s] = record.split(':').map(Number);
    if (layer !== 1 || s !== shard) continue;
    const digests = (await client.hgetBuffer(`${prefix}:m:${id}`, 'structures'))!;
    reference.add(1, shard, Buffer.from(id, 'hex'), new Uint8Array(digests), true);
  }
  const { re, im } = reference.shards[1]![shard]!.field.spectrum;
  const summed = new Float64Array(2 * re.length);
  for (const name of await client.smembers(`${prefix}:h:partials`)) {
    if (!name.startsWith(`${generation}:1:${shard}:`)) continue;
    const bytes = (await client.getBuffer(`${prefix}:f:${name}`))!;
    const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    floats.forEach((v, k) => (summed[k] = summed[k]! + v));
  }
  let worst = 0, scale = 0;
  for (let k = 0; k < re.length; k++) {
    worst = Math.max(worst, Math.abs(summed[k]! - re[k]!), Math.abs(summed[re.length + k]! - im[k]!));
    scale = Math.max(scale, Math.abs(re[k]!), Math.abs(im[k]!));
  }
  expect(scale).toBeGreaterThan(0);
  expect(worst).toBeLessThan(1e-5 * Math.max(1, scale));
}

describe('RedisHoloStore with several writers', () => {
  it('sums the partial fields of two writers: a third instance recalls every document and measures every item', async () => {
    const prefix = `w${++prefixes}`;
    const [a, b] = [await openOn(prefix), await openOn(prefix)];
    const docs = new Map([...(await storeDocs(a, [1, 2, 3, 4], 'knowledge')), ...(await storeDocs(b, [5, 6, 7, 8], 'knowledge'))]);
    expect(a.writerId).not.toBe(b.writerId);
    await a.checkpoint();
    await b.checkpoint();
    const client = new Redis(redis.url);
    try {
      expect((await client.smembers(`${prefix}:h:partials`)).sort()).toEqual([`0:1:0:${a.writerId}`, `0:1:0:${b.writerId}`].sort());
      await a.close(); // a writer that closes folds its partial into the shard's base
      expect((await client.smembers(`${prefix}:h:partials`)).sort()).toEqual([`0:1:0:${b.writerId}`, '0:1:0:base'].sort());
      await b.close();
      expect(await client.smembers(`${prefix}:h:partials`)).toEqual(['0:1:0:base']);
      await expectFieldOfEveryPairOnce(client, prefix, 0);
    } finally {
      client.disconnect();
    }
    const reader = await openOn(prefix);
    try {
      await expectExactRecall(reader, docs);
      expect(await reader.reboundDocuments()).toBe(0); // every pair came from a saved partial, none was re-bound
      const knowledge = (await reader.getLayerStats()).layers.find((l) => l.name === 'knowledge')!;
      expect(knowledge.items).toBe(24);
      expect(knowledge.snr_measured).not.toBeNull();
      expect(knowledge.snr_measured!).toBeGreaterThan(0.5 * knowledge.snr_predicted);
      expect(knowledge.ber).toBe(0);
    } finally {
      await reader.close();
    }
  }, 60_000);

  it('admits concurrent writers by compare-and-set: every item counted once, the spill shard shared', async () => {
    const prefix = `w${++prefixes}`;
    const options = { ...OPTIONS, totalFloats: 1 << 13, prefix };
    const [a, b] = [await RedisHoloStore.openHolo(redis.url, options), await RedisHoloStore.openHolo(redis.url, options)];
    const d = (await a.getLayerStats()).layers.find((l) => l.name === 'context')!.dimension;
    const perWriter = d / 64 + 2; // documents of 2 items, S = 4: together they overflow the primary field by 8 items
    const docs = new Map<string, Uint8Array>();
    await Promise.all([a, b].map(async (store, w) => {
      for (let i = 0; i < perWriter; i++) {
        const bytes = seededBytes(PAYLOAD_SIZE + 1 + i, 300 + 100 * w + i);
        const r = await putDoc(store, bytes, 'context');
        expect(r.added).toBe(true);
        docs.set(r.id, bytes);
      }
    }));
    await Promise.all([a.close(), b.close()]);
    const reader = await openOn(prefix);
    try {
      const context = (await reader.getLayerStats()).layers.find((l) => l.name === 'context')!;
      expect(context.items).toBe(4 * perWriter);
      expect(context.spill_shards).toBe(1);
      // At capacity (SNR ≈ S = 4) clean-up misses often, as in the embedded store; the summed field must still measure it.
      expect(context.snr_measured!).toBeGreaterThan(0.5 * context.snr_predicted);
      for (const [id, bytes] of docs) {
        const recall = await reader.retrieveFromLayer(id, 'context');
        expect(Buffer.from(recall.bytes).equals(Buffer.from(bytes))).toBe(true);
      }
      expect(await reader.reboundDocuments()).toBe(0);
    } finally {
      await reader.close();
    }
  }, 60_000);

  it('re-binds the documents of a writer killed before its checkpoint: exact recall, right telemetry', async () => {
    const prefix = `w${++prefixes}`;
    const writer = await openOn(prefix);
    const saved = await storeDocs(writer, [11, 12], 'knowledge');
    await writer.checkpoint();
    const lost = await storeDocs(writer, [13, 14, 15], 'knowledge');
    await kill(writer);
    const reader = await openOn(prefix);
    const client = new Redis(redis.url);
    try {
      await expectExactRecall(reader, new Map([...saved, ...lost]));
      expect(await reader.reboundDocuments()).toBe(3);
      const knowledge = (await reader.getLayerStats()).layers.find((l) => l.name === 'knowledge')!;
      expect(knowledge.items).toBe(15);
      expect(knowledge.snr_measured!).toBeGreaterThan(0.5 * knowledge.snr_predicted);
      expect(knowledge.ber).toBe(0);
      // Alive until its heartbeat lapses: nothing of it is folded yet.
      expect(await reader.compactFields()).toEqual({ partials: 0, orphans: 0, writers: 0 });
      await client.hset(`${prefix}:h:writers`, writer.writerId, '0'); // as if its heartbeat had lapsed
      expect(await reader.compactFields()).toEqual({ partials: 1, orphans: 3, writers: 1 });
      expect(await client.smembers(`${prefix}:h:partials`)).toEqual(['0:1:0:base']);
      await expectFieldOfEveryPairOnce(client, prefix, 0);
      const later = await openOn(prefix);
      try {
        await expectExactRecall(later, new Map([...saved, ...lost]));
        expect(await later.reboundDocuments()).toBe(0); // the fold bound them once, for every reader
      } finally {
        await later.close();
      }
    } finally {
      client.disconnect();
      await reader.close();
    }
  }, 60_000);

  it('a writer that stalled past its heartbeat and was folded starts afresh: nothing lost, nothing counted twice', async () => {
    const prefix = `w${++prefixes}`;
    const [stalled, other] = [await openOn(prefix), await openOn(prefix)];
    const client = new Redis(redis.url);
    try {
      const docs = new Map([...(await storeDocs(stalled, [21, 22], 'knowledge')), ...(await storeDocs(other, [23], 'knowledge'))]);
      await stalled.checkpoint();
      const firstName = stalled.writerId;
      const unsaved = await storeDocs(stalled, [24], 'knowledge'); // bound in its memory, not checkpointed
      await client.hset(`${prefix}:h:writers`, firstName, '0');
      expect(await other.compactFields()).toEqual({ partials: 1, orphans: 1, writers: 1 });
      // It wakes up: its checkpoint is refused, it drops the fields that were folded and goes on under a new name.
      for (const [id, bytes] of await storeDocs(stalled, [25, 26], 'knowledge')) docs.set(id, bytes);
      await stalled.checkpoint();
      expect(stalled.writerId).not.toBe(firstName);
      expect(await client.sismember(`${prefix}:h:retired`, firstName)).toBe(1);
      await Promise.all([stalled.close(), other.close()]);
      expect(await client.smembers(`${prefix}:h:partials`)).toEqual(['0:1:0:base']);
      await expectFieldOfEveryPairOnce(client, prefix, 0);
      const reader = await openOn(prefix);
      try {
        await expectExactRecall(reader, new Map([...docs, ...unsaved]));
        expect(await reader.reboundDocuments()).toBe(0);
      } finally {
        await reader.close();
      }
    } finally {
      client.disconnect();
    }
  }, 60_000);

  it('reads the saved partial field itself: zeroed, clean-up misses and only the manifest fallback keeps the bytes exact', async () => {
    const prefix = `w${++prefixes}`;
    const writer = await openOn(prefix);
    const docs = await storeDocs(writer, [21, 22, 23], 'knowledge');
    await writer.close();
    const client = new Redis(redis.url);
    try {
      const [name] = await client.smembers(`${prefix}:h:partials`);
      const field = (await client.getBuffer(`${prefix}:f:${name}`))!;
      await client.set(`${prefix}:f:${name}`, Buffer.alloc(field.length)); // the field zeroed, its document list kept
    } finally {
      client.disconnect();
    }
    const reader = await openOn(prefix);
    try {
      const [id, bytes] = [...docs][0]!;
      const recall = await reader.retrieveFromLayer(id);
      expect(Buffer.from(recall.bytes).equals(Buffer.from(bytes))).toBe(true); // the manifest fallback keeps it exact
      expect(recall.hits).toBeLessThan(3);
    } finally {
      await reader.close();
    }
  });

  it('keeps no plaintext of a Vault document anywhere in Redis', async () => {
    process.env.ATLAS_VAULT_KEY = VAULT_KEY_HEX;
    const prefix = `w${++prefixes}`;
    const marker = 'SECRET-MARKER-7f3a';
    const plaintext = Buffer.from(`${marker} `.repeat(3000));
    const store = await openOn(prefix);
    let id: string;
    try {
      id = (await store.putVault(plaintext)).id;
      expect(Buffer.from((await store.retrieveFromLayer(id, 'vault')).bytes).equals(plaintext)).toBe(true);
      expect(await store.layerOf(id)).toBe('vault');
    } finally {
      await store.close();
      delete process.env.ATLAS_VAULT_KEY;
    }
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys(`${prefix}:*`);
      expect(keys.some((k) => k.startsWith(`${prefix}:v:c:`))).toBe(true);
      const values: Buffer[] = [];
      for (const key of keys) {
        const type = await client.type(key);
        if (type === 'string') values.push((await client.getBuffer(key))!);
        else if (type === 'hash') for (const [f, v] of Object.entries(await client.hgetallBuffer(key))) values.push(Buffer.from(f), v);
        else if (type === 'set') values.push(...(await client.smembersBuffer(key)));
        else throw new Error(`unexpected key type ${type} of ${key}`);
      }
      expect(values.length).toBeGreaterThan(3);
      for (const value of [...values, ...keys.map((k) => Buffer.from(k))]) expect(value.includes(marker)).toBe(false);
      expect(values.some((v) => v.includes(plaintext.subarray(0, 64)))).toBe(false);
    } finally {
      client.disconnect();
    }
    const reader = await openOn(prefix);
    try {
      await expect(reader.getDocument(id)).rejects.toBeDefined(); // no key configured: it cannot be opened
    } finally {
      await reader.close();
    }
  });

  it('rebalances under live writers: they wait for the swap and follow the new generation; nothing lost, nothing counted twice', async () => {
    const prefix = `w${++prefixes}`;
    const [a, b, admin] = [await openOn(prefix), await openOn(prefix), await openOn(prefix)];
    const client = new Redis(redis.url);
    try {
      const docs = new Map([...(await storeDocs(a, [31, 32], 'knowledge')), ...(await storeDocs(b, [33], 'knowledge'))]);
      await a.checkpoint(); // b's document is bound only in b's memory
      const [report, during] = await Promise.all([admin.rebalanceLayers({ totalFloats: 1 << 17 }), storeDocs(a, [34], 'knowledge')]);
      expect(report.generation).toBe(1);
      expect((await client.smembers(`${prefix}:h:partials`)).every((name) => name.startsWith('1:'))).toBe(true);
      for (const [id, bytes] of [...during, ...(await storeDocs(b, [35], 'knowledge'))]) docs.set(id, bytes);
      await Promise.all([a.close(), b.close(), admin.close()]);
      expect(await client.smembers(`${prefix}:h:partials`)).toEqual(['1:1:0:base']);
      await expectFieldOfEveryPairOnce(client, prefix, 0, 1);
      const reader = await openOn(prefix);
      try {
        await expectExactRecall(reader, docs);
        expect(await reader.reboundDocuments()).toBe(0);
        expect((await reader.getLayerStats()).summary).toMatchObject({ generation: 1, total_floats: 1 << 17 });
      } finally {
        await reader.close();
      }
    } finally {
      client.disconnect();
    }
  }, 60_000);

  it('a rebalance that died holding the pause: writers take it back after its deadline and go on', async () => {
    const prefix = `w${++prefixes}`;
    const writer = await openOn(prefix);
    const client = new Redis(redis.url);
    try {
      const state = JSON.parse((await client.get(`${prefix}:h:state`))!) as Record<string, unknown>;
      await client.set(`${prefix}:h:state`, JSON.stringify({ ...state, pausedUntil: 1 })); // a deadline long past
      const docs = await storeDocs(writer, [41], 'knowledge');
      expect(JSON.parse((await client.get(`${prefix}:h:state`))!)).not.toHaveProperty('pausedUntil');
      await expectExactRecall(writer, docs);
      const [seconds] = await client.time();
      await client.set(`${prefix}:h:state`, JSON.stringify({ ...JSON.parse((await client.get(`${prefix}:h:state`))!), pausedUntil: Number(seconds) * 1000 + 60_000 }));
      await expect(writer.rebalanceLayers()).rejects.toMatchObject({ code: ErrorCode.STATE, message: expect.stringContaining('another rebalance') });
    } finally {
      client.disconnect();
      await kill(writer);
    }
  });

  it('two `atlas ingest --store redis://` processes write one store; any host recalls and measures all of it', async () => {
    const url = `${redis.url}/3`; // a database of its own: the CLI uses the default prefix
    const files = new Map<string, Uint8Array>();
    const folders = [0, 1].map((w) => {
      const dir = tempDir(`redis-ingest-${w}`);
      dirs.push(dir);
      for (let i = 0; i < 3; i++) {
        const bytes = seededBytes(PAYLOAD_SIZE + 1000 * i + w, 50 + 10 * w + i);
        writeFileSync(join(dir, `f${i}`), bytes);
        files.set(documentIdOf(bytes), bytes);
      }
      return dir;
    });
    const runs = await Promise.all(folders.map((dir) => atlas(['ingest', dir, '--layer', 'experience', '--json', '--store', url])));
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    const stats = await atlas(['stats', '--json', '--store', url]);
    expect(stats.code).toBe(0);
    const parsed = JSON.parse(stats.stdout.toString()) as { holo: { documents: number }; layers: { name: string; items: number; snr_measured: number | null }[] };
    expect(parsed.holo.documents).toBe(6);
    const experience = parsed.layers.find((l) => l.name === 'experience')!;
    expect(experience.items).toBe([...files.values()].reduce((n, b) => n + Math.ceil(b.length / PAYLOAD_SIZE), 0)); // 11
    expect(experience.snr_measured).not.toBeNull();
    const id = [...files.keys()][4]!;
    const got = await atlas(['get', id, '--store', url]);
    expect(got.stdout.equals(Buffer.from(files.get(id)!))).toBe(true);
    const reader = await RedisHoloStore.openHolo(url);
    try {
      for (const [docId, bytes] of files) {
        const recall = await reader.retrieveFromLayer(docId, 'experience');
        expect(Buffer.from(recall.bytes).equals(Buffer.from(bytes))).toBe(true);
        expect(recall.misses).toBe(0);
      }
      expect(await reader.reboundDocuments()).toBe(0); // both processes checkpointed their partial fields on exit
      const client = new Redis(url);
      try {
        expect(await client.smembers('atlas:h:partials')).toEqual(['0:2:0:base']); // and folded them as they left
      } finally {
        client.disconnect();
      }
    } finally {
      await reader.close();
    }
  }, 120_000);
});
