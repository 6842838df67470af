import { resolve } from 'node:path';

/** The store directory: the explicit one, else $ATLAS_STORE, else ./atlas-store. */
export function resolveStoreDir(explicit?: string): string {
  return resolve(explicit || process.env.ATLAS_STORE || 'atlas-store');
}
