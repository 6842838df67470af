import { HoloStore } from './holo-store.js';
import { resolveStoreDir } from './location.js';
import { RedisHoloStore } from './redis-holo-store.js';
import { isRedisUrl } from './redis-store.js';
import type { Store } from './store.js';

/**
 * Opens the store at a location, with its holographic layers as the engine's owner thread opens it: a redis:// URL
 * opens the shared RedisHoloStore, anything else the embedded store in that directory.
 */
export async function openStore(location?: string): Promise<Store> {
  const chosen = location || process.env.ATLAS_STORE;
  return isRedisUrl(chosen) ? RedisHoloStore.openHolo(chosen) : HoloStore.openHolo(resolveStoreDir(chosen));
}
