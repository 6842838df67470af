import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { AtlasError, ErrorCode, fail } from '../src/errors.js';
import type { Layer } from '../src/holo/layers.js';
import { routeToLayer, type LayerPolicy } from '../src/holo/routing.js';
import { vaultDocIdHash, vaultDocIdOf, type VaultKey } from '../src/holo/vault.js';
import { ROUTING_PREFIX } from '../src/store/holo-store.js';

/** Files hashed at once, each through a read buffer of its own (bounded memory whatever the file sizes). */
const PARALLEL = 4;
const READ_BYTES = 4 << 20;

export interface FileDigest {
  readonly path: string;
  /** SHA-256 hex; for a Vault document its keyed id (vaultDocId), so no plain hash of a secret leaves here. */
  readonly id: string;
  readonly length: number;
  readonly layer: Layer;
}

async function hashFile(path: string, buffer: Uint8Array, policy: LayerPolicy, vaultKey: () => VaultKey): Promise<FileDigest> {
  let length = 0;
  let layer: Layer;
  let digest: string;
  try {
    const fh = await open(path, 'r');
    try {
      // The first read holds the routing prefix, so the file is routed (auto: by name and first 64 KiB) in the same pass.
      let n = 0;
      for (let r; n < ROUTING_PREFIX && (r = (await fh.read(buffer, n, buffer.length - n, null)).bytesRead) > 0; ) n += r;
      layer = routeToLayer({ bytes: buffer.subarray(0, Math.min(n, ROUTING_PREFIX)), name: basename(path) }, policy);
      const hmac = layer.hasField ? undefined : vaultDocIdHash(vaultKey());
      const hash = hmac ?? createHash('sha256');
      for (; n > 0; length += n, n = (await fh.read(buffer, 0, buffer.length, null)).bytesRead) hash.update(buffer.subarray(0, n));
      digest = hmac ? Buffer.from(vaultDocIdOf(hmac)).toString('hex') : hash.digest('hex');
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (err instanceof AtlasError) throw err;
    fail(ErrorCode.INVALID, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { path, id: digest, length, layer };
}

/**
 * The id, length and layer (under `policy`) of every file, in the order given; a few files at a time (a read stream
 * per file was 3x slower). `vaultKey` is asked for only when a file routes to the Vault (it may throw: no key).
 */
export async function hashFiles(paths: readonly string[], policy: LayerPolicy, vaultKey: () => VaultKey): Promise<FileDigest[]> {
  const out = new Array<FileDigest>(paths.length);
  let next = 0;
  const hasher = async (): Promise<void> => {
    const buffer = new Uint8Array(READ_BYTES);
    while (next < paths.length) {
      const at = next++;
      out[at] = await hashFile(paths[at]!, buffer, policy, vaultKey);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, paths.length) }, hasher));
  return out;
}
