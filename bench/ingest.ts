// Embedded ingest throughput: the engine with 1 and 2 worker threads (classify only: the baseline's work; and with the
// cluster job) against a naive single-thread loop (read, SHA-256, frame, classify, write) and the SHA-256 rate of the
// cores used, all measured in this run.
// Run: npm run build && node dist/bench/ingest.js   (ATLAS_BENCH_MB, ATLAS_BENCH_ITERATIONS, ATLAS_BENCH_JSON=file)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench, hrtimeNowTimestampProvider } from 'tinybench';
import { Engine } from '../src/engine/engine.js';
import { frameDocument } from '../src/framing/index.js';
import { r96HistogramPages } from '../src/l3/r96.js';
import { STRUCTURE_SIZE } from '../src/l3/phi.js';
import { sha256, witnessGenerate } from '../src/l2/witness.js';
import { LmdbStore } from '../src/store/lmdb-store.js';

const MB = 1_000_000;
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

let run = 0;
const freshStore = (): string => join(root, `store-${run++}`);

/** The naive baseline: one thread, one document at a time, the same store format. */
async function naiveIngest(store: LmdbStore): Promise<void> {
  const hist = new Uint16Array(48 * 96);
  for (const file of files) {
    const bytes = await readFile(file);
    const framed = frameDocument(bytes);
    const n = framed.length / STRUCTURE_SIZE;
    const digests = new Uint8Array(n * 32);
    for (let s = 0; s < n; s++) {
      const structure = framed.subarray(s * STRUCTURE_SIZE, (s + 1) * STRUCTURE_SIZE);
      digests.set(sha256(structure), s * 32);
      r96HistogramPages(structure, hist);
    }
    await store.putStructures(framed, digests);
    const witness = witnessGenerate(bytes);
    await store.putDocument({ id: witness.sha256, length: bytes.length, structures: digests, witness });
  }
}

const bench = new Bench({ name: 'ingest', time: 0, iterations, warmupIterations: 1, timestampProvider: hrtimeNowTimestampProvider, throws: true });

bench.add('sha256 (1 core)', () => {
  for (const bytes of inMemory) sha256(bytes);
});

let naiveStore: LmdbStore | undefined;
bench.add('naive single-thread ingest', async () => naiveIngest(naiveStore!), {
  beforeEach: () => void (naiveStore = LmdbStore.open(freshStore())),
  afterEach: async () => naiveStore!.close(),
});

for (const [threads, cluster] of [[1, false], [2, false], [1, true], [2, true]] as const) {
  let engine: Engine | undefined;
  bench.add(`engine ${cluster ? 'classify+cluster' : 'classify'}, ${threads} thread${threads > 1 ? 's' : ''}`, async () => {
    for await (const _ of engine!.ingest(corpus, { details: false, cluster }));
  }, {
    beforeEach: async () => {
      engine = await Engine.open({ store: freshStore(), threads });
      for await (const _ of engine.ingest(new Uint8Array(1))); // starts the workers outside the timed part
    },
    afterEach: async () => engine!.close(),
  });
}

await bench.run();
rmSync(root, { recursive: true, force: true });

const rows = bench.tasks.map((task) => {
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
  return { name: task.name, p50Ms: r.latency.p50, p99Ms: r.latency.p99, samples: r.latency.samplesCount, mbPerS: corpusBytes / MB / (r.latency.p50 / 1000) };
});
const sha = rows[0]!.mbPerS;
const naive = rows[1]!.mbPerS;
const report = {
  machine: { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` },
  corpus: { files: files.length, bytes: corpusBytes },
  iterations,
  results: rows.map((row) => {
    const threads = /(\d) thread/.exec(row.name)?.[1];
    const bound = threads ? sha * Math.min(Number(threads), availableParallelism()) : undefined;
    return { ...row, vsNaive: row.mbPerS / naive, ...(bound ? { shaBoundMbPerS: bound, ofShaBound: row.mbPerS / bound } : {}) };
  }),
};
console.table(report.results.map((r) => ({ ...r, p50Ms: r.p50Ms.toFixed(1), p99Ms: r.p99Ms.toFixed(1), mbPerS: r.mbPerS.toFixed(1), vsNaive: r.vsNaive.toFixed(2) })));
console.log(JSON.stringify(report));
if (process.env.ATLAS_BENCH_JSON) writeFileSync(process.env.ATLAS_BENCH_JSON, `${JSON.stringify(report, null, 2)}\n`);
