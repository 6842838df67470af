// The holographic store end to end through the Engine (owner thread, worker pool, LMDB, fields, RS parity):
// - stores/s for 4 KiB and 12 KiB documents, one document per call (storeWithLayerRouting: routed, framed, hashed,
//   parity, durable manifest) and batched (one ingest of many documents), beside the original's 107 stores/s for
//   4 KB files (holo-store.md §7; goal >= 50x);
// - the background binding rate (pairs bound into the layer field per second) at the configured field size;
// - recall latency p50/p99: get (manifest path) and retrieveFromLayer (unbind + clean-up over the layer's candidates).
// Three configurations: the default M = 2^22 floats, M = 2^21 (knowledge D = 2^18: half the bind work), and the default M
// without group parity (g = 0: RS parity only).
// Run: npm run build && node dist/bench/holo.js
//   (ATLAS_BENCH_DOCS: stores one per call, default 100; ATLAS_BENCH_BATCH_DOCS: documents per batch, default 500)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench, hrtimeNow } from 'tinybench';
import { Engine } from '../src/engine/engine.js';
import type { HoloStoreOptions } from '../src/store/holo-store.js';
import { machine, machineLine, randomBytes, waitForQuiet, writeReport, type Measurement } from './common.js';

const ORIGINAL_STORES_PER_S = 107;
const docs = Number(process.env.ATLAS_BENCH_DOCS ?? 100);
const SIZES = [4096, 12_288];
/** groupSize 0: no group parity (RS only), to show what it costs; a one-structure document's block is a whole copy. */
const CONFIGS: { name: string; holo: HoloStoreOptions }[] = [
  { name: 'M = 2^22 (default)', holo: { totalFloats: 1 << 22 } },
  { name: 'M = 2^21', holo: { totalFloats: 1 << 21 } },
  { name: 'M = 2^22, g = 0', holo: { totalFloats: 1 << 22, groupSize: 0 } },
];

interface Row {
  config: string;
  size: number;
  sequentialStoresPerS: number;
  sequentialP99Ms: number;
  batchStoresPerS: number;
  /** Until every pair of the batch is bound into the field: what a store can keep up for good. */
  sustainedStoresPerS: number;
  bindPairsPerS: number;
  getP50Ms: number;
  getP99Ms: number;
  recallP50Ms: number;
  recallP99Ms: number;
  layerDimension: number;
  spillShards: number;
}

const RECALL_SAMPLES = 20;
/** Documents per batch: a batch ingestion submits many; 100 measured mostly the pipeline's fill and drain. */
const BATCH_DOCS = Number(process.env.ATLAS_BENCH_BATCH_DOCS ?? 500);
/** Batches timed per configuration and size, one after another into the store, after the warm-up. */
const BATCH_RUNS = Number(process.env.ATLAS_BENCH_BATCH_RUNS ?? 5);
/**
 * Documents stored untimed before the batches, into WARM_LAYER. V8 keeps compiling the engine's functions (about 30
 * TurboFan jobs per batch of 500 on 2026-12-05, on the V8 platform threads) until a few thousand documents have gone
 * through; one batch of warm-up left about 0.2 ms of compilation CPU per document in the timed part.
 */
const WARM_DOCS = Number(process.env.ATLAS_BENCH_WARM_DOCS ?? 3000);
const WARM_LAYER = 'context';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** tinybench over `n` iterations of op(i); p50/p99 in ms. */
async function latency(name: string, n: number, op: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  let i = 0;
  const bench = new Bench({ name, iterations: n, time: 0, warmupIterations: 0, warmupTime: 0, now: hrtimeNow });
  bench.add(name, async () => {
    await op(i++);
  });
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`${name}: ${r.state}`);
  return { p50: r.latency.p50!, p99: r.latency.p99! };
}

async function run(config: (typeof CONFIGS)[number], size: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-holo-bench-'));
  const engine = await Engine.open({ store: join(dir, 'store'), threads: 2, holo: config.holo });
  try {
    let seed = size;
    const next = () => randomBytes(size, ++seed);
    for await (const _ of engine.ingest(next())); // workers and store started outside the timed part
    await engine.getLayerStats({ settle: true });

    const ids: string[] = [];
    const sequential = await latency('store', docs, async () => {
      ids.push((await engine.storeWithLayerRouting(next(), 'knowledge')).id);
    });
    await engine.getLayerStats({ settle: true }); // waits until every pair is bound
    // Batches back to back, binding behind them (binder threads at the lowest priority, on the CPU the stores leave
    // idle); each batch timed until its results are in, the whole stream until every pair is in the field.
    const ingest = async (batch: Uint8Array[], layer = 'knowledge', into = ids): Promise<void> => {
      for await (const r of engine.ingest(batch, { layer, details: false, cluster: false })) into.push(r.id);
    };
    // Warm-up: the same code paths into another layer's field (its own D), so that V8 has tiered up every thread's hot
    // code and the knowledge field holds only the measured documents.
    for (let left = WARM_DOCS; left > 0; left -= BATCH_DOCS) await ingest(Array.from({ length: Math.min(left, BATCH_DOCS) }, next), WARM_LAYER, []);
    await engine.bound();
    const batchMs: number[] = [];
    const streamStart = performance.now();
    for (let b = 0; b < BATCH_RUNS; b++) {
      const batch = Array.from({ length: BATCH_DOCS }, next);
      const t = performance.now();
      await ingest(batch);
      batchMs.push(performance.now() - t);
    }
    await engine.bound();
    const streamMs = performance.now() - streamStart;
    const report = await engine.getLayerStats();
    const knowledge = report.layers.find((l) => l.name === 'knowledge')!;
    const bindPairsPerS = (BATCH_RUNS * BATCH_DOCS * Math.ceil(size / 12_287)) / (streamMs / 1000);
    const get = await latency('get', Math.min(docs, 200), (i) => engine.get(ids[i % ids.length]!));
    const recall = await latency('recall', RECALL_SAMPLES, (i) => engine.retrieveFromLayer(ids[i % ids.length]!));
    return {
      config: config.name, size,
      sequentialStoresPerS: 1000 / sequential.p50, sequentialP99Ms: sequential.p99,
      batchStoresPerS: BATCH_DOCS / (median(batchMs) / 1000), sustainedStoresPerS: (BATCH_RUNS * BATCH_DOCS) / (streamMs / 1000), bindPairsPerS,
      getP50Ms: get.p50, getP99Ms: get.p99, recallP50Ms: recall.p50, recallP99Ms: recall.p99,
      layerDimension: knowledge.dimension,
      spillShards: knowledge.spill_shards,
    };
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await waitForQuiet();
const m = await machine();
const rows: Row[] = [];
for (const config of CONFIGS) for (const size of SIZES) rows.push(await run(config, size));

const f = (x: number, d = 2) => x.toFixed(d);
const lines = [
  '# Holographic store benchmark',
  '',
  `Machine: ${machineLine(m)}. Per size and configuration ${docs} stores one per call, then batches of ${BATCH_DOCS}, all routed to the knowledge layer;`,
  'stores go through the Engine (routing, worker pool framing/R96/SHA-256/RS parity, durable LMDB manifest); binding',
  'into the layer field runs behind them on the bind pool (native phase-pair kernel). Original: 107 stores/s for 4 KB files',
  '(holo-store.md §7, Apple M2 Max, Metal); goal >= 50x. Regenerate: `npm run build && node dist/bench/holo.js`.',
  '',
  '| config | doc size | knowledge D (spill shards) | stores/s, one per call (p50) | vs 107 | p99 per store | stores/s, batched | vs 107 | stores/s, batched until bound | vs 107 | binds/s | get p50 / p99 | retrieveFromLayer p50 / p99 |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.config} | ${r.size} B | ${r.layerDimension} (${r.spillShards}) | ${f(r.sequentialStoresPerS, 0)} | ${f(r.sequentialStoresPerS / ORIGINAL_STORES_PER_S, 1)}x | ${f(r.sequentialP99Ms)} ms | ${f(r.batchStoresPerS, 0)} | ${f(r.batchStoresPerS / ORIGINAL_STORES_PER_S, 1)}x | ${f(r.sustainedStoresPerS, 0)} | ${f(r.sustainedStoresPerS / ORIGINAL_STORES_PER_S, 1)}x | ${f(r.bindPairsPerS, 0)} | ${f(r.getP50Ms)} / ${f(r.getP99Ms)} ms | ${f(r.recallP50Ms)} / ${f(r.recallP99Ms)} ms |`),
  '',
  'How to read it:',
  '- "one per call" is `storeWithLayerRouting` in a loop: each store is a whole ingest call that waits for its own',
  '  durable LMDB commit (fsync), so it measures latency; "batched" is one `ingest` of all the documents, where',
  `  commits are shared: the median of ${BATCH_RUNS} batches of ${BATCH_DOCS} stored back to back into the same store, after`,
  `  ${WARM_DOCS} untimed documents into the ${WARM_LAYER} layer (V8 compiles the hot code of all six threads over the first few`,
  '  thousand documents; the knowledge field keeps only the measured ones).',
  '  "until bound" times those batches until `engine.bound()`: every pair bound into the field. Binding runs behind the',
  '  stores (binder threads at the lowest priority, on the CPU the stores leave idle), so "batched" is the burst rate',
  '  and "until bound" the rate a store keeps up for good.',
  '  The original\'s 107 stores/s was a sequential loop on an M2 Max.',
  '- Binding is O(D) per structure (two phase sequences and one cos/sin per bin, `kernels().bindPhasePair`) and runs',
  '  behind the stores on the bind pool\'s threads, so it does not limit stores/s until the queue has to drain',
  '  (rebalance, recall, settled `stats`); "binds/s" is the pairs of those batches over the same until-bound time.',
  `- Recall latencies are measured last, over the ${docs + BATCH_DOCS * BATCH_RUNS + 1} documents then in the knowledge layer (clean-up work`,
  '  grows with the candidates). "knowledge D" sums the layer\'s shards: its field, and the spill shards opened once it',
  '  was full (holo-store.md §3.6: each nextPow2(S²·(1 + 64)) floats, so binding into them costs almost nothing).',
  '- `retrieveFromLayer` cleans up every chunk against the layer\'s candidate value digests, each score straight from',
  '  the two codes\' seeds (`kernels().phasePairDot`, nothing of size D materialised); for large fields in two stages',
  '  (all candidates ordered on the first max(8192, 16·C) bins of the field unbound from the key, one code\'s float32',
  '  dot each, `phaseCodeDotF32`; the best 8 scored in full). `get` reads by manifest and is what the CLI uses.',
  '- "g = 0" is the default M with group parity off (RS parity only: a structure lost whole is then unrecoverable), to',
  '  show its cost: a document of one structure (every 4 KiB one) is a group of one, whose parity block is a whole copy',
  '  of it, hashed and written in the same commit.',
  '',
];
const measurements: Measurement[] = rows.flatMap((r) => [
  { group: `${r.config} ${r.size} B`, name: 'store (one per call)', medianNs: 1e9 / r.sequentialStoresPerS, p99Ns: r.sequentialP99Ms * 1e6, opsPerSec: r.sequentialStoresPerS, runs: docs },
  { group: `${r.config} ${r.size} B`, name: 'store (batched)', medianNs: 1e9 / r.batchStoresPerS, p99Ns: Number.NaN, opsPerSec: r.batchStoresPerS, runs: BATCH_RUNS },
  { group: `${r.config} ${r.size} B`, name: 'store (batched, until bound)', medianNs: 1e9 / r.sustainedStoresPerS, p99Ns: Number.NaN, opsPerSec: r.sustainedStoresPerS, runs: BATCH_RUNS },
  { group: `${r.config} ${r.size} B`, name: 'get', medianNs: r.getP50Ms * 1e6, p99Ns: r.getP99Ms * 1e6, opsPerSec: 1000 / r.getP50Ms, runs: Math.min(docs, 200) },
  { group: `${r.config} ${r.size} B`, name: 'retrieveFromLayer', medianNs: r.recallP50Ms * 1e6, p99Ns: r.recallP99Ms * 1e6, opsPerSec: 1000 / r.recallP50Ms, runs: RECALL_SAMPLES },
]);
writeReport('holo', 'docs/benchmarks/holo.md', lines.join('\n'), measurements, m);
