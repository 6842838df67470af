import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding atlas-engine's package.json, found from this module whether it runs from src/ or dist/src/. */
export const PACKAGE_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'atlas-engine') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('atlas-engine: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
})();
