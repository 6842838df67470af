import { resolve } from 'node:path';
import { isRedisUrl } from './redis-store.js';

/** The store location: the explicit one, else $ATLAS_STORE, else ./atlas-store; a redis:// URL is kept as it is. */
export function resolveStoreDir(explicit?: string): string {
  const chosen = explicit || process.env.ATLAS_STORE || 'atlas-store';
  return isRedisUrl(chosen) ? chosen : resolve(chosen);
}
