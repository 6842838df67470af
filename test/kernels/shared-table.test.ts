// C threads (libatlas in the addon) and JS Atomics on one DomainTable: the table layout is shared, not copied.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { DomainTable } from '../../src/l2/domain-table.js';
import { budgetAlloc, domainBudget, domainCreate, domainDestroy } from '../../src/l2/domain.js';
import { nativeAddon } from '../../src/kernels/native.js';

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'src');

// Each worker does `rounds` alloc(1)/release(1) pairs through JS Atomics or through C, and counts anomalies: a release
// after a successful alloc must succeed, and every observed budget must be in 0..95.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { budgetAlloc, budgetRelease, domainBudget } = await import(workerData.dist + '/l2/domain.js');
  const { nativeAddon } = await import(workerData.dist + '/kernels/native.js');
  const { domain, via, rounds } = workerData;
  const words = new Int32Array(domain.table);
  const addon = nativeAddon();
  let anomalies = 0, taken = 0;
  for (let i = 0; i < rounds; i++) {
    const ok = via === 'c' ? addon.tableBudgetAlloc(words, domain.slot, domain.generation, 1) === 0 : budgetAlloc(domain, 1);
    const b = domainBudget(domain);
    if (b < 0 || b > 95) anomalies++;
    if (ok) {
      taken++;
      const back = via === 'c' ? addon.tableBudgetRelease(words, domain.slot, domain.generation, 1) === 0 : budgetRelease(domain, 1);
      if (!back) anomalies++;
    }
  }
  parentPort.postMessage({ anomalies, taken });
})();
`;

function run(domain: object, via: 'c' | 'js', rounds: number): Promise<{ anomalies: number; taken: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: { dist: DIST, domain, via, rounds } });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

describe('one domain table, C and JS', () => {
  it('C sees and updates the budget word JS created, with the contract codes', () => {
    const table = DomainTable.create(4);
    const d = domainCreate(12288, 50, table);
    const words = new Int32Array(table.buffer);
    const addon = nativeAddon();
    expect(addon.tableBudgetAlloc(words, d.slot, d.generation, 30)).toBe(ErrorCode.OK);
    expect(domainBudget(d)).toBe(20);
    expect(addon.tableBudgetAlloc(words, d.slot, d.generation, 25)).toBe(ErrorCode.BUDGET);
    expect(addon.tableBudgetRelease(words, d.slot, d.generation, 80)).toBe(ErrorCode.BUDGET);
    expect(addon.tableBudgetRelease(words, d.slot, d.generation, 75)).toBe(ErrorCode.OK);
    expect(domainBudget(d)).toBe(95);
    expect(addon.tableBudgetAlloc(words, d.slot, d.generation, 96)).toBe(ErrorCode.INVALID);
    expect(budgetAlloc(d, 95)).toBe(true);
    expect(addon.tableBudgetAlloc(words, d.slot, d.generation, 1)).toBe(ErrorCode.BUDGET);
    expect(addon.tableBudgetAlloc(words, d.slot, d.generation + 1, 0)).toBe(ErrorCode.DESTROYED);
    domainDestroy(d);
    expect(addon.tableBudgetRelease(words, d.slot, d.generation, 1)).toBe(ErrorCode.DESTROYED);
  });

  it('C threads and JS threads contend on one budget: it ends where it started and never leaves 0..95', async () => {
    const table = DomainTable.create(2);
    const d = domainCreate(12288, 3, table);
    const results = await Promise.all([run(d, 'c', 20000), run(d, 'js', 20000), run(d, 'c', 20000), run(d, 'js', 20000)]);
    expect(results.map((r) => r.anomalies)).toEqual([0, 0, 0, 0]);
    expect(results.every((r) => r.taken > 0)).toBe(true);
    expect(domainBudget(d)).toBe(3);
  });
});
