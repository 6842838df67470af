// Piscina worker: one module, four named jobs over a shared batch buffer (src/engine/batch.ts). Tasks carry only
// buffer references and index ranges; no payload is copied.
import { ErrorCode, errorName, fail, getLastError } from '../src/errors.js';
import { BatchView, splitOf, type ShardTask } from '../src/engine/batch.js';
import { sumPageHistograms } from '../src/engine/page-histograms.js';
import {
  budgetAlloc, budgetRelease, CLASS_COUNT, clusterByResonance, domainAttach, domainCommit, domainDestroy, domainState,
  eccParity, Field, kernelBackend, r96HistogramPages, slotBase, tableWords, type Domain,
} from '../src/engine/kernels.js';

const views = new WeakMap<SharedArrayBuffer, BatchView>();

function batchView(task: ShardTask): BatchView {
  let v = views.get(task.batch);
  if (!v) views.set(task.batch, (v = new BatchView(task.batch, task.capacity)));
  return v;
}

function domainOf(task: ShardTask, v: BatchView, s: number): Domain {
  return { table: task.table, slot: v.meta[2 * s]!, generation: v.meta[2 * s + 1]! };
}

function check(ok: boolean, what: string): void {
  if (!ok) fail(getLastError(), `${what} (${errorName(getLastError())})`);
}

/** Runs one shard's work on each structure under one unit of its domain's budget, then counts the shard done. */
function eachShard(task: ShardTask, work: (v: BatchView, s: number) => void): number {
  const v = batchView(task);
  const words = tableWords(task.table);
  let committed = 0;
  for (let s = task.s0; s < task.s1; s++) {
    const d = domainOf(task, v, s);
    check(budgetAlloc(d, 1), `structure ${s}: no budget for a shard`);
    try {
      work(v, s);
    } finally {
      check(budgetRelease(d, 1), `structure ${s}: budget release`);
    }
    // Whoever finishes the structure's last shard commits it; Atomics.sub returns the old value, so exactly one sees 1.
    if (Atomics.sub(words, slotBase(d.slot) + Field.PENDING, 1) === 1) {
      commitStructure(v, d, s);
      committed++;
    }
  }
  return committed;
}

/**
 * Runs on the structure's last shard: merges its page ranges' histograms, attaches the structure to its domain,
 * commits it (SHA-256 bound in the table), copies the digest out and computes its RS parity for the store (here, in
 * parallel, rather than on the store's one thread).
 */
function commitStructure(v: BatchView, d: Domain, s: number): void {
  v.mergeHistogram(s);
  if (domainAttach(d, v.structure(s)) !== ErrorCode.OK) fail(getLastError(), `structure ${s}: attach failed`);
  if (domainCommit(d) !== ErrorCode.OK) fail(getLastError(), `structure ${s}: commit failed`);
  const words = tableWords(d.table);
  const out = v.digest(s);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let w = 0; w < 8; w++) view.setInt32(w * 4, Atomics.load(words, slotBase(d.slot) + Field.DIGEST + w), true);
  eccParity(v.structure(s), v.parity(s));
}

/** The R96 histogram of the shard's page range of each structure, into that range's slot of the batch. */
export function classify(task: ShardTask): number {
  const scratch = new Uint16Array((task.p1 - task.p0) * CLASS_COUNT);
  const split = splitOf(task.p0);
  return eachShard(task, (v, s) => sumPageHistograms(r96HistogramPages(v.pages(s, task.p0, task.p1), scratch), v.partialHistogram(s, split)));
}

/** CSR clustering of the shard's pages by resonance class; the class sizes are added into the clusters region. */
export function cluster(task: ShardTask): number {
  return eachShard(task, (v, s) => {
    const { offsets } = clusterByResonance(v.pages(s, task.p0, task.p1), task.p1 - task.p0);
    const sizes = v.clusterSizes(s);
    for (let c = 0; c < CLASS_COUNT; c++) Atomics.add(sizes, c, offsets[c + 1]! - offsets[c]!);
  });
}

/** Commits structures [s0, s1) directly (no shard counting): attach, commit, digest out. */
export function witness(task: ShardTask): number {
  const v = batchView(task);
  for (let s = task.s0; s < task.s1; s++) commitStructure(v, domainOf(task, v, s), s);
  return task.s1 - task.s0;
}

/**
 * Store-side preparation of structures [s0, s1): each must be COMMITTED (its digest is then in the batch's digest
 * region, the key the store writes it under); its domain is released. The holographic encoding is not done here yet.
 */
export function holoStore(task: ShardTask): number {
  const v = batchView(task);
  for (let s = task.s0; s < task.s1; s++) {
    const d = domainOf(task, v, s);
    if (domainState(d) !== 'COMMITTED') fail(ErrorCode.STATE, `structure ${s} reached the store uncommitted`);
    domainDestroy(d);
  }
  return task.s1 - task.s0;
}

/** The kernel backend this worker thread selected (the engine checks it matches the main thread's). */
export function backend(): string {
  return kernelBackend;
}
