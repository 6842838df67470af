// Embedded ingest throughput, all on the same kernel backend and corpus, in one run:
// - the ingest pipeline (src/engine/ingest.ts: reader, Piscina jobs over the batch buffers) with 1 and 2 worker threads,
//   classify only (the baseline's work) and with the cluster job, writing to the plain LMDB store in its own owner
//   thread (as the engine's store runs); and the same for many small documents (1,000 × 4 KiB in one call: stores/s);
// - Engine.open + ingest end to end, with the store the engine opens today (the holographic store);
// - a naive single-thread loop (read, frame, SHA-256, classify, write to LMDB);
// - the RS(255,223) parity of every structure (the holographic store's write-path ECC): the JS reference eccEncode and
//   the selected backend's kernels().eccParity, in the same run;
// - two bounds: the SHA-256 rate of the cores used (raw, and divided by the 2 SHA-256 passes per byte the design needs:
//   document id + content-addressed structure key), and the LMDB store's own write rate (one thread, structures
//   already framed and hashed; and the same for the holographic store the engine opens).
// Run: npm run build && node dist/bench/ingest.js   (ATLAS_BENCH_MB, ATLAS_BENCH_ITERATIONS, ATLAS_BENCH_JSON=file)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Bench, hrtimeNowTimestampProvider } from 'tinybench';
import { Engine } from '../src/engine/engine.js';
import { ingestPipeline } from '../src/engine/ingest.js';
import { BatchPool } from '../src/engine/batch-pool.js';
import { CallPort } from '../src/store/batched-port.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import type { Store } from '../src/store/store.js';
import { kernelBackend, r96HistogramPages } from '../src/engine/kernels.js';
import { PAYLOAD_SIZE, sealStructure, structureCount } from '../src/framing/index.js';
import { STRUCTURE_SIZE } from '../src/l3/phi.js';
import { sha256, witnessGenerate, type Witness } from '../src/l2/witness.js';
import { ECC_PARITY_BYTES, eccEncode } from '../src/holo/ecc.js';
import { kernels } from '../src/kernels/index.js';
import { HoloStore } from '../src/store/holo-store.js';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { machine, waitForQuiet } from './common.js';

const MB = 1_000_000;
/** The small-document row: this many documents of SMALL_BYTES in one ingest call. */
const SMALL_DOCS = 1000;
const SMALL_BYTES = 4096;
/** SHA-256 passes over every byte that the design cannot avoid: the document id and each structure's content key. */
const SHA_PASSES = 2;
const BATCH = 256;
const totalMb = Number(process.env.ATLAS_BENCH_MB ?? 48);
const iterations = Number(process.env.ATLAS_BENCH_ITERATIONS ?? 5);
const FILE_MB = 4;

const root = mkdtempSync(join(tmpdir(), 'atlas-bench-'));
const corpus = join(root, 'corpus');
mkdirSync(corpus);
const files: string[] = [];
let seed = 0x9e3779b9;
for (let i = 0; i < Math.max(1, Math.round(totalMb / FILE_MB)); i++) {
  const bytes = Buffer.alloc(FILE_MB * MB);
  for (let j = 0; j < bytes.length; j += 4) {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    bytes.writeInt32LE(seed | 0, j);
  }
  const path = join(corpus, `f${i}.bin`);
  writeFileSync(path, bytes);
  files.push(path);
}
const corpusBytes = files.length * FILE_MB * MB;
const inMemory = files.map((f) => readFileSync(f));
/** Fresh small documents for each call (a store that already holds them would skip the writes). */
let smallSeed = 1;
const smallDocuments = (): Uint8Array[] => Array.from({ length: SMALL_DOCS }, () => {
  const bytes = Buffer.alloc(SMALL_BYTES);
  for (let j = 0; j < bytes.length; j += 4) bytes.writeInt32LE(Math.imul(smallSeed++, 0x9e3779b1), j);
  return bytes;
});

/** Frames `bytes` structure by structure into `out` (from structure `at`); returns the structures written. */
function frameInto(bytes: Uint8Array, from: number, out: Uint8Array, at: number, max: number): number {
  let s = 0;
  for (; s < max && from + s * PAYLOAD_SIZE < bytes.length; s++) {
    const payload = bytes.subarray(from + s * PAYLOAD_SIZE, from + (s + 1) * PAYLOAD_SIZE);
    const structure = out.subarray((at + s) * STRUCTURE_SIZE, (at + s + 1) * STRUCTURE_SIZE);
    structure.set(payload);
    sealStructure(structure, payload.length);
  }
  return s;
}

// The store-only bound: the corpus framed and hashed up front into shared batch buffers, as the engine hands them over.
const framedBatches: Array<{ data: Uint8Array; digests: Uint8Array }> = [];
const manifests: Array<{ id: string; length: number; structures: Uint8Array; witness: Witness }> = [];
for (const bytes of inMemory) {
  const count = structureCount(bytes.length);
  const digests = new Uint8Array(count * 32);
  for (let first = 0; first < count; first += BATCH) {
    const data = new Uint8Array(new SharedArrayBuffer(BATCH * STRUCTURE_SIZE));
    const n = frameInto(bytes, first * PAYLOAD_SIZE, data, 0, BATCH);
    for (let s = 0; s < n; s++) digests.set(sha256(data.subarray(s * STRUCTURE_SIZE, (s + 1) * STRUCTURE_SIZE)), (first + s) * 32);
    framedBatches.push({ data: data.subarray(0, n * STRUCTURE_SIZE), digests: digests.subarray(first * 32, (first + n) * 32) });
  }
  const witness = witnessGenerate(bytes);
  manifests.push({ id: witness.sha256, length: bytes.length, structures: digests, witness });
}

let run = 0;
const freshStore = (): string => join(root, `store-${run++}`);
let store: LmdbStore | HoloStore | undefined;
const openStore = (): void => void (store = LmdbStore.open(freshStore()));
const closeStore = async (): Promise<void> => {
  await store!.close();
  rmSync(store!.path, { recursive: true, force: true });
};

/** The naive baseline: one thread, one file and one structure at a time, same kernels, same store format. */
async function naiveIngest(target: LmdbStore): Promise<void> {
  const hist = new Uint16Array(48 * 96);
  const framed = new Uint8Array(BATCH * STRUCTURE_SIZE);
  const digests = new Uint8Array(BATCH * 32);
  for (const file of files) {
    const bytes = await readFile(file);
    const all = new Uint8Array(structureCount(bytes.length) * 32);
    for (let first = 0; first * PAYLOAD_SIZE < bytes.length; first += BATCH) {
      const n = frameInto(bytes, first * PAYLOAD_SIZE, framed, 0, BATCH);
      for (let s = 0; s < n; s++) {
        const structure = framed.subarray(s * STRUCTURE_SIZE, (s + 1) * STRUCTURE_SIZE);
        digests.set(sha256(structure), s * 32);
        r96HistogramPages(structure, hist);
      }
      await target.putStructures(framed.subarray(0, n * STRUCTURE_SIZE), digests.subarray(0, n * 32));
      all.set(digests.subarray(0, n * 32), first * 32);
    }
    const witness = witnessGenerate(bytes);
    await target.putDocument({ id: witness.sha256, length: bytes.length, structures: all, witness });
  }
}

const cpuMs = new Map<string, number[]>();
/** Wraps a task so that each timed call also records the process's CPU time (all threads). */
function counted(name: string, fn: () => Promise<void> | void): () => Promise<void> {
  const samples: number[] = [];
  cpuMs.set(name, samples);
  return async () => {
    const before = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1000);
  };
}

const bench = new Bench({ name: 'ingest', time: 0, iterations, warmupIterations: 1, timestampProvider: hrtimeNowTimestampProvider, throws: true });

bench.add('sha256 (1 core)', counted('sha256 (1 core)', () => {
  for (const bytes of inMemory) sha256(bytes);
}));

bench.add('store write path only (LMDB, 1 thread)', counted('store write path only (LMDB, 1 thread)', async () => {
  for (const { data, digests } of framedBatches) await store!.putStructures(data, digests);
  for (const manifest of manifests) await store!.putDocument(manifest);
}), { beforeEach: openStore, afterEach: closeStore });

bench.add('store write path only (HoloStore, 1 thread)', counted('store write path only (HoloStore, 1 thread)', async () => {
  for (const { data, digests } of framedBatches) await store!.putStructures(data, digests);
  for (const manifest of manifests) await store!.putDocument(manifest);
}), { beforeEach: () => void (store = HoloStore.openHolo(freshStore())), afterEach: closeStore });

bench.add('naive single-thread ingest', counted('naive single-thread ingest', async () => naiveIngest(store!)), { beforeEach: openStore, afterEach: closeStore });

// The plain LMDB store in an owner thread of its own, reached through batched comlink calls like the engine's store.
const LMDB_OWNER = `
const { parentPort, workerData } = require('node:worker_threads');
Promise.all([import(workerData.port), import(workerData.store)]).then(([{ serveCalls }, { LmdbStore }]) =>
  serveCalls(LmdbStore.open(workerData.dir), parentPort));`;
const modules = { port: join(PACKAGE_ROOT, 'dist/src/store/batched-port.js'), store: join(PACKAGE_ROOT, 'dist/src/store/lmdb-store.js') };
const STORE_METHODS = ['putStructures', 'putDocument', 'getDocument', 'getManifest', 'has', 'verify', 'stats', 'close'] as const;
const remoteStore = (port: CallPort): Store => Object.fromEntries(STORE_METHODS.map((m) => [m, (...args: unknown[]) => port.call(m, ...args)])) as unknown as Store;

const pools: Piscina[] = [];
for (const threads of [1, 2]) {
  const pool = new Piscina({ filename: join(PACKAGE_ROOT, 'dist/workers/jobs.js'), minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  pools.push(pool);
  const batches = new BatchPool(BATCH, 4); // kept between runs, as Engine keeps them
  for (const input of ['classify', 'classify+cluster', 'small'] as const) {
    let owner: Worker | undefined;
    let remote: Store | undefined;
    let dir = '';
    let documents: Uint8Array[] = [];
    const cluster = input === 'classify+cluster';
    const what = input === 'small' ? `classify, ${SMALL_DOCS} × ${SMALL_BYTES / 1024} KiB documents` : input;
    const name = `pipeline + LMDB ${what}, ${threads} thread${threads > 1 ? 's' : ''}`;
    const config = () => ({ pool, store: remote!, threads, batchStructures: BATCH, batchBuffers: 4, batches });
    bench.add(name, counted(name, async () => {
      for await (const _ of ingestPipeline(config(), input === 'small' ? documents : corpus, { details: false, cluster }));
    }), {
      beforeEach: async () => {
        owner = new Worker(LMDB_OWNER, { eval: true, workerData: { ...modules, dir: (dir = freshStore()) } });
        remote = remoteStore(new CallPort(owner));
        if (input === 'small') documents = smallDocuments();
        for await (const _ of ingestPipeline(config(), new Uint8Array(1))); // workers and store thread up before timing
      },
      afterEach: async () => {
        await remote!.close();
        await owner!.terminate();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  }
}

for (const [threads, untilBound] of [[1, false], [2, false], [2, true]] as const) {
  let engine: Engine | undefined;
  let dir = '';
  const name = `Engine end to end (holographic store), classify, ${threads} thread${threads > 1 ? 's' : ''}${untilBound ? ', until every pair is bound' : ''}`;
  bench.add(name, counted(name, async () => {
    for await (const _ of engine!.ingest(corpus, { details: false, cluster: false }));
    if (untilBound) await engine!.bound();
  }), {
    beforeEach: async () => {
      engine = await Engine.open({ store: (dir = freshStore()), threads });
      for await (const _ of engine.ingest(new Uint8Array(1))); // starts the workers outside the timed part
    },
    afterEach: async () => {
      await engine!.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

// The ECC the holographic store computes per new structure, alone: the reference encoder vs the selected kernel.
const parityOut = new Uint8Array(ECC_PARITY_BYTES);
const parityTasks: Array<[string, (block: Uint8Array) => unknown]> = [
  ['RS parity of every structure (eccEncode, JS reference)', (block) => eccEncode(block, parityOut)],
  [`RS parity of every structure (kernels().eccParity, ${kernels().name})`, (block) => kernels().eccParity(block, parityOut)],
];
for (const [name, encode] of parityTasks) {
  bench.add(name, counted(name, () => {
    for (const { data } of framedBatches) for (let at = 0; at < data.length; at += STRUCTURE_SIZE) encode(data.subarray(at, at + STRUCTURE_SIZE));
  }));
}

await waitForQuiet();
const host = await machine();
const loadBefore = loadavg();
// tinybench calls each task once more before timing (warm-up); drop those CPU samples.
const warmups = new Map([...cpuMs].map(([name]) => [name, 1]));
await bench.run();
const loadAfter = loadavg();
await Promise.all(pools.map((p) => p.close()));
rmSync(root, { recursive: true, force: true });

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const rows = bench.tasks.map((task) => {
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
  const cpu = median(cpuMs.get(task.name)!.slice(warmups.get(task.name)));
  const small = task.name.includes(' KiB documents');
  const bytes = small ? SMALL_DOCS * SMALL_BYTES : corpusBytes;
  return {
    name: task.name, p50Ms: r.latency.p50, p99Ms: r.latency.p99, samples: r.latency.samplesCount, mbPerS: bytes / MB / (r.latency.p50 / 1000),
    ...(small ? { storesPerS: SMALL_DOCS / (r.latency.p50 / 1000) } : {}), cpuMs: cpu, coresBusy: cpu / r.latency.p50,
  };
});
const sha = rows[0]!.mbPerS;
const naive = rows[3]!.mbPerS;
const report = {
  machine: { ...host, kernels: kernelBackend, loadAverage1mBefore: loadBefore[0], loadAverage1mAfter: loadAfter[0] },
  corpus: { files: files.length, bytes: corpusBytes },
  iterations,
  shaPassesPerByte: SHA_PASSES,
  storeWriteMbPerS: { lmdb: rows[1]!.mbPerS, holo: rows[2]!.mbPerS },
  parityMbPerS: { reference: rows.at(-2)!.mbPerS, kernels: rows.at(-1)!.mbPerS, speedup: rows.at(-1)!.mbPerS / rows.at(-2)!.mbPerS },
  results: rows.map((row) => {
    const threads = /(\d) thread/.exec(row.name)?.[1];
    if (!threads || row.name.startsWith('store') || 'storesPerS' in row) return { ...row, vsNaive: row.mbPerS / naive };
    const cores = Math.min(Number(threads), availableParallelism());
    const shaBound = sha * cores;
    return {
      ...row,
      vsNaive: row.mbPerS / naive,
      shaBoundMbPerS: shaBound,
      ofShaBound: row.mbPerS / shaBound,
      passBoundMbPerS: shaBound / SHA_PASSES,
      ofPassBound: row.mbPerS / (shaBound / SHA_PASSES),
    };
  }),
};
const pct = (x: number | undefined): string => (x === undefined ? '' : `${(100 * x).toFixed(1)} %`);
console.table(report.results.map((r) => ({
  name: r.name, p50Ms: r.p50Ms.toFixed(1), mbPerS: r.mbPerS.toFixed(1), storesPerS: 'storesPerS' in r ? r.storesPerS!.toFixed(0) : '', vsNaive: r.vsNaive.toFixed(2), cpuMs: r.cpuMs.toFixed(0),
  coresBusy: r.coresBusy.toFixed(2), ofShaBound: pct('ofShaBound' in r ? r.ofShaBound : undefined), ofPassBound: pct('ofPassBound' in r ? r.ofPassBound : undefined),
})));
console.log(JSON.stringify(report));
if (process.env.ATLAS_BENCH_JSON) writeFileSync(process.env.ATLAS_BENCH_JSON, `${JSON.stringify(report, null, 2)}\n`);
