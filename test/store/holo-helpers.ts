import { rmSync } from 'node:fs';
import { documentId, frameDocument } from '../../src/framing/index.js';
import { sha256, witnessGenerate } from '../../src/l2/witness.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { HoloStore, type HoloStoreOptions, type RoutedDocument } from '../../src/store/holo-store.js';
import type { DocumentManifest, Store } from '../../src/store/store.js';
import { tempDir } from '../fixtures/engine/data.js';

export const VAULT_KEY_HEX = 'a1'.repeat(32);

const dirs: string[] = [];
export function newDir(): string {
  const d = tempDir('holo');
  dirs.push(d);
  return d;
}
export function cleanDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A small store: D of a few thousand per layer, so binds and clean-ups are quick. */
export function openSmall(dir: string, options: HoloStoreOptions = {}): HoloStore {
  return HoloStore.openHolo(dir, { totalFloats: 1 << 16, headroom: 8, ...options });
}

/** Frames a document, puts its structures, and makes it visible through the holographic path. */
export async function putDoc(store: Store & Pick<HoloStore, 'putRoutedDocument'>, doc: Uint8Array, policy: string | number = 'auto'): Promise<RoutedDocument & { manifest: DocumentManifest }> {
  const framed = frameDocument(doc);
  const n = framed.length / STRUCTURE_SIZE;
  const digests = new Uint8Array(n * 32);
  for (let i = 0; i < n; i++) digests.set(sha256(framed.subarray(i * STRUCTURE_SIZE, (i + 1) * STRUCTURE_SIZE)), i * 32);
  await store.putStructures(framed, digests);
  const manifest: DocumentManifest = { id: documentId(doc), length: doc.length, structures: digests, witness: witnessGenerate(doc) };
  return { ...(await store.putRoutedDocument(manifest, policy)), manifest };
}
