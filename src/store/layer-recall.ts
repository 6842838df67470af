import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, fail } from '../errors.js';
import { payloadLength, PAYLOAD_SIZE, structureCount } from '../framing/structure.js';
import { LAYERS } from '../holo/layers.js';
import { sha256 } from '../l2/witness.js';
import { DIGEST_SIZE } from './check.js';
import type { HoloIndex } from './holo-index.js';
import type { LayerRecall } from './holo-store.js';
import type { DocumentManifest } from './store.js';
import type { LayerCounters } from './structure-repair.js';

/**
 * The holographic read (spec §5) of a document bound in `shard` of `layer`: for each chunk, unbind its key code and
 * clean up over the shard's candidates; a pick with margin ≥ τ that matches the manifest is a hit, anything else falls
 * back to the manifest's digest and counts in ber. `load` returns a structure's verified (repaired) bytes.
 */
export function recallFromLayer(
  index: HoloIndex, layer: number, shard: number, manifest: DocumentManifest, margin: number, counters: LayerCounters,
  load: (i: number, digest: Uint8Array) => Uint8Array,
): LayerRecall {
  const doc = Buffer.from(manifest.id, 'hex');
  const total = structureCount(manifest.length);
  const out = new Uint8Array(manifest.length);
  let hits = 0, misses = 0, minMargin: number | null = null;
  for (let i = 0; i < total; i++) {
    const expected = manifest.structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE);
    const { digest, result } = index.recall(layer, shard, doc, i);
    const hit = result.margin >= margin && timingSafeEqual(digest, expected);
    minMargin = minMargin === null ? result.margin : Math.min(minMargin, result.margin);
    counters.reads++;
    if (hit) hits++;
    else {
      misses++;
      counters.readMisses++;
    }
    const bytes = load(i, hit ? digest : expected);
    out.set(bytes.subarray(0, payloadLength(manifest.length, i)), i * PAYLOAD_SIZE);
  }
  if (!timingSafeEqual(sha256(out), doc)) fail(ErrorCode.WITNESS, `document ${manifest.id} does not match its SHA-256`);
  return { bytes: out, layer: LAYERS[layer]!.name, hits, misses, minMargin };
}
