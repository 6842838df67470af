// The store's owner thread: the only thread that opens the store, reached through comlink (src/store/remote.ts).
import { parentPort, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { LmdbStore } from './lmdb-store.js';

if (!parentPort) throw new Error('src/store/owner.js must run in a worker thread');
const { dir } = workerData as { dir: string };
let store: LmdbStore | Error;
try {
  store = LmdbStore.open(dir);
} catch (err) {
  store = err as Error;
}
// A failed open is reported on the first call rather than crashing the thread.
const target = store instanceof Error ? new Proxy({}, { get: () => () => { throw store; } }) : store;
Comlink.expose(target, nodeEndpoint(parentPort));
