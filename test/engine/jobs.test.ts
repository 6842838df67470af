import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classify, cluster, holoStore, witness } from '../../workers/jobs.js';
import { BatchView, PAGE_SPLITS, planShards, type ShardTask } from '../../src/engine/batch.js';
import { domainCreate, domainState, DomainTable, Field, r96HistogramPages, slotBase, tableWords } from '../../src/engine/kernels.js';
import { domainDigest } from '../../src/l2/domain.js';
import { frameDocument } from '../../src/framing/index.js';
import { sha256 } from '../../src/l2/witness.js';
import { eccEncode } from '../../src/holo/ecc.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { ErrorCode } from '../../src/errors.js';
import { seededBytes } from '../fixtures/engine/data.js';

const JOBS = { classify, cluster } as const;

function prepare(n: number, seed: number) {
  const table = DomainTable.create(n);
  const v = BatchView.allocate(n);
  const framed = frameDocument(seededBytes(n * 12_287 - 5, seed));
  v.data.set(framed);
  const domains = [];
  for (let s = 0; s < n; s++) {
    const d = domainCreate(STRUCTURE_SIZE, 2 * PAGE_SPLITS, table);
    domains.push(d);
    v.meta[2 * s] = d.slot;
    v.meta[2 * s + 1] = d.generation;
    Atomics.store(tableWords(table.buffer), slotBase(d.slot) + Field.PENDING, 2 * PAGE_SPLITS);
  }
  const task = (shard: Omit<ShardTask, 'batch' | 'capacity' | 'table'>): ShardTask => ({ batch: v.buffer, capacity: n, table: table.buffer, ...shard });
  return { table, v, framed, domains, task };
}

describe('worker jobs', () => {
  it('in any order of shards, each structure is committed exactly once, by its last shard, with the right witness and RS parity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer(), (n, groups, seed) => {
        const { v, framed, domains, task } = prepare(n, seed);
        const work = planShards(n, groups).flatMap((shard) => (['classify', 'cluster'] as const).map((name) => ({ name, shard })));
        const order = fc.sample(fc.shuffledSubarray(work, { minLength: work.length }), { numRuns: 1, seed })[0]!;
        let committed = 0;
        for (const { name, shard } of order) committed += JOBS[name](task(shard));
        expect(committed).toBe(n);
        for (let s = 0; s < n; s++) {
          const structure = framed.subarray(s * STRUCTURE_SIZE, (s + 1) * STRUCTURE_SIZE);
          expect(domainState(domains[s]!)).toBe('COMMITTED');
          expect(domainDigest(domains[s]!)).toBe(sha256(structure).toString('hex'));
          expect(Buffer.from(v.digest(s)).equals(sha256(structure))).toBe(true);
          expect(Buffer.from(v.parity(s)).equals(eccEncode(structure))).toBe(true); // the store keeps it beside the structure
          const perPage = r96HistogramPages(structure, new Uint16Array(48 * 96));
          const expected = Array.from({ length: 96 }, (_, c) => { let t = 0; for (let p = 0; p < 48; p++) t += perPage[p * 96 + c]!; return t; });
          expect(Array.from(v.histogram(s))).toEqual(expected);
          expect(Array.from(v.clusterSizes(s))).toEqual(expected); // CSR class sizes are the histogram by construction
        }
      }),
      { numRuns: 25 },
    );
  });

  it('holoStore releases committed domains and refuses uncommitted ones; witness commits directly', () => {
    const { table, domains, task } = prepare(2, 9);
    expect(() => holoStore(task({ s0: 0, s1: 2, p0: 0, p1: 48 }))).toThrow(expect.objectContaining({ code: ErrorCode.STATE }));
    expect(witness(task({ s0: 0, s1: 2, p0: 0, p1: 48 }))).toBe(2);
    expect(domains.map(domainState)).toEqual(['COMMITTED', 'COMMITTED']);
    expect(holoStore(task({ s0: 0, s1: 2, p0: 0, p1: 48 }))).toBe(2);
    expect(table.live).toBe(0);
  });

  it('a shard on a structure with no budget left fails with BUDGET and commits nothing', () => {
    const { domains, task } = prepare(1, 3);
    const drain = task({ s0: 0, s1: 1, p0: 0, p1: 24 });
    for (let i = 0; i < 2 * PAGE_SPLITS; i++) classify(drain); // PENDING reaches 0: committed
    expect(domainState(domains[0]!)).toBe('COMMITTED');
    const fresh = prepare(1, 4);
    Atomics.store(tableWords(fresh.table.buffer), slotBase(fresh.domains[0]!.slot) + Field.BUDGET, 0);
    expect(() => classify(fresh.task({ s0: 0, s1: 1, p0: 0, p1: 24 }))).toThrow(expect.objectContaining({ code: ErrorCode.BUDGET }));
    expect(domainState(fresh.domains[0]!)).toBe('OPEN');
  });
});
