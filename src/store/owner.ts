// The store's owner thread: the only thread that opens the store, reached through comlink, one call per turn's batch
// (src/store/batched-port.ts, src/store/remote.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { serveCalls } from './batched-port.js';
import { HoloStore, type HoloStoreOptions } from './holo-store.js';
import { RedisHoloStore } from './redis-holo-store.js';
import { isRedisUrl } from './redis-store.js';

if (!parentPort) throw new Error('src/store/owner.js must run in a worker thread');
const { dir, options } = workerData as { dir: string; options?: HoloStoreOptions };

let store: object | Error;
try {
  store = isRedisUrl(dir) ? await RedisHoloStore.openHolo(dir, options) : HoloStore.openHolo(dir, options);
} catch (err) {
  store = err as Error;
}
// A failed open is reported on the first call rather than crashing the thread.
const target = store instanceof Error ? new Proxy({}, { get: () => () => { throw store; } }) : store;
serveCalls(target, parentPort);
