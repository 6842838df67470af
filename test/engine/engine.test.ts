import { describe, expect, it } from 'vitest';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Engine } from '../../src/engine/engine.js';
import type { DocumentResult } from '../../src/engine/document.js';
import { ErrorCode } from '../../src/errors.js';
import { frameDocument, PAYLOAD_SIZE } from '../../src/framing/index.js';
import { r96HistogramPages } from '../../src/l3/r96.js';
import { sha256 } from '../../src/l2/witness.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { LAYERS } from '../../src/holo/layers.js';
import { seededBytes, suiteTempDir } from '../fixtures/engine/data.js';

const SIZES = [0, 1, PAYLOAD_SIZE, PAYLOAD_SIZE + 1, PAYLOAD_SIZE + 2, 3_000_000];
const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function collect(it: AsyncIterable<DocumentResult>): Promise<DocumentResult[]> {
  const out: DocumentResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

const dir = suiteTempDir('engine');

describe('Engine', () => {
  it('round-trips 0, 1, 12,287, 12,288, 12,289 and 3,000,000 bytes exactly, with per-structure results', async () => {
    const engine = await Engine.open({ store: join(dir, 'a'), threads: 2 });
    try {
      const docs = SIZES.map((n, i) => seededBytes(n, i + 1));
      const results = await collect(engine.ingest(docs));
      expect(results.map((r) => r.length)).toEqual(SIZES);
      for (const [i, r] of results.entries()) {
        const doc = docs[i]!;
        const framed = frameDocument(doc);
        const n = framed.length / STRUCTURE_SIZE;
        expect(r).toMatchObject({ id: hex(doc), structures: n, stored: true });
        expect([null, ...LAYERS.map((l) => l.name)]).toContain(r.layer);
        expect(r.witness).toMatchObject({ algo: 'sha256', len: doc.length, sha256: hex(doc), residue: doc.reduce((a, b) => a + b, 0) % 96 });
        expect(r.structureResults).toHaveLength(n);
        const total = new Array<number>(96).fill(0);
        for (let s = 0; s < n; s++) {
          const structure = framed.subarray(s * STRUCTURE_SIZE, (s + 1) * STRUCTURE_SIZE);
          const perPage = r96HistogramPages(structure, new Uint16Array(48 * 96));
          const hist = Array.from({ length: 96 }, (_, c) => { let t = 0; for (let p = 0; p < 48; p++) t += perPage[p * 96 + c]!; return t; });
          hist.forEach((x, c) => (total[c]! += x));
          expect(r.structureResults![s]).toMatchObject({ sha256: sha256(structure).toString('hex'), histogram: hist });
        }
        expect(r.histogram).toEqual(total);
        expect(r.clusters!.sizes).toEqual(total);
        expect(r.clusters!.nonEmpty).toBe(total.filter((x) => x > 0).length);
        expect(Buffer.from(await engine.get(r.id)).equals(Buffer.from(doc))).toBe(true);
        const chunks: Uint8Array[] = [];
        for await (const c of engine.read(r.id)) chunks.push(c);
        expect(Buffer.concat(chunks).equals(Buffer.from(doc))).toBe(true);
      }
      const again = await collect(engine.ingest(docs[5]!, { cluster: false }));
      expect(again[0]).toMatchObject({ id: results[5]!.id, stored: false, histogram: results[5]!.histogram });
      expect(again[0]!.clusters).toBeUndefined();
      expect(await engine.stats()).toMatchObject({ documents: SIZES.length, documentBytes: SIZES.reduce((a, b) => a + b, 0), threads: 2 });
      expect((await engine.verify()).map((r) => r.ok)).toEqual(SIZES.map(() => true));
    } finally {
      await engine.close();
    }
  });

  it('keeps input order with tiny batches, folders (recursive) and async iterables, reporting progress', async () => {
    const root = join(dir, 'in');
    mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
    const files: Record<string, Uint8Array> = {
      'a.bin': seededBytes(40_000, 11),
      'sub/b.bin': seededBytes(0, 12),
      'sub/deeper/c.bin': seededBytes(100_000, 13),
      'z.bin': seededBytes(12_287 * 3, 14),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(root, name), bytes);
    const engine = await Engine.open({ store: join(dir, 'b'), threads: 2, batchStructures: 3, batchBuffers: 2 });
    try {
      const progress: Array<{ bytes: number; documents: number }> = [];
      async function* input() {
        yield seededBytes(5, 15);
        yield root;
      }
      const results = await collect(engine.ingest(input(), { onProgress: (p) => progress.push(p), details: false }));
      expect(results.map((r) => r.path)).toEqual([undefined, ...['a.bin', 'sub/b.bin', 'sub/deeper/c.bin', 'z.bin'].map((f) => join(root, f))]);
      expect(results.map((r) => r.structureResults)).toEqual(results.map(() => undefined));
      for (const r of results.slice(1)) expect(Buffer.from(await engine.get(r.id)).equals(Buffer.from(files[r.path!.slice(root.length + 1)]!))).toBe(true);
      const last = progress.at(-1)!;
      expect(last).toEqual({ bytes: 5 + 40_000 + 100_000 + 12_287 * 3, documents: 5 });
      expect(progress.every((p, i) => i === 0 || (p.bytes >= progress[i - 1]!.bytes && p.documents >= progress[i - 1]!.documents))).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('cancels with an AbortSignal: nothing after the abort, reported documents visible and whole, unread ones absent', async () => {
    const engine = await Engine.open({ store: join(dir, 'c'), threads: 2, batchStructures: 4, batchBuffers: 2 });
    try {
      const docs = Array.from({ length: 12 }, (_, i) => seededBytes(60_000, 100 + i));
      // Aborted by the consumer after two results: no third one arrives.
      const byConsumer = new AbortController();
      const seen: string[] = [];
      const consume = async () => {
        for await (const r of engine.ingest(docs, { signal: byConsumer.signal })) {
          seen.push(r.id);
          if (seen.length === 2) byConsumer.abort();
        }
      };
      await expect(consume()).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen).toEqual(docs.slice(0, 2).map(hex));

      // Aborted while the input is at document 6: documents 6.. are never read, so never visible.
      const store2 = await Engine.open({ store: join(dir, 'c2'), threads: 2, batchStructures: 4, batchBuffers: 2 });
      try {
        const whileReading = new AbortController();
        async function* input() {
          for (const [i, doc] of docs.entries()) {
            if (i === 6) whileReading.abort();
            yield doc;
          }
        }
        const reported: string[] = [];
        await expect((async () => {
          for await (const r of store2.ingest(input(), { signal: whileReading.signal })) reported.push(r.id);
        })()).rejects.toMatchObject({ name: 'AbortError' });
        const visible = (await store2.verify()).map((r) => (expect(r.ok).toBe(true), r.id));
        expect(visible).toEqual(expect.arrayContaining(reported));
        for (const id of visible) expect(docs.slice(0, 6).map(hex)).toContain(id);
        // A rerun stores exactly the rest.
        const rest = await collect(store2.ingest(docs));
        expect(rest.filter((r) => r.stored)).toHaveLength(docs.length - visible.length);
        expect((await store2.stats()).documents).toBe(docs.length);
      } finally {
        await store2.close();
      }
    } finally {
      await engine.close();
    }
  });

  it('yields results while a slow async input waits, and handles more small documents than it may run ahead', async () => {
    const engine = await Engine.open({ store: join(dir, 'f'), threads: 2 });
    try {
      // The input only goes on once the consumer has seen the previous document: no deadlock, each result arrives.
      let release: () => void = () => {};
      async function* gated() {
        for (let i = 0; i < 3; i++) {
          yield seededBytes(1000 + i, 300 + i);
          await new Promise<void>((r) => (release = r));
        }
      }
      const lengths: number[] = [];
      for await (const r of engine.ingest(gated())) {
        lengths.push(r.length);
        release();
      }
      expect(lengths).toEqual([1000, 1001, 1002]);

      const tiny = Array.from({ length: 600 }, (_, i) => seededBytes(10 + (i % 7), 400 + i));
      const results = await collect(engine.ingest(tiny, { details: false }));
      expect(results.map((r) => r.id)).toEqual(tiny.map(hex));
      expect((await engine.stats()).documents).toBe(603);
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('streams a file larger than the memory it may use (bounded memory)', async () => {
    const big = join(dir, 'sparse.bin');
    writeFileSync(big, '');
    truncateSync(big, 160 * 1024 * 1024); // sparse: reads as zeros, costs no disk
    const engine = await Engine.open({ store: join(dir, 'e'), threads: 2 });
    try {
      for await (const _ of engine.ingest(new Uint8Array(1))); // workers and store started before the baseline
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
      // cluster: false, because clusterByResonance allocates per call and each worker's V8 lets up to ~64 MiB of such
      // garbage build up before it collects (bounded, but it would blur what this test measures).
      const [r] = await collect(engine.ingest(big, { details: false, cluster: false, onProgress: sample }));
      expect(r).toMatchObject({ length: 160 * 1024 * 1024, structures: Math.ceil((160 * 1024 * 1024) / PAYLOAD_SIZE) });
      expect(peak - baseline).toBeLessThan(64 * 1024 * 1024);
      expect((await engine.stats()).structures).toBe(1); // every structure is all zeros (the last one's padding too): stored once
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('rejects bad input with clear AtlasErrors', async () => {
    await expect(Engine.open({ store: join(dir, 'd'), threads: 0 })).rejects.toMatchObject({ code: ErrorCode.INVALID });
    const engine = await Engine.open({ store: join(dir, 'd'), threads: 1 });
    await expect(collect(engine.ingest(join(dir, 'missing')))).rejects.toMatchObject({ code: ErrorCode.INVALID, message: expect.stringContaining('ENOENT') });
    await expect(collect(engine.ingest(42 as never))).rejects.toMatchObject({ code: ErrorCode.INVALID });
    await expect(engine.get('nope')).rejects.toMatchObject({ code: ErrorCode.INVALID });
    await expect(engine.get('0'.repeat(64))).rejects.toMatchObject({ code: ErrorCode.INVALID });
    await engine.close();
    await expect(engine.stats()).rejects.toMatchObject({ code: ErrorCode.STATE });
  });
});
