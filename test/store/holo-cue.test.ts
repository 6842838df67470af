import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PAYLOAD_SIZE } from '../../src/framing/structure.js';
import { CUE_SHARD_ITEMS, type CueHeader } from '../../src/store/cue-index.js';
import { readContainer } from '../../src/store/field-container.js';
import type { HoloStore } from '../../src/store/holo-store.js';
import { seededBytes } from '../fixtures/engine/data.js';
import { cleanDirs, newDir, openSmall, putDoc, VAULT_KEY_HEX } from './holo-helpers.js';

afterEach(() => {
  cleanDirs();
  delete process.env.ATLAS_VAULT_KEY;
});

const LAYERS = ['identity', 'knowledge', 'context'] as const;
const SECRET = new Uint8Array(32).fill(9);

interface Stored {
  id: string;
  bytes: Uint8Array;
  layer: string;
}

/** Payload i of a document: what a structure holds. */
function payload(doc: Uint8Array, i: number): Uint8Array {
  return doc.subarray(i * PAYLOAD_SIZE, (i + 1) * PAYLOAD_SIZE);
}

/** A copy with `count` bytes at spread positions replaced by different values. */
function corrupt(bytes: Uint8Array, count: number, salt: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let j = 0; j < count; j++) {
    const at = (j * 7919 + salt * 104729) % out.length;
    out[at] = (out[at]! + 1 + ((j * 31 + salt) % 255)) & 0xff;
  }
  return out;
}

/** Documents of 1-4 structures (the last one short) in several layers. */
async function fill(store: HoloStore, count: number, seed: number): Promise<Stored[]> {
  const stored: Stored[] = [];
  for (let d = 0; d < count; d++) {
    const layer = LAYERS[d < 28 ? 1 : d % LAYERS.length]!; // the first 28 (70 structures) fill more than one knowledge shard
    const bytes = seededBytes(PAYLOAD_SIZE * (1 + (d % 4)) - 1000 * (d % 3), seed + d);
    const r = await putDoc(store, bytes, layer);
    expect(r.added).toBe(true);
    stored.push({ id: r.id, bytes, layer });
  }
  return stored;
}

async function expectRecall(store: HoloStore, doc: Stored, index: number, corrupted: number): Promise<void> {
  const original = payload(doc.bytes, index);
  const cue = corrupt(original, corrupted, index + corrupted);
  expect(Buffer.from(cue).equals(Buffer.from(original))).toBe(corrupted === 0);
  const r = await store.recallByCue(cue);
  expect({ id: r.id, index: r.index, layer: r.layer }).toEqual({ id: doc.id, index, layer: doc.layer });
  expect(r.margin).toBeGreaterThanOrEqual(0.5);
  expect(r.score).toBeGreaterThan(r.margin);
  expect(Buffer.from(r.bytes).equals(Buffer.from(original))).toBe(true);
}

describe('HoloStore recall by noisy cue', () => {
  it('finds the document and index of a structure with 1, 16 and 200 corrupted bytes, and returns the exact original', async () => {
    const store = openSmall(newDir(), { secret: SECRET });
    try {
      const docs = await fill(store, 40, 500);
      const knowledge = docs.filter((d) => d.layer === 'knowledge').reduce((s, d) => s + Math.ceil(d.bytes.length / PAYLOAD_SIZE), 0);
      expect(knowledge).toBeGreaterThan(CUE_SHARD_ITEMS); // the knowledge layer opens a second cue shard
      for (const [n, corrupted] of [1, 16, 200].entries()) {
        const doc = docs[7 + 11 * n]!;
        await expectRecall(store, doc, Math.ceil(doc.bytes.length / PAYLOAD_SIZE) - 1, corrupted);
        await expectRecall(store, docs[3 + n]!, 0, corrupted);
      }
      expect(readContainer<CueHeader>(join(store.path, 'holo-cue.bin'))!.sections.length).toBeGreaterThan(3);
      // Restricted to the right layer it is found; to another layer it is not.
      const doc = docs[1]!;
      const cue = corrupt(payload(doc.bytes, 0), 16, 3);
      expect((await store.recallByCue(cue, doc.layer)).id).toBe(doc.id);
      await expect(store.recallByCue(cue, 'wisdom')).rejects.toThrow(/INVALID: no stored structure matches the cue/);
      await expect(store.recallByCue(cue, 'identity' === doc.layer ? 'context' : 'identity')).rejects.toThrow(/INVALID: no stored structure matches the cue: best margin/);
    } finally {
      await store.close();
    }
  });

  it('refuses unrelated, empty, constant, oversized and vault cues with a clear INVALID, never a guess', async () => {
    const store = openSmall(newDir(), { secret: SECRET });
    try {
      await fill(store, 12, 700);
      for (let s = 0; s < 5; s++) await expect(store.recallByCue(seededBytes(PAYLOAD_SIZE, 9000 + s))).rejects.toThrow(/^INVALID: no stored structure matches the cue: best margin 0\.\d+ < τ 0\.5$/);
      await expect(store.recallByCue(new Uint8Array(0))).rejects.toThrow(/INVALID: the cue is empty/);
      await expect(store.recallByCue(new Uint8Array(PAYLOAD_SIZE + 1).fill(65))).rejects.toThrow(/INVALID: the cue carries no content/);
      await expect(store.recallByCue(new Uint8Array(12289))).rejects.toThrow(/INVALID: a cue is at most one structure/);
      await expect(store.recallByCue(seededBytes(100, 1), 'vault')).rejects.toThrow(/INVALID: the vault binds nothing/);
    } finally {
      await store.close();
    }
  });

  it('an empty store has nothing to match, and vault documents take no part', async () => {
    process.env.ATLAS_VAULT_KEY = VAULT_KEY_HEX;
    const store = openSmall(newDir(), { secret: SECRET });
    try {
      const secret = seededBytes(PAYLOAD_SIZE, 31);
      await store.putVault(secret);
      await expect(store.recallByCue(secret)).rejects.toThrow(/INVALID: no stored structure matches the cue: the store holds none/);
    } finally {
      await store.close();
    }
  });

  it('saves the index: after a reopen the same cues give the same answers, and documents stored later are bound too', async () => {
    const dir = newDir();
    const cues: { cue: Uint8Array; doc: Stored; index: number }[] = [];
    let before: Awaited<ReturnType<HoloStore['recallByCue']>>[];
    let store = openSmall(dir, { secret: SECRET });
    try {
      const docs = await fill(store, 15, 1300);
      for (const [n, doc] of docs.entries()) if (n % 3 === 0) cues.push({ cue: corrupt(payload(doc.bytes, 0), 16, n), doc, index: 0 });
      await expectRecall(store, docs[1]!, 0, 16);
      expect(existsSync(join(dir, 'holo-cue.bin'))).toBe(true);
      // Stored after the index was built: bound on the next cue recall.
      const late = await fill(store, 3, 1400);
      for (const doc of late) await expectRecall(store, doc, 0, 16);
      before = [];
      for (const { cue } of cues) before.push(await store.recallByCue(cue));
    } finally {
      await store.close();
    }
    store = openSmall(dir);
    try {
      for (const [n, { cue, doc, index }] of cues.entries()) {
        const r = await store.recallByCue(cue);
        expect(r).toEqual(before[n]);
        expect({ id: r.id, index: r.index }).toEqual({ id: doc.id, index });
      }
      const later = await fill(store, 2, 1500);
      for (const doc of later) await expectRecall(store, doc, 0, 1);
    } finally {
      await store.close();
    }
  });

  it('rebuilds from the stored structures when the saved index is damaged', async () => {
    const dir = newDir();
    let store = openSmall(dir, { secret: SECRET });
    let docs: Stored[];
    try {
      docs = await fill(store, 6, 1700);
      await expectRecall(store, docs[2]!, 0, 16);
    } finally {
      await store.close();
    }
    const file = join(dir, 'holo-cue.bin');
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(file, bytes);
    store = openSmall(dir);
    try {
      await expectRecall(store, docs[4]!, 0, 200);
    } finally {
      await store.close();
    }
  });
});
