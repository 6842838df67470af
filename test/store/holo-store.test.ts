import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { ErrorCode } from '../../src/errors.js';
import { documentId, frameDocument } from '../../src/framing/index.js';
import { PAYLOAD_SIZE } from '../../src/framing/structure.js';
import { ECC_DEPTH, ECC_PARITY_BYTES, eccEncode } from '../../src/holo/ecc.js';
import { documentParity, encodeRecord, parityDigest } from '../../src/holo/group-parity.js';
import type { HoloStore } from '../../src/store/holo-store.js';
import { sha256, witnessGenerate } from '../../src/l2/witness.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { LAYER_STATS_KEYS } from '../../src/holo/telemetry.js';
import { readContainer } from '../../src/store/field-container.js';
import { seededBytes } from '../fixtures/engine/data.js';
import { cleanDirs, newDir, openSmall, putDoc, VAULT_KEY_HEX } from './holo-helpers.js';

afterEach(() => {
  cleanDirs();
  delete process.env.ATLAS_VAULT_KEY;
});

const SECRET = new Uint8Array(32).fill(3);

function layerOf(report: Awaited<ReturnType<ReturnType<typeof openSmall>['getLayerStats']>>, name: string) {
  return report.layers.find((l) => l.name === name)!;
}

describe('HoloStore capacity (spec §3.6)', () => {
  it('accepts (N + n)·S² = D, then rejects one more under reject and leaves nothing visible', async () => {
    const store = openSmall(newDir(), { totalFloats: 1 << 13, capacityPolicy: 'reject', secret: SECRET });
    try {
      const d = layerOf(await store.getLayerStats(), 'context').dimension; // S = 4: D/16 items fit exactly
      const first = await putDoc(store, seededBytes((d / 16 - 1) * PAYLOAD_SIZE, 1), 'context');
      const second = await putDoc(store, seededBytes(10, 2), 'context');
      expect([first.added, second.added]).toEqual([true, true]);
      let report = await store.getLayerStats();
      expect(layerOf(report, 'context')).toMatchObject({ items: d / 16, dimension: d, capacity_used: 1, spill_shards: 0 });
      const extra = seededBytes(10, 3);
      await expect(putDoc(store, extra, 'context')).rejects.toMatchObject({ code: ErrorCode.BUDGET, message: expect.stringContaining('capacity of layer context exceeded') });
      report = await store.getLayerStats();
      expect(layerOf(report, 'context')).toMatchObject({ items: d / 16, dimension: d }); // D never shrinks, nothing admitted
      const { documentId } = await import('../../src/framing/index.js');
      expect(await store.has(documentId(extra))).toBe(false);
      expect(Buffer.from((await store.retrieveFromLayer(second.id)).bytes).equals(Buffer.from(seededBytes(10, 2)))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('spills to a new shard of the layer under spill, and recalls from it', async () => {
    const dir = newDir();
    const store = openSmall(dir, { totalFloats: 1 << 13, capacityPolicy: 'spill', secret: SECRET });
    try {
      const before = await store.getLayerStats();
      const d = layerOf(before, 'context').dimension;
      await putDoc(store, seededBytes((d / 16) * PAYLOAD_SIZE, 4), 'context');
      const spilled = await putDoc(store, seededBytes(100, 5), 'context');
      const report = await store.getLayerStats();
      const context = layerOf(report, 'context');
      expect(context.spill_shards).toBe(1);
      expect(context.items).toBe(d / 16 + 1);
      expect(context.dimension).toBe(d + 16 * 16); // the spill shard: nextPow2(S²·(n + h)) = 16·(1 + 8) → 256
      expect(report.summary.reserve).toBe(before.summary.reserve - 256);
      const recall = await store.retrieveFromLayer(spilled.id, 'context');
      expect(Buffer.from(recall.bytes).equals(Buffer.from(seededBytes(100, 5)))).toBe(true);
      expect(recall.hits).toBe(1);
    } finally {
      await store.close();
    }
    // The shard layout survives a reopen.
    const again = openSmall(dir);
    try {
      expect(layerOf(await again.getLayerStats(), 'context').spill_shards).toBe(1);
    } finally {
      await again.close();
    }
  });

  it('refuses to spill with too little reserve, and reports infeasible allocations', async () => {
    const store = openSmall(newDir(), { totalFloats: 1 << 13, capacityPolicy: 'spill', secret: SECRET });
    try {
      const { summary } = await store.getLayerStats();
      const n = Math.ceil(summary.reserve / 100) + 1; // identity, S² = 100: a shard for n items exceeds the reserve
      await expect(putDoc(store, seededBytes(n * PAYLOAD_SIZE, 6), 'identity')).rejects.toMatchObject({ code: ErrorCode.BUDGET });
      await expect(store.rebalanceLayers({ totalFloats: 1024 })).rejects.toMatchObject({ code: ErrorCode.BUDGET, message: expect.stringContaining('infeasible') });
    } finally {
      await store.close();
    }
  });
});

describe('HoloStore telemetry (spec §4)', () => {
  it('has exactly the spec keys, measured SNR within 20% of sqrt(D/(N-1)) at several loads, no cross-layer interference', async () => {
    const store = openSmall(newDir(), { totalFloats: 1 << 15, capacityPolicy: 'reject', secret: SECRET });
    try {
      let seed = 100;
      let loaded = 0;
      for (const target of [16, 64, 200]) {
        const chunks = target - loaded;
        await putDoc(store, seededBytes(chunks * PAYLOAD_SIZE, seed++), 'wisdom');
        loaded = target;
        const report = await store.getLayerStats({ settle: true });
        for (const entry of report.layers) expect(Object.keys(entry)).toEqual([...LAYER_STATS_KEYS]);
        const wisdom = layerOf(report, 'wisdom');
        expect(wisdom.items).toBe(target);
        const predicted = Math.sqrt(wisdom.dimension / (target - 1));
        expect(wisdom.snr_predicted).toBeCloseTo(predicted, 10);
        expect(wisdom.snr_measured).not.toBeNull();
        expect(Math.abs(wisdom.snr_measured! / predicted - 1)).toBeLessThan(0.2);
        expect(wisdom.capacity_used).toBeCloseTo((target * 9) / wisdom.dimension, 10);
        for (const entry of report.layers) expect(entry.cross_layer_interference).toBe(0);
      }
    } finally {
      await store.close();
    }
  }, 60_000);

  it('deduplicates identical content and counts it once', async () => {
    const store = openSmall(newDir(), { secret: SECRET });
    try {
      const doc = seededBytes(30_000, 9);
      const a = await putDoc(store, doc, 'experience');
      const b = await putDoc(store, doc, 'knowledge');
      expect([a.added, b.added]).toEqual([true, false]);
      expect(b.layer).toBe('experience');
      const report = await store.getLayerStats();
      expect(layerOf(report, 'experience').items).toBe(3);
      expect(layerOf(report, 'knowledge').items).toBe(0);
      expect(report.summary.documents).toBe(1);
    } finally {
      await store.close();
    }
  });
});

describe('HoloStore background binding', () => {
  it('binds behind the stores once they pause, with no caller waiting, and saves the fields on close', async () => {
    const dir = newDir();
    const store = openSmall(dir, { secret: SECRET });
    const docs = [0, 1, 2, 3].map((i) => seededBytes(2 * PAYLOAD_SIZE + i, 40 + i));
    try {
      for (const doc of docs) await putDoc(store, doc, 'knowledge');
      let report = await store.getLayerStats();
      for (const deadline = Date.now() + 20_000; report.summary.pending_binds > 0 && Date.now() < deadline; report = await store.getLayerStats()) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(report.summary).toMatchObject({ pending_binds: 0, bound_items: 2 + 3 + 3 + 3 });
      expect(layerOf(report, 'knowledge').snr_measured).not.toBeNull();
    } finally {
      await store.close();
    }
    const again = openSmall(dir);
    try {
      const recall = await again.retrieveFromLayer(documentId(docs[3]!), 'knowledge');
      expect(Buffer.from(recall.bytes).equals(Buffer.from(docs[3]!))).toBe(true);
      expect(recall.hits).toBe(3);
    } finally {
      await again.close();
    }
  });
});

describe('HoloStore binding backlog', () => {
  it('stores wait while the binding is bindBacklog pairs behind, so an ingest cannot outrun it without bound', async () => {
    // Binding at D = 2^19 on one thread (~1 ms a pair) is far slower than storing 40-structure documents.
    const store = openSmall(newDir(), { secret: SECRET, totalFloats: 1 << 22, bindThreads: 1, bindBacklog: 40 });
    try {
      let most = 0;
      for (let i = 0; i < 6; i++) {
        await putDoc(store, seededBytes(40 * PAYLOAD_SIZE, 60 + i), 'knowledge');
        most = Math.max(most, (await store.getLayerStats()).summary.pending_binds);
      }
      expect(most).toBeGreaterThan(0); // the binding was behind at all
      expect(most).toBeLessThanOrEqual(40 + 40); // the backlog, plus the one document let in below it
      await store.bound();
      expect((await store.getLayerStats()).summary).toMatchObject({ pending_binds: 0, bound_items: 6 * 40 });
    } finally {
      await store.close();
    }
  }, 60_000);
});

/** Rewrites what a store keeps through a second handle on the same LMDB environment (open it before the store). */
function tamper(dir: string) {
  const raw = open({ path: dir, compression: false, maxDbs: 16, noSync: true });
  const db = (name: string) => raw.openDB<Buffer, Buffer>({ name, encoding: 'binary', keyEncoding: 'binary' });
  const groups = raw.openDB<Buffer, string>({ name: 'group-manifests', encoding: 'binary' });
  return { raw, structures: db('structures'), vaultChunks: db('vault-chunks'), parity: db('parity'), groupParity: db('group-parity'), groups };
}

describe('HoloStore ECC on read (spec §5)', () => {
  // The RS code alone, group parity off (groupSize 0): beyond RS a read is refused here, where by default the group
  // parity would rebuild the structure (holo-conformance covers that).

  it('repairs ≤ 16 bad bytes per codeword (bursts, parity included), refuses more, and counts both', async () => {
    const dir = newDir();
    const t = tamper(dir); // opened first: LMDB keeps one environment per path and process
    const store = openSmall(dir, { secret: SECRET, groupSize: 0 });
    try {
      const doc = seededBytes(2 * PAYLOAD_SIZE, 21);
      const { id, manifest } = await putDoc(store, doc, 'knowledge');
      const key = Buffer.from(manifest.structures.subarray(0, 32));
      const clean = Buffer.from(t.structures.get(key)!);
      const corrupt = (edit: (b: Buffer) => void) => {
        const b = Buffer.from(clean);
        edit(b);
        t.structures.putSync(key, b);
      };
      const read = () => store.getDocument(id).then((bytes) => Buffer.from(bytes).equals(Buffer.from(doc)), (err: { code?: number }) => err.code);
      // A repair is written back (asynchronously): wait for it before the next tampering, or it would undo that.
      const healed = () => vi.waitFor(() => {
        t.raw.resetReadTxn();
        expect(Buffer.from(t.structures.get(key)!).equals(clean)).toBe(true);
      });

      corrupt((b) => { for (let i = 5000; i < 5896; i++) b[i]! ^= 0x5a; }); // an 896-byte burst: 16 per codeword
      expect(await read()).toBe(true);
      // The repair is written back: the stored bytes are clean again and the next read repairs nothing.
      await healed();
      expect(await read()).toBe(true);
      expect(layerOf(await store.getLayerStats(), 'knowledge')).toMatchObject({ ecc_repairs: 1 });
      corrupt((b) => { for (let k = 0; k < 16; k++) b[7 + k * ECC_DEPTH]! ^= 0xff; }); // 16 in one codeword
      expect(await read()).toBe(true);
      await healed();
      const parityKey = key;
      const parity = Buffer.from(t.parity.get(parityKey)!);
      const badParity = Buffer.from(parity);
      badParity[100]! ^= 1;
      t.parity.putSync(parityKey, badParity);
      corrupt((b) => { b[3]! ^= 1; }); // one bad data byte and one bad parity byte
      expect(await read()).toBe(true);
      await healed();
      await vi.waitFor(() => {
        t.raw.resetReadTxn();
        expect(Buffer.from(t.parity.get(parityKey)!).equals(parity)).toBe(true); // the parity was rewritten too
      });
      let report = await store.getLayerStats();
      expect(layerOf(report, 'knowledge')).toMatchObject({ ecc_repairs: 3, ecc_failures: 0 });

      corrupt((b) => { for (let k = 0; k < 17; k++) b[7 + k * ECC_DEPTH]! ^= 0xff; }); // 17 in one codeword
      expect(await read()).toBe(ErrorCode.WITNESS);
      corrupt((b) => { for (let i = 0; i < 1100; i++) b[i]! ^= 0x33; }); // a burst beyond 896 bytes
      expect(await read()).toBe(ErrorCode.WITNESS);
      await expect(store.retrieveFromLayer(id)).rejects.toMatchObject({ code: ErrorCode.WITNESS, message: expect.stringContaining('unrecoverable') });
      report = await store.getLayerStats();
      expect(layerOf(report, 'knowledge')).toMatchObject({ ecc_repairs: 3, ecc_failures: 3 });
      expect((await store.verify([id]))[0]).toMatchObject({ ok: false });
    } finally {
      await store.close();
      await t.raw.close();
    }
  });

  it('keeps the RS parity its caller computed (the engine\'s workers do), a copy, and refuses parity of the wrong length', async () => {
    const dir = newDir();
    const t = tamper(dir);
    const store = openSmall(dir, { secret: SECRET, groupSize: 0 });
    try {
      const doc = seededBytes(2 * PAYLOAD_SIZE, 22);
      const framed = frameDocument(doc);
      const structures = [0, 1].map((i) => framed.subarray(i * STRUCTURE_SIZE, (i + 1) * STRUCTURE_SIZE));
      const digests = Buffer.concat(structures.map((s) => sha256(s)));
      const parity = Buffer.concat(structures.map((s) => eccEncode(s)));
      await expect(store.putStructures(framed, digests, parity.subarray(1))).rejects.toMatchObject({ code: ErrorCode.INVALID });
      await store.putStructures(framed, digests, parity);
      parity.fill(0); // the caller reuses its buffer at once
      const manifest = { id: documentId(doc), length: doc.length, structures: digests, witness: witnessGenerate(doc) };
      await store.putRoutedDocument(manifest, 'knowledge');
      const key = digests.subarray(0, 32);
      expect(Buffer.from(t.parity.get(key)!).equals(eccEncode(structures[0]!))).toBe(true);
      const bad = Buffer.from(t.structures.get(key)!);
      for (let i = 100; i < 900; i++) bad[i]! ^= 0x5a; // within RS capacity: repaired from that parity
      t.structures.putSync(key, bad);
      expect(Buffer.from(await store.getDocument(manifest.id)).equals(Buffer.from(doc))).toBe(true);
    } finally {
      await store.close();
      await t.raw.close();
    }
  });

  it('repairs a corrupted Vault chunk (ECC covers the ciphertext) and fails closed beyond it', async () => {
    process.env.ATLAS_VAULT_KEY = VAULT_KEY_HEX;
    const dir = newDir();
    const t = tamper(dir);
    const store = openSmall(dir, { secret: SECRET, groupSize: 0 });
    try {
      const doc = seededBytes(20_000, 22);
      const { id } = await store.putVault(doc);
      const [address] = [...t.vaultChunks.getKeys()] as Buffer[];
      const clean = Buffer.from(t.vaultChunks.get(address!)!);
      const bad = Buffer.from(clean);
      for (let i = 100; i < 900; i++) bad[i]! ^= 0x11;
      t.vaultChunks.putSync(address!, bad);
      expect(Buffer.from(await store.getDocument(id)).equals(Buffer.from(doc))).toBe(true);
      await vi.waitFor(() => { // the repaired chunk is written back; wait for it before tampering again
        t.raw.resetReadTxn();
        expect(Buffer.from(t.vaultChunks.get(address!)!).equals(clean)).toBe(true);
      });
      for (let i = 100; i < 2000; i++) bad[i]! ^= 0x22;
      t.vaultChunks.putSync(address!, bad);
      await expect(store.getDocument(id)).rejects.toMatchObject({ code: ErrorCode.WITNESS });
      expect(layerOf(await store.getLayerStats(), 'vault')).toMatchObject({ ecc_repairs: 1, ecc_failures: 1 });
    } finally {
      await store.close();
      await t.raw.close();
    }
  });
});

describe('HoloStore parity stripes (group parity version 3)', () => {
  /** Documents of one 4 KiB structure each, their structures put in one call (as one engine batch is), then made visible. */
  async function putSmallDocs(store: HoloStore, count: number, seed: number) {
    const docs = Array.from({ length: count }, (_, i) => seededBytes(4096, seed + i));
    const framed = docs.map((d) => frameDocument(d));
    const digests = Buffer.concat(framed.map((f) => sha256(f)));
    await store.putStructures(Buffer.concat(framed), digests);
    const ids: string[] = [];
    for (const [i, doc] of docs.entries()) {
      const manifest = { id: documentId(doc), length: doc.length, structures: digests.subarray(32 * i, 32 * (i + 1)), witness: witnessGenerate(doc) };
      ids.push((await store.putRoutedDocument(manifest, 'knowledge')).id);
    }
    return { docs, ids, digest: (i: number) => digests.subarray(32 * i, 32 * (i + 1)) };
  }
  const read = (store: HoloStore, id: string) => store.getDocument(id).then((bytes) => bytes, (err: Error) => err);
  const same = (a: Uint8Array | Error, b: Uint8Array) => a instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));

  it('stripes g new structures across documents: a lost one is rebuilt from its stripe, a second loss names the other document\'s structure', async () => {
    const dir = newDir();
    const t = tamper(dir);
    const store = openSmall(dir, { secret: SECRET, groupSize: 4 });
    try {
      const { docs, ids, digest } = await putSmallDocs(store, 10, 40); // stripes 0–3, 4–7 and 8–9
      // One block per stripe, as long as one stored structure (4,096 payload bytes and the conservation byte) and its
      // length: a quarter of a copy per document, where a group of its own was a whole copy.
      expect((await store.stats()).groupParityBytes).toBe(3 * (4 + 4097));
      expect(t.parity.get(Buffer.from(digest(5)))!.length).toBe(ECC_PARITY_BYTES + 32); // RS parity, then its stripe's key
      await t.structures.remove(Buffer.from(digest(5)));
      expect(same(await read(store, ids[5]!), docs[5]!)).toBe(true); // from documents 4, 6 and 7 and the block
      expect(layerOf(await store.getLayerStats(), 'knowledge')).toMatchObject({ ecc_repairs: 1, ecc_failures: 0 });
      await vi.waitFor(() => {
        t.raw.resetReadTxn();
        expect(t.structures.doesExist(Buffer.from(digest(5)))).toBe(true); // written back
        expect(t.parity.get(Buffer.from(digest(5)))!.length).toBe(ECC_PARITY_BYTES + 32); // still in its stripe
      });
      await t.structures.remove(Buffer.from(digest(4)));
      await t.structures.remove(Buffer.from(digest(6)));
      const lost = await read(store, ids[4]!);
      expect(lost).toMatchObject({ code: ErrorCode.WITNESS, message: expect.stringContaining(`document ${ids[4]}: structure 0 is missing and unrecoverable`) });
      expect((lost as Error).message).toContain(`structure ${Buffer.from(digest(6)).toString('hex')} (of another document) of the same parity group (stripe `);
      expect(same(await read(store, ids[9]!), docs[9]!)).toBe(true); // another stripe: untouched
      expect(layerOf(await store.getLayerStats(), 'knowledge')).toMatchObject({ ecc_repairs: 1, ecc_failures: 1 });
    } finally {
      await store.close();
      await t.raw.close();
    }
  });

  it('still rebuilds from a document\'s own group parity record, as builds before stripes wrote it (version 2)', async () => {
    const dir = newDir();
    const t = tamper(dir);
    const store = openSmall(dir, { secret: SECRET });
    try {
      const doc = seededBytes(19 * PAYLOAD_SIZE - 100, 41);
      const { id, manifest } = await putDoc(store, doc, 'knowledge');
      const digests = Array.from({ length: 19 }, (_, i) => Buffer.from(manifest.structures.subarray(32 * i, 32 * (i + 1))));
      // Rewritten as a build before stripes stored it: parity records without a stripe key, the document's own record.
      for (const d of digests) t.parity.putSync(d, t.parity.get(d)!.subarray(0, ECC_PARITY_BYTES));
      const { record, blocks } = documentParity('structure', 19, 8, STRUCTURE_SIZE, (i) => t.structures.get(digests[i]!)!);
      expect(record.version).toBe(2);
      blocks.forEach((block, group) => t.groupParity.putSync(Buffer.from(parityDigest(record, group)), block));
      t.groups.putSync(id, encodeRecord(record));
      await t.structures.remove(digests[10]!);
      expect(same(await read(store, id), doc)).toBe(true);
      expect(layerOf(await store.getLayerStats(), 'knowledge')).toMatchObject({ ecc_repairs: 1, ecc_failures: 0 });
    } finally {
      await store.close();
      await t.raw.close();
    }
  });
});

describe('HoloStore rebalance and persistence (spec §3.7, §5)', () => {
  it('a rebalance is durable: the new generation and every recall survive a reopen (the rebalance itself: holo-conformance)', async () => {
    const dir = newDir();
    const store = openSmall(dir, { totalFloats: 1 << 14, capacityPolicy: 'spill', secret: SECRET });
    const docs: { id: string; bytes: Uint8Array }[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const bytes = seededBytes(500 + i * 6000, 200 + i);
        docs.push({ id: (await putDoc(store, bytes, i % 2 ? 'knowledge' : 'context')).id, bytes });
      }
      expect((await store.rebalanceLayers({ totalFloats: 1 << 16 })).generation).toBe(1);
    } finally {
      await store.close();
    }
    const again = openSmall(dir);
    try {
      expect((await again.getLayerStats()).summary).toMatchObject({ generation: 1, total_floats: 1 << 16 });
      for (const { id, bytes } of docs) expect(Buffer.from((await again.retrieveFromLayer(id)).bytes).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      await again.close();
    }
  }, 60_000);

  it('checkpoints at most once per 5 s however often binding catches up, and saves a store that went idle', async () => {
    const dir = newDir();
    const store = openSmall(dir, { checkpointEvery: 2 });
    const path = join(dir, 'holo-fields.bin');
    // Each checkpoint renames a new temp file into place: a new inode.
    const saved = (): number | undefined => statSync(path, { throwIfNoEntry: false })?.ino;
    try {
      const seen = new Set<number | undefined>();
      for (let i = 0; i < 20; i++) {
        await putDoc(store, seededBytes(3000, 900 + i), 'knowledge');
        await store.bound();
        await new Promise((r) => setTimeout(r, 10));
        seen.add(saved());
      }
      seen.delete(undefined);
      expect(seen.size).toBe(1); // the first checkpoint only: ten were due by count
      const first = [...seen][0];
      await expect.poll(saved, { timeout: 8000, interval: 200 }).not.toBe(first);
    } finally {
      await store.close();
    }
  }, 15_000);

  it('writes fields to a CRC32-checked container; a damaged one is detected and rebuilt from the manifests', async () => {
    const dir = newDir();
    const store = openSmall(dir, { secret: SECRET });
    const doc = seededBytes(40_000, 31);
    let id: string;
    try {
      id = (await putDoc(store, doc, 'preference')).id;
    } finally {
      await store.close();
    }
    const path = join(dir, 'holo-fields.bin');
    const container = readContainer<{ generation: number }>(path)!;
    expect(container.header.generation).toBe(0);
    expect(container.sections.length).toBe(6);
    const bytes = readFileSync(path);
    bytes[bytes.length - 100]! ^= 0x40; // inside the last field section
    writeFileSync(path, bytes);
    expect(() => readContainer(path)).toThrow(/CRC32 mismatch/);
    writeFileSync(`${path}.tmp-12345`, bytes.subarray(0, 1000)); // a crash mid-write leaves only a temp file
    const again = openSmall(dir);
    try {
      const recall = await again.retrieveFromLayer(id);
      expect(Buffer.from(recall.bytes).equals(Buffer.from(doc))).toBe(true);
      expect(recall.misses).toBe(0);
    } finally {
      await again.close();
    }
    expect(() => readContainer(path)).not.toThrow(); // rebuilt and saved again
  });
});
