import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { resolveLayer, type Layer } from '../holo/layers.js';
import { isAutoPolicy, routeToLayer, type LayerPolicy } from '../holo/routing.js';
import { ROUTING_PREFIX } from '../store/holo-store.js';
import type { IngestItem } from './sources.js';

/** A document whose layer was already chosen (by its file name and first 64 KiB, or explicitly): nothing routes it again. */
export interface RoutedItem {
  readonly item: IngestItem;
  readonly layer: Layer;
}

export function isRoutedItem(x: unknown): x is RoutedItem {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && 'item' in x && 'layer' in x;
}

/** The layer a document goes to: bytes on their first 64 KiB, a file on its first 64 KiB and its name (an explicit policy needs no read). */
export async function routeItem(item: string | Uint8Array, policy: LayerPolicy): Promise<Layer> {
  if (item instanceof Uint8Array) return routeToLayer({ bytes: item.subarray(0, ROUTING_PREFIX) }, policy);
  if (!isAutoPolicy(policy)) return resolveLayer(policy);
  const fh = await open(item, 'r');
  try {
    const prefix = new Uint8Array(ROUTING_PREFIX);
    const { bytesRead } = await fh.read(prefix, 0, ROUTING_PREFIX, 0);
    return routeToLayer({ bytes: prefix.subarray(0, bytesRead), name: basename(item) }, policy);
  } finally {
    await fh.close();
  }
}
