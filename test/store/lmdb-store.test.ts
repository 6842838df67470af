import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { ErrorCode } from '../../src/errors.js';
import { documentId, frameDocument, PAYLOAD_SIZE } from '../../src/framing/index.js';
import { sha256, witnessGenerate } from '../../src/l2/witness.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { LmdbStore } from '../../src/store/lmdb-store.js';
import { RemoteStore } from '../../src/store/remote.js';
import { reviveError } from '../../src/store/check.js';
import { AtlasError } from '../../src/errors.js';
import type { DocumentManifest, Store } from '../../src/store/store.js';
import { seededBytes, tempDir } from '../fixtures/engine/data.js';
import { putStructuresOf } from '../fixtures/engine/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newDir(): string {
  const d = tempDir('store');
  dirs.push(d);
  return d;
}

describe('LmdbStore', () => {
  it('stores content-addressed structures once and documents once, and reads them back exactly', async () => {
    const store = LmdbStore.open(newDir());
    try {
      const doc = seededBytes(3 * PAYLOAD_SIZE + 10, 1);
      const twice = new Uint8Array([...doc.subarray(0, PAYLOAD_SIZE), ...doc.subarray(0, PAYLOAD_SIZE)]);
      const { manifest } = await putStructuresOf(store, doc);
      expect(await store.has(manifest.id)).toBe(false);
      expect(await store.putDocument(manifest)).toBe(true);
      expect(await store.putDocument(manifest)).toBe(false);
      const second = await putStructuresOf(store, twice);
      expect(await store.putDocument(second.manifest)).toBe(true);
      expect(Buffer.from(await store.getDocument(manifest.id)).equals(Buffer.from(doc))).toBe(true);
      expect(Buffer.from(await store.getDocument(manifest.id, 1, 2)).equals(Buffer.from(doc.subarray(PAYLOAD_SIZE, 3 * PAYLOAD_SIZE)))).toBe(true);
      const stats = await store.stats();
      expect(stats).toMatchObject({ documents: 2, structures: 4, documentBytes: doc.length + twice.length }); // twice is doc's first structure, twice
      expect((await store.verify()).every((r) => r.ok)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('lets the caller reuse a (shared) batch buffer as soon as putStructures returns, and commits its structures with the next document', async () => {
    const dir = newDir();
    let store = LmdbStore.open(dir);
    const docs = [seededBytes(2 * PAYLOAD_SIZE + 5, 21), seededBytes(300, 22)];
    try {
      const batch = new Uint8Array(new SharedArrayBuffer(4 * STRUCTURE_SIZE)); // 3 + 1 structures
      const manifests: DocumentManifest[] = [];
      let at = 0;
      for (const doc of docs) {
        const framed = frameDocument(doc);
        batch.set(framed, at);
        const n = framed.length / STRUCTURE_SIZE;
        const digests = new Uint8Array(n * 32);
        for (let i = 0; i < n; i++) digests.set(sha256(framed.subarray(i * STRUCTURE_SIZE, (i + 1) * STRUCTURE_SIZE)), i * 32);
        manifests.push({ id: documentId(doc), length: doc.length, structures: digests, witness: witnessGenerate(doc) });
        at += framed.length;
      }
      const all = new Uint8Array(Buffer.concat(manifests.map((m) => m.structures)));
      await store.putStructures(batch, all);
      batch.fill(0xee); // the engine refills its batch buffer at once
      for (const m of manifests) expect(await store.putDocument(m)).toBe(true);
    } finally {
      await store.close();
    }
    store = LmdbStore.open(dir);
    try {
      for (const doc of docs) expect(Buffer.from(await store.getDocument(documentId(doc))).equals(Buffer.from(doc))).toBe(true);
      expect((await store.stats()).structures).toBe(4);
    } finally {
      await store.close();
    }
  });

  it('keeps stats totals across reopen, and sums them once for a store written before the totals existed', async () => {
    const dir = newDir();
    const docs = [seededBytes(5000, 11), seededBytes(2 * PAYLOAD_SIZE + 3, 12)];
    let store = LmdbStore.open(dir);
    for (const doc of docs) await store.putDocument((await putStructuresOf(store, doc)).manifest);
    await store.close();
    const raw = open({ path: dir, compression: false, maxDbs: 16 });
    await raw.openDB<number, string>({ name: 'totals' }).remove('documentBytes');
    await raw.close();
    store = LmdbStore.open(dir);
    try {
      expect((await store.stats()).documentBytes).toBe(docs[0]!.length + docs[1]!.length);
      const third = seededBytes(777, 13);
      await store.putDocument((await putStructuresOf(store, third)).manifest);
      expect(await store.stats()).toMatchObject({ documents: 3, documentBytes: docs[0]!.length + docs[1]!.length + third.length });
    } finally {
      await store.close();
    }
  });

  it('refuses a manifest whose structures are not stored, and unknown or malformed ids', async () => {
    const store = LmdbStore.open(newDir());
    try {
      const doc = seededBytes(500, 2);
      const manifest: DocumentManifest = { id: documentId(doc), length: 500, structures: sha256(frameDocument(doc)), witness: witnessGenerate(doc) };
      await expect(store.putDocument(manifest)).rejects.toMatchObject({ code: ErrorCode.STATE });
      expect(await store.has(manifest.id)).toBe(false);
      await expect(store.getDocument(manifest.id)).rejects.toMatchObject({ code: ErrorCode.INVALID });
      await expect(store.getDocument('not-an-id')).rejects.toMatchObject({ code: ErrorCode.INVALID });
    } finally {
      await store.close();
    }
  });

  it('detects every single flipped byte of a stored structure (written through a second LMDB handle)', async () => {
    const dir = newDir();
    // The test's handle skips fsync (opened first: LMDB keeps one environment per path and process).
    const raw = open({ path: dir, compression: false, maxDbs: 8, noSync: true });
    const store = LmdbStore.open(dir);
    try {
      const doc = seededBytes(PAYLOAD_SIZE - 100, 3); // one structure with padding
      const { manifest, framed } = await putStructuresOf(store, doc);
      await store.putDocument(manifest);
      const structures = raw.openDB<Buffer, Buffer>({ name: 'structures', encoding: 'binary', keyEncoding: 'binary' });
      const key = Buffer.from(manifest.structures);
      const failures = new Set<number>();
      for (let i = 0; i < STRUCTURE_SIZE; i++) {
        const flipped = Buffer.from(framed);
        flipped[i]! ^= 1 << (i % 8);
        structures.putSync(key, flipped);
        const result = await store.getDocument(manifest.id).then(() => 'returned', (err: { code?: number }) => err.code);
        if (result !== ErrorCode.WITNESS) failures.add(i);
      }
      expect([...failures]).toEqual([]);
      structures.putSync(key, Buffer.from(framed));
      expect(Buffer.from(await store.getDocument(manifest.id)).equals(Buffer.from(doc))).toBe(true);
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('detects a byte flipped in the data.mdb file, and a manifest whose structure list was reordered', async () => {
    const dir = newDir();
    const doc = seededBytes(2 * PAYLOAD_SIZE, 4);
    const framed = frameDocument(doc);
    let store = LmdbStore.open(dir);
    const { manifest } = await putStructuresOf(store, doc);
    await store.putDocument(manifest);
    await store.close();

    const file = join(dir, 'data.mdb');
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from(framed.subarray(STRUCTURE_SIZE + 1000, STRUCTURE_SIZE + 1064)));
    expect(at).toBeGreaterThan(0);
    bytes[at + 7]! ^= 0x40;
    writeFileSync(file, bytes);
    store = LmdbStore.open(dir);
    try {
      await expect(store.getDocument(manifest.id)).rejects.toMatchObject({ code: ErrorCode.WITNESS });
      const [report] = await store.verify([manifest.id]);
      expect(report).toMatchObject({ id: manifest.id, ok: false });
      expect(report!.error).toMatch(/structure 1/);
    } finally {
      await store.close();
    }

    // Swapping the two structure digests keeps every structure valid; only the document hash can catch it.
    const dir2 = newDir();
    store = LmdbStore.open(dir2);
    try {
      const other = await putStructuresOf(store, doc);
      const s = other.manifest.structures;
      const swapped = new Uint8Array([...s.subarray(32, 64), ...s.subarray(0, 32)]);
      await store.putDocument({ ...other.manifest, structures: swapped });
      await expect(store.getDocument(manifest.id)).rejects.toMatchObject({ code: ErrorCode.WITNESS });
      expect((await store.verify([manifest.id]))[0]!.ok).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('works from its owner thread through comlink, with AtlasError codes preserved', async () => {
    const dir = newDir();
    const store = await RemoteStore.open(dir);
    try {
      const doc = seededBytes(40_000, 5);
      const { manifest } = await putStructuresOf(store, doc);
      expect(await store.putDocument(manifest)).toBe(true);
      expect(Buffer.from(await store.getDocument(manifest.id)).equals(Buffer.from(doc))).toBe(true);
      await expect(store.getDocument('0'.repeat(64))).rejects.toMatchObject({ name: 'AtlasError', code: ErrorCode.INVALID });
    } finally {
      await store.close();
    }
    const notADir = join(dir, 'data.mdb');
    await expect(RemoteStore.open(notADir)).rejects.toMatchObject({ code: ErrorCode.STATE });
  });

  it('revives AtlasErrors that crossed a thread as plain errors, and leaves other errors alone', () => {
    expect(reviveError(new Error('BUDGET: structure 3: no budget for a shard'))).toMatchObject({ name: 'AtlasError', code: ErrorCode.BUDGET, message: 'BUDGET: structure 3: no budget for a shard' });
    expect(reviveError(Object.assign(new Error('WITNESS: x'), { name: 'AtlasError' }))).toBeInstanceOf(AtlasError);
    const plain = new Error('ENOENT: no such file');
    expect(reviveError(plain)).toBe(plain);
    const type = new TypeError('STATE: looks like one');
    expect(reviveError(type)).toBe(type);
  });
});
