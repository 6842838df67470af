// Queue ingest throughput: documents/s and MB/s from submit to batch complete through BullMQ on a private Redis,
// with 1 and 2 `atlas worker` processes, beside embedded ingest (Engine.ingest) in the same run. Every case writes
// a fresh embedded store (HoloStore on LMDB, one per worker process); the worker processes split the cores
// between them (threads = cores / workers).
// Run: npm run build && node dist/bench/queue.js   (ATLAS_BENCH_MB, ATLAS_BENCH_DOC_KB, ATLAS_BENCH_ITERATIONS)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench, hrtimeNow } from 'tinybench';
import { Redis } from 'ioredis';
import { Engine } from '../src/engine/engine.js';
import { IngestQueue } from '../queues/ingest-queue.js';
import { aofConfig, PrivateRedis } from '../test/fixtures/queues/redis-server.js';
import { spawnWorker, type WorkerProcess } from '../test/fixtures/queues/workers.js';
import { machine, machineLine, randomBytes, waitForQuiet, writeReport, type Measurement } from './common.js';

const MB = 1_000_000;
const totalMb = Number(process.env.ATLAS_BENCH_MB ?? 128);
const docKb = Number(process.env.ATLAS_BENCH_DOC_KB ?? 512);
const iterations = Number(process.env.ATLAS_BENCH_ITERATIONS ?? 3);
const concurrency = process.env.ATLAS_BENCH_CONCURRENCY; // default: the worker's own
const cores = availableParallelism();

const root = mkdtempSync(join(tmpdir(), 'atlas-qbench-'));
const corpus = join(root, 'corpus');
mkdirSync(corpus);
const documents = Math.max(1, Math.round((totalMb * MB) / (docKb * 1000)));
for (let i = 0; i < documents; i++) writeFileSync(join(corpus, `d${String(i).padStart(5, '0')}`), randomBytes(docKb * 1000, i + 1));
const corpusBytes = documents * docKb * 1000;

// AOF with fsync on every write, as for a Redis that holds the store; ATLAS_BENCH_FSYNC=everysec is enough where it
// holds only the queue (docs/scaling.md): no difference was measurable here.
const redis = await PrivateRedis.start(aofConfig(process.env.ATLAS_BENCH_FSYNC === 'everysec' ? 'everysec' : 'always'));
const admin = new Redis(redis.url);
const queue = await IngestQueue.open(redis.url);
let stores = 0;
const freshStore = (): string => join(root, `store${++stores}`);

let engine: Engine | undefined;
let workers: WorkerProcess[] = [];
async function stopWorkers(): Promise<void> {
  await Promise.all(workers.map((w) => (w.child.kill('SIGTERM'), w.exited)));
  workers = [];
}

const m = await machine();
await waitForQuiet();
const bench = new Bench({ name: 'queue', iterations, time: 0, warmupIterations: 1, warmupTime: 0, now: hrtimeNow });
bench.add(
  'embedded (Engine.ingest)',
  async () => {
    for await (const _ of engine!.ingest(corpus, { details: false })) void _;
  },
  {
    beforeEach: async () => {
      engine = await Engine.open({ store: freshStore(), threads: cores });
      // Start the pool's threads outside the timing, as the queue's workers are started before theirs.
      for await (const _ of engine.ingest(new Uint8Array(1), { details: false })) void _;
    },
    afterEach: async () => engine?.close(),
  },
);
for (const count of [1, 2]) {
  bench.add(
    `queue, ${count} worker process${count > 1 ? 'es' : ''}`,
    async () => {
      const { batch } = await queue.submit([corpus]);
      const summary = await queue.wait(batch, { intervalMs: 10 });
      if (summary.stored !== documents) throw new Error(`batch stored ${summary.stored} of ${documents}`);
    },
    {
      beforeEach: async () => {
        await stopWorkers();
        await admin.flushall(); // a kept batch would be deduplicated, not run again
        const threads = String(Math.max(1, Math.floor(cores / count)));
        // One embedded store per worker process: the holographic index lives in its owner's memory (docs/scaling.md).
        workers = Array.from({ length: count }, () => spawnWorker(['--redis', redis.url, '--store', freshStore(), '--threads', threads, ...(concurrency ? ['--concurrency', concurrency] : [])]));
        await Promise.all(workers.map((w) => w.ready));
        // Warm the new processes (code, pool threads, store, binder) outside the timing, as embedded is warmed above.
        const warmUp = Array.from({ length: 4 * count }, (_, i) => randomBytes(64_000, 1_000_000 + stores * 100 + i));
        await queue.wait((await queue.submit(warmUp)).batch, { intervalMs: 10 });
      },
    },
  );
}
try {
  await bench.run();
} finally {
  await stopWorkers();
  await queue.close();
  admin.disconnect();
  await redis.stop();
  rmSync(root, { recursive: true, force: true });
}

const rows: Measurement[] = bench.tasks.map((task) => {
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state} ${'error' in r ? String(r.error) : ''}`);
  const medianNs = (r.latency.p50 ?? r.latency.mean) * 1e6;
  return { group: 'queue', name: task.name, medianNs, p99Ns: (r.latency.p99 ?? r.latency.max) * 1e6, opsPerSec: 1e9 / medianNs, bytes: corpusBytes, gbps: corpusBytes / medianNs, runs: r.latency.samplesCount };
});
const base = rows[0]!;
const table = rows.map((r) => {
  const seconds = r.medianNs / 1e9;
  return `| ${r.name} | ${(seconds * 1000).toFixed(0)} ms | ${(documents / seconds).toFixed(0)} | ${(corpusBytes / MB / seconds).toFixed(1)} | ${((100 * base.medianNs) / r.medianNs).toFixed(0)}% |`;
});
const markdown = [
  '# Queue ingest benchmark',
  '',
  `Machine: ${machineLine(m)}.`,
  '',
  `Corpus: ${documents} documents of ${docKb} KB (${(corpusBytes / MB).toFixed(1)} MB) on local disk. Median of ${iterations} runs (after 1 warm-up) per case, all`,
  'in one run of `node dist/bench/queue.js`. Each run writes fresh embedded stores (HoloStore on LMDB, as `Engine` opens it;',
  'one per worker process). The queue cases time `queue.submit()`',
  '(the producer hashes every file for its content id) to the batch\'s parent job completing, on a private',
  `redis-server (AOF on, fsync every write) on this machine; workers split the ${cores} cores (threads = cores / workers,`,
  `${concurrency ? `\`--concurrency ${concurrency}\`` : 'default `--concurrency` (256)'} each; each new worker process is warmed with a small batch first, as embedded`,
  'is with one document). Embedded is `Engine.ingest` with one thread per core in this process.',
  '',
  '| case | median time | documents/s | MB/s | vs embedded |',
  '|---|---|---|---|---|',
  ...table,
  '',
  'Goal: the queue path at >= 80% of embedded.',
  '',
].join('\n');
writeReport('queue', 'docs/benchmarks/queue.md', markdown, rows, m);
