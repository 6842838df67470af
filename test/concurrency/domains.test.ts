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

  // [threads, domains]: the brief's 8 x 100, and the spec's 50 attempts on 10 domains (10 OK, 40 STATE).
  it.each([
    [8, 100],
    [5, 10],
  ])('%i threads race to commit each of %i domains behind an Atomics barrier: exactly one OK each, the rest STATE', async (parties, domains) => {
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
    const codes = Array.from(new Int32Array(results));
    expect(codes.filter((c) => c === ErrorCode.OK)).toHaveLength(domains);
    expect(codes.filter((c) => c === ErrorCode.STATE)).toHaveLength(domains * (parties - 1));
    for (let i = 0; i < domains; i++) {
      expect(codes.slice(i * parties, (i + 1) * parties).filter((c) => c === ErrorCode.OK)).toHaveLength(1);
      expect(domainState(handles[i]!)).toBe('COMMITTED');
    }
  });

  it('4 threads create and destroy on one table at once: unique slots, no takeover, exact live count, then MEMORY', async () => {
    const threads = 4;
    const keep = 150;
    const table = DomainTable.create(threads * keep + 8);
    const gate = new SharedArrayBuffer(4);
    const reports = (await Promise.all(
      Array.from({ length: threads }, (_, thread) => runWorker('table-churn.mjs', { buffer: table.buffer, thread, keep, churn: 600, gate, threads })),
    )) as { kept: Domain[]; problems: string[] }[];
    expect(reports.flatMap((r) => r.problems)).toEqual([]);
    const kept = reports.flatMap((r, thread) => r.kept.map((d) => ({ d, thread })));
    expect(kept).toHaveLength(threads * keep);
    expect(new Set(kept.map(({ d }) => d.slot)).size).toBe(threads * keep);
    for (const { d, thread } of kept) expect(domainBudget(d)).toBe(thread);
    expect(table.live).toBe(threads * keep);
    for (let i = 0; i < 8; i++) domainCreate(1, 0, table);
    expect(() => domainCreate(1, 0, table)).toThrow(expect.objectContaining({ code: ErrorCode.MEMORY }));
  });

  it('getLastError is per thread', async () => {
    const d = domainCreate(1, 0, DomainTable.create(1));
    expect(budgetAlloc(d, 0)).toBe(true);
    expect(await runWorker('last-error.mjs')).toBe(ErrorCode.INVALID);
    expect(getLastError()).toBe(ErrorCode.OK);
  });
});
