import { ErrorCode, fail } from '../errors.js';
import { jsKernels } from './js.js';
import { loadNativeKernels } from './native.js';
import { BACKEND_ORDER, type BackendName, type Kernels } from './types.js';
import { loadWasmKernels } from './wasm.js';

const loaders: Record<BackendName, () => Kernels> = { native: loadNativeKernels, wasm: loadWasmKernels, js: () => jsKernels };
const loaded = new Map<BackendName, Kernels>();

function isBackendName(name: string): name is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(name);
}

/** Loads one backend by name; throws (MEMORY) when it is not built or cannot load here. */
export function loadKernels(name: BackendName): Kernels {
  if (!isBackendName(name)) fail(ErrorCode.INVALID, `unknown kernel backend '${String(name)}' (native, wasm or js)`);
  let k = loaded.get(name);
  if (k) return k;
  try {
    k = loaders[name]();
  } catch (e) {
    fail(ErrorCode.MEMORY, `kernel backend '${name}' failed to load: ${e instanceof Error ? e.message : String(e)}`);
  }
  loaded.set(name, k);
  return k;
}

let selected: Kernels | undefined;

/**
 * This thread's kernels: ATLAS_BACKEND=native|wasm|js if set (an explicit backend that cannot load is an error),
 * otherwise the first of native, wasm, js that loads.
 */
export function kernels(): Kernels {
  if (selected) return selected;
  const forced = process.env.ATLAS_BACKEND;
  if (forced !== undefined && forced !== '') {
    if (!isBackendName(forced)) fail(ErrorCode.INVALID, `ATLAS_BACKEND must be native, wasm or js, got '${forced}'`);
    return (selected = loadKernels(forced));
  }
  for (const name of BACKEND_ORDER) {
    try {
      return (selected = loadKernels(name));
    } catch {
      // fall through to the next backend
    }
  }
  return (selected = jsKernels);
}

export function backendName(): BackendName {
  return kernels().name;
}
