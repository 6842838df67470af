// The store's owner thread: the only thread that opens the store, reached through comlink (src/store/remote.ts).
import { parentPort, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { AtlasError, ErrorCode } from '../errors.js';
import { HoloStore, type HoloStoreOptions } from './holo-store.js';
import { RedisStore, isRedisUrl } from './redis-store.js';

if (!parentPort) throw new Error('src/store/owner.js must run in a worker thread');
const { dir, options } = workerData as { dir: string; options?: HoloStoreOptions };

/** The Redis store holds documents, not (yet) the holographic layers: their methods fail with a clear STATE error. */
function withoutLayers(store: RedisStore): object {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (value !== undefined || typeof name !== 'string') return typeof value === 'function' ? value.bind(target) : value;
      return () => {
        throw new AtlasError(ErrorCode.STATE, `${name} is not available on a Redis store: the holographic layers live in the embedded store (docs/scaling.md)`);
      };
    },
  });
}

let store: object | Error;
try {
  store = isRedisUrl(dir) ? withoutLayers(await RedisStore.open(dir)) : HoloStore.openHolo(dir, options);
} catch (err) {
  store = err as Error;
}
// A failed open is reported on the first call rather than crashing the thread.
const target = store instanceof Error ? new Proxy({}, { get: () => () => { throw store; } }) : store;
Comlink.expose(target, nodeEndpoint(parentPort));
