import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { BatchPool } from '../../src/engine/batch-pool.js';
import { Engine } from '../../src/engine/engine.js';
import { domainCreate, domainDestroy } from '../../src/engine/kernels.js';
import { frameDocument } from '../../src/framing/index.js';
import { sha256 } from '../../src/l2/witness.js';
import { r96HistogramPages } from '../../src/l3/r96.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { seededBytes, suiteTempDir } from '../fixtures/engine/data.js';

const dir = suiteTempDir('batch-pool');

/** Per-structure SHA-256 (hex) and 96-bin R96 histogram of the framed document, computed directly. */
function expected(doc: Uint8Array): Array<{ sha256: string; histogram: number[] }> {
  const framed = frameDocument(doc);
  return Array.from({ length: framed.length / STRUCTURE_SIZE }, (_, s) => {
    const structure = framed.subarray(s * STRUCTURE_SIZE, (s + 1) * STRUCTURE_SIZE);
    const perPage = r96HistogramPages(structure, new Uint16Array(48 * 96));
    const histogram = Array.from({ length: 96 }, (_, c) => { let t = 0; for (let p = 0; p < 48; p++) t += perPage[p * 96 + c]!; return t; });
    return { sha256: sha256(structure).toString('hex'), histogram };
  });
}

describe('BatchPool', () => {
  it('hands a returned set to the next run, and keeps no set whose domains are still live', () => {
    const pool = new BatchPool(4, 2);
    const first = pool.take();
    expect(first.buffers).toHaveLength(2);
    expect(first.buffers[0]!.payloads).toHaveLength(4);
    pool.give(first);
    expect(pool.take()).toBe(first);
    const d = domainCreate(STRUCTURE_SIZE, 1, first.table);
    pool.give(first);
    expect(pool.take()).not.toBe(first);
    domainDestroy(d);
  });

  it('reused buffers give the same results as fresh ones: padding, histograms and clusters start clean every run', async () => {
    const engine = await Engine.open({ store: join(dir, 'a'), threads: 2, batchStructures: 4, batchBuffers: 2 });
    try {
      // A run that fills every structure of every buffer with random bytes, then short documents whose padding and
      // cluster counters would show any leftover.
      const runs = [[seededBytes(9 * 12_287, 1)], [seededBytes(1, 2), seededBytes(5000, 3)], [seededBytes(12_290, 4)]];
      for (const docs of runs) {
        const results = [];
        for await (const r of engine.ingest(docs)) results.push(r);
        for (const [i, r] of results.entries()) {
          const want = expected(docs[i]!);
          expect(r.structureResults).toEqual(want.map((w) => expect.objectContaining(w)));
          const total = want.reduce((acc, w) => acc.map((x, c) => x + w.histogram[c]!), new Array<number>(96).fill(0));
          expect(r.histogram).toEqual(total);
          expect(r.clusters!.sizes).toEqual(total);
        }
      }
      expect((await engine.verify()).every((r) => r.ok)).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
