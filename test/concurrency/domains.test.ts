import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DomainTable, ErrorCode, budgetAlloc, conservedMemset, domainAttach, domainBudget, domainCreate, domainState, getLastError, type Domain,
} from '../../src/index.js';

const fixture = (name: string): URL => new URL(`../fixtures/l2/${name}`, import.meta.url);
const builtEntry = fileURLToPath(new URL('../../dist/src/index.js', import.meta.url));

interface Books {
  allocated: number;
  released: number;
  allocFailures: number;
  releaseFailures: number;
  wrongCodes: number;
  outOfRange: number[];
}

function runWorker(name: string, workerData?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fixture(name), { workerData });
    let message: unknown;
    worker.on('message', (m) => (message = m));
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve(message) : reject(new Error(`${name} exited with ${code}`))));
  });
}

describe('domains across real worker threads', () => {
  let pool: Piscina;

  beforeAll(() => {
    if (!existsSync(builtEntry)) throw new Error(`${builtEntry} is missing: the worker fixtures import the built package. Run \`npm run build\` (npm test does it in pretest).`);
    pool = new Piscina({ filename: fixture('budget-task.mjs').href, minThreads: 4, maxThreads: 4, idleTimeout: 5_000 });
  });

  afterAll(async () => {
    await pool?.destroy();
  });

  it('1000 tasks contend on alloc/release of one domain: budget stays in 0..95 and the books balance', async () => {
    const table = DomainTable.create(4);
    const d = domainCreate(12288, 60, table);
    const books = (await Promise.all(
      Array.from({ length: 1000 }, (_, i) => pool.run({ handle: d, ops: 200, seed: 0x9e3779b9 ^ (i * 7919), mode: 'random' })),
    )) as Books[];
    const total = (key: 'allocated' | 'released' | 'allocFailures' | 'releaseFailures' | 'wrongCodes'): number => books.reduce((a, b) => a + b[key], 0);
    expect(books.flatMap((b) => b.outOfRange)).toEqual([]);
    expect(total('wrongCodes')).toBe(0);
    expect(total('allocated')).toBeGreaterThan(0);
    expect(total('allocFailures')).toBeGreaterThan(0); // contention really hit the bound
    expect(60 - total('allocated') + total('released')).toBe(domainBudget(d));
    expect(domainBudget(d)).toBe(60); // every task gave back what it held
  });

  it('100 tasks x 100 alloc(1)/release(1) on budget 50 end at 50', async () => {
    const d = domainCreate(12288, 50, DomainTable.create(1));
    const books = (await Promise.all(Array.from({ length: 100 }, (_, i) => pool.run({ handle: d, ops: 100, seed: i, mode: 'unit' })))) as Books[];
    expect(books.flatMap((b) => b.outOfRange)).toEqual([]);
    expect(books.reduce((a, b) => a + b.wrongCodes + b.allocFailures, 0)).toBe(0);
    expect(books.reduce((a, b) => a + b.allocated, 0)).toBe(100 * 100);
    expect(domainBudget(d)).toBe(50);
  });

  it('8 threads race to commit each of 100 domains behind an Atomics barrier: exactly one OK each, the rest STATE', async () => {
    const parties = 8;
    const domains = 100;
    const table = DomainTable.create(domains);
    const bytes = new Uint8Array(new SharedArrayBuffer(domains * 256)); // shared so workers verify the same bytes
    const handles: Domain[] = [];
    for (let i = 0; i < domains; i++) {
      const d = domainCreate(256, 0, table);
      expect(domainAttach(d, conservedMemset(bytes.subarray(i * 256, (i + 1) * 256), i))).toBe(ErrorCode.OK);
      handles.push(d);
    }
    const control = new SharedArrayBuffer(12);
    const results = new SharedArrayBuffer(domains * parties * 4);
    new Int32Array(results).fill(-1);
    await Promise.all(Array.from({ length: parties }, (_, thread) => runWorker('commit-racer.mjs', { handles, control, results, thread, parties })));
    const codes = new Int32Array(results);
    for (let i = 0; i < domains; i++) {
      const row = Array.from(codes.subarray(i * parties, (i + 1) * parties));
      expect(row.filter((c) => c === ErrorCode.OK)).toHaveLength(1);
      expect(row.filter((c) => c === ErrorCode.STATE)).toHaveLength(parties - 1);
      expect(domainState(handles[i]!)).toBe('COMMITTED');
    }
  });

  it('getLastError is per thread', async () => {
    const d = domainCreate(1, 0, DomainTable.create(1));
    expect(budgetAlloc(d, 0)).toBe(true);
    expect(await runWorker('last-error.mjs')).toBe(ErrorCode.INVALID);
    expect(getLastError()).toBe(ErrorCode.OK);
  });
});
