// Capacity policy evict on the embedded HoloStore, where the fields can be inspected: the saved field equals one bound
// from the remaining pairs only, eviction order and counts survive a reopen, a document evicted while it was still
// committing never enters the field, and recall by cue stops finding evicted documents.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PAYLOAD_SIZE } from '../../src/framing/structure.js';
import { ErrorCode } from '../../src/errors.js';
import { documentId, frameDocument } from '../../src/framing/index.js';
import { sha256, witnessGenerate } from '../../src/l2/witness.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { readContainer } from '../../src/store/field-container.js';
import { HoloIndex } from '../../src/store/holo-index.js';
import { HoloStore, type HoloStoreOptions } from '../../src/store/holo-store.js';
import type { DocumentManifest } from '../../src/store/store.js';
import { seededBytes } from '../fixtures/engine/data.js';
import { cleanDirs, newDir, putDoc } from './holo-helpers.js';

afterEach(() => cleanDirs());

const SECRET = new Uint8Array(32).fill(11);
const OPTIONS: HoloStoreOptions = { totalFloats: 1 << 13, headroom: 8, secret: SECRET, capacityPolicy: 'evict' };
const IDENTITY = 0;
const S2 = 100;

interface Doc {
  id: string;
  bytes: Uint8Array;
  manifest: DocumentManifest;
}

async function put(store: HoloStore, chunks: number, seed: number): Promise<Doc> {
  const bytes = seededBytes(chunks * PAYLOAD_SIZE - 3, seed);
  const r = await putDoc(store, bytes, 'identity');
  expect(r.added).toBe(true);
  return { id: r.id, bytes, manifest: r.manifest };
}

/** Frames a document and stores its structures, without making it visible. */
async function staged(store: HoloStore, chunks: number, seed: number): Promise<Doc> {
  const bytes = seededBytes(chunks * PAYLOAD_SIZE - 3, seed);
  const framed = frameDocument(bytes);
  const digests = new Uint8Array(chunks * 32);
  for (let i = 0; i < chunks; i++) digests.set(sha256(framed.subarray(i * STRUCTURE_SIZE, (i + 1) * STRUCTURE_SIZE)), i * 32);
  await store.putStructures(framed, digests);
  const manifest: DocumentManifest = { id: documentId(bytes), length: bytes.length, structures: digests, witness: witnessGenerate(bytes) };
  return { id: manifest.id, bytes, manifest };
}

/** The identity field saved in the store's container (the store must be closed). */
function savedIdentity(dir: string): { re: Float32Array; im: Float32Array; dimension: number } {
  const container = readContainer<{ layout: number[][] }>(join(dir, 'holo-fields.bin'))!;
  expect(container.header.layout[IDENTITY]).toHaveLength(1);
  return { ...container.sections[IDENTITY]!, dimension: container.header.layout[IDENTITY]![0]! };
}

/** The identity field of `dimension` bound from exactly these documents' pairs. */
function boundFrom(docs: readonly Doc[], dimension: number): { re: Float32Array; im: Float32Array } {
  const layers = Array.from({ length: 6 }, (_, k) => [{ dimension: k === IDENTITY ? dimension : 1024, items: 0 }]);
  const index = new HoloIndex(SECRET, { layers, reserve: 0, headroom: 8 }, 0);
  for (const { id, manifest } of docs) index.add(IDENTITY, 0, Buffer.from(id, 'hex'), manifest.structures, true);
  const { re, im } = index.shards[IDENTITY]![0]!.field.spectrum;
  return { re: re as Float32Array, im: im as Float32Array };
}

function maxDifference(a: { re: Float32Array; im: Float32Array }, b: { re: Float32Array; im: Float32Array }): number {
  let max = 0;
  for (let k = 0; k < a.re.length; k++) max = Math.max(max, Math.abs(a.re[k]! - b.re[k]!), Math.abs(a.im[k]! - b.im[k]!));
  return max;
}

describe('HoloStore eviction', () => {
  it('leaves a field equal to one bound from the remaining pairs only; order and counts survive a reopen', async () => {
    const dir = newDir();
    let store = HoloStore.openHolo(dir, OPTIONS);
    const cap = Math.floor((await store.getLayerStats()).layers[IDENTITY]!.dimension / S2);
    const third = Math.floor(cap / 3);
    const docs = [await put(store, third, 101), await put(store, third, 102), await put(store, cap - 2 * third, 103)];
    const newer = [await put(store, 2, 104)]; // evicts docs[0]
    await store.close();
    let saved = savedIdentity(dir);
    const remaining = [...docs.slice(1), ...newer];
    expect(maxDifference(saved, boundFrom(remaining, saved.dimension))).toBeLessThan(1e-5);
    expect(maxDifference(saved, boundFrom([...docs, ...newer], saved.dimension))).toBeGreaterThan(0.05); // unbinding shows

    store = HoloStore.openHolo(dir, OPTIONS);
    try {
      expect((await store.getLayerStats()).layers[IDENTITY]).toMatchObject({ evicted: 1, items: cap - third + 2 });
      await expect(store.retrieveFromLayer(docs[0]!.id)).rejects.toMatchObject({ code: ErrorCode.INVALID });
      // FIFO by admission, not by id (the order a reopen reads records in): the next eviction takes docs[1].
      expect([docs[2]!.id, newer[0]!.id].some((id) => id < docs[1]!.id)).toBe(true);
      newer.push(await put(store, third, 5));
      expect((await store.getLayerStats()).layers[IDENTITY]).toMatchObject({ evicted: 2, items: cap - 2 * third + 2 + third });
      await expect(store.retrieveFromLayer(docs[1]!.id)).rejects.toMatchObject({ code: ErrorCode.INVALID });
      for (const doc of [docs[2]!, ...newer]) expect((await store.retrieveFromLayer(doc.id)).misses).toBe(0);
      for (const doc of docs) expect(Buffer.from(await store.getDocument(doc.id)).equals(Buffer.from(doc.bytes))).toBe(true);
    } finally {
      await store.close();
    }
    saved = savedIdentity(dir);
    expect(maxDifference(saved, boundFrom([docs[2]!, ...newer], saved.dimension))).toBeLessThan(1e-5);
  }, 60_000);

  it('a document evicted while it was still committing never enters the field, and stays evicted after a reopen', async () => {
    const dir = newDir();
    let store = HoloStore.openHolo(dir, OPTIONS);
    const cap = Math.floor((await store.getLayerStats()).layers[IDENTITY]!.dimension / S2);
    const a = await staged(store, cap, 21), b = await staged(store, cap, 22);
    // Both are admitted before either commits: b's admission finds the shard full with a, in flight, and evicts it.
    const [ra, rb] = await Promise.all([store.putRoutedDocument(a.manifest, 'identity'), store.putRoutedDocument(b.manifest, 'identity')]);
    expect([ra.added, rb.added]).toEqual([true, true]);
    expect((await store.getLayerStats({ settle: true })).layers[IDENTITY]).toMatchObject({ evicted: 1, items: cap });
    await expect(store.retrieveFromLayer(a.id)).rejects.toMatchObject({ code: ErrorCode.INVALID });
    expect((await store.retrieveFromLayer(b.id)).misses).toBe(0);
    await store.close();
    const saved = savedIdentity(dir);
    expect(maxDifference(saved, boundFrom([b], saved.dimension))).toBeLessThan(1e-5);
    store = HoloStore.openHolo(dir, OPTIONS);
    try {
      expect((await store.getLayerStats()).layers[IDENTITY]).toMatchObject({ evicted: 1, items: cap });
      await expect(store.retrieveFromLayer(a.id)).rejects.toMatchObject({ code: ErrorCode.INVALID });
      expect(Buffer.from(await store.getDocument(a.id)).equals(Buffer.from(a.bytes))).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('recall by cue stops finding an evicted document once it is evicted, and still finds the others', async () => {
    const store = HoloStore.openHolo(newDir(), OPTIONS);
    try {
      const cap = Math.floor((await store.getLayerStats()).layers[IDENTITY]!.dimension / S2);
      const old = await put(store, cap - 1, 31);
      const cue = old.bytes.subarray(0, PAYLOAD_SIZE);
      expect((await store.recallByCue(cue)).id).toBe(old.id); // the cue index is built with it
      const young = await put(store, 2, 32); // evicts old
      await expect(store.recallByCue(cue)).rejects.toMatchObject({ code: ErrorCode.INVALID, message: expect.stringContaining('no stored structure matches the cue') });
      expect((await store.recallByCue(young.bytes.subarray(0, PAYLOAD_SIZE))).id).toBe(young.id);
    } finally {
      await store.close();
    }
  }, 60_000);
});
