import { HoloStore } from './holo-store.js';
import { resolveStoreDir } from './location.js';
import { RedisStore, isRedisUrl } from './redis-store.js';
import type { Store } from './store.js';

/**
 * Opens the store at a location: a redis:// URL opens the shared RedisStore, anything else the embedded store (with its
 * holographic index, as the engine's owner thread opens it) in that directory.
 */
export async function openStore(location?: string): Promise<Store> {
  const chosen = location || process.env.ATLAS_STORE;
  return isRedisUrl(chosen) ? RedisStore.open(chosen) : HoloStore.openHolo(resolveStoreDir(chosen));
}
