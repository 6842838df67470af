import { afterEach, describe, expect, it } from 'vitest';
import { LAYERS } from '../../src/holo/layers.js';
import { PAYLOAD_SIZE } from '../../src/framing/structure.js';
import { seededBytes } from '../fixtures/engine/data.js';
import { cleanDirs, newDir, openSmall, putDoc, VAULT_KEY_HEX } from './holo-helpers.js';

afterEach(() => {
  cleanDirs();
  delete process.env.ATLAS_VAULT_KEY;
});

const SIZES = [0, 1, PAYLOAD_SIZE, PAYLOAD_SIZE + 1, PAYLOAD_SIZE + 2, 1 << 20];

describe('HoloStore exact recall', () => {
  it('returns every document exactly from every layer, Vault included, through the manifest and the field', async () => {
    process.env.ATLAS_VAULT_KEY = VAULT_KEY_HEX;
    const dir = newDir();
    const store = openSmall(dir, { secret: new Uint8Array(32).fill(7) });
    const stored: { id: string; bytes: Uint8Array; layer: string }[] = [];
    try {
      for (const layer of LAYERS) {
        for (const [i, size] of SIZES.entries()) {
          // Sizes 12,287 / 12,288 / 12,289 straddle the structure boundary (12,287 payload bytes per structure).
          const bytes = seededBytes(size, 1000 * layer.index + i + 1);
          const r = layer.hasField ? await putDoc(store, bytes, layer.name) : await store.putVault(bytes);
          // The empty document has one content id, so after the first layer it is deduplicated (the Vault is visited once).
          const dedup = size === 0 && layer.hasField && layer.index > 0;
          expect(r.added).toBe(!dedup);
          expect(r.layer).toBe(dedup ? LAYERS[0]!.name : layer.name);
          if (!dedup) stored.push({ id: r.id, bytes, layer: layer.name });
        }
      }
      let hits = 0, chunks = 0;
      const missesByLayer = new Map<string, number>();
      for (const { id, bytes, layer } of stored) {
        expect(Buffer.from(await store.getDocument(id)).equals(Buffer.from(bytes))).toBe(true);
        const recall = await store.retrieveFromLayer(id, layer);
        expect(recall.layer).toBe(layer);
        expect(Buffer.from(recall.bytes).equals(Buffer.from(bytes))).toBe(true);
        expect(await store.layerOf(id)).toBe(layer);
        hits += recall.hits;
        chunks += recall.hits + recall.misses;
        missesByLayer.set(layer, (missesByLayer.get(layer) ?? 0) + recall.misses);
      }
      // Clean-up finds the right value code for nearly every chunk; misses fell back to the manifest and are in ber.
      expect(hits / chunks).toBeGreaterThan(0.9);
      const report = await store.getLayerStats();
      for (const entry of report.layers) if ((missesByLayer.get(entry.name) ?? 0) > 0) expect(entry.ber).toBeGreaterThan(0);
      expect(report.layers.find((l) => l.name === 'identity')!.items).toBe(0 + 1 + 1 + 2 + 2 + 86);
    } finally {
      await store.close();
    }
    // Reopened: the fields come back from their container and recall the same.
    const again = openSmall(dir);
    try {
      for (const { id, bytes, layer } of stored) {
        const recall = await again.retrieveFromLayer(id);
        expect(recall.layer).toBe(layer);
        expect(Buffer.from(recall.bytes).equals(Buffer.from(bytes))).toBe(true);
      }
    } finally {
      await again.close();
    }
  }, 120_000);
});

describe('HoloStore clean-up with a shortlist', () => {
  it('finds every chunk when a large field is cleaned up in two stages (partial scores, then the best 8 in full)', async () => {
    // 40 candidates at D >= 32768: B = 8192 <= D/4, so the two-stage path is taken.
    const store = openSmall(newDir(), { totalFloats: 1 << 18, headroom: 64, secret: new Uint8Array(32).fill(9) });
    try {
      const docs = Array.from({ length: 40 }, (_, i) => seededBytes(3000 + i, 500 + i));
      const ids = [];
      for (const doc of docs) ids.push((await putDoc(store, doc, 'knowledge')).id);
      const { layers } = await store.getLayerStats({ settle: true });
      expect(layers[1]!.dimension).toBeGreaterThanOrEqual(32768); // large enough for the two-stage path (B = 8192 ≤ D/4)
      for (const [i, id] of ids.entries()) {
        const recall = await store.retrieveFromLayer(id, 'knowledge');
        expect(Buffer.from(recall.bytes).equals(Buffer.from(docs[i]!))).toBe(true);
        expect(recall.hits).toBe(1);
        expect(recall.minMargin!).toBeGreaterThan(0.5);
      }
    } finally {
      await store.close();
    }
  }, 60_000);
});
