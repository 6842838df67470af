import { describe, expect, it } from 'vitest';
import { DomainTable, ErrorCode, budgetAlloc, budgetRelease, domainBudget, domainCreate, getLastError } from '../../src/index.js';
import { expectAtlasError } from './expect-code.js';

describe('budget', () => {
  it('the spec sequence', () => {
    const table = DomainTable.create(4);
    const d = domainCreate(12288, 50, table);
    const step = (ok: boolean, code: number, budget: number): void => {
      expect([ok, getLastError(), domainBudget(d)]).toEqual([code === ErrorCode.OK, code, budget]);
    };
    expect(domainBudget(d)).toBe(50);
    step(budgetAlloc(d, 30), ErrorCode.OK, 20);
    step(budgetAlloc(d, 25), ErrorCode.BUDGET, 20);
    step(budgetRelease(d, 80), ErrorCode.BUDGET, 20); // the reference wraps to 4
    step(budgetRelease(d, 75), ErrorCode.OK, 95);
    step(budgetAlloc(d, 96), ErrorCode.INVALID, 95);
    step(budgetAlloc(d, 95), ErrorCode.OK, 0);
    step(budgetAlloc(d, 1), ErrorCode.BUDGET, 0);
    expectAtlasError(() => domainCreate(12288, 96, table), ErrorCode.INVALID);
  });

  it('amounts must be integers 0..95; 0 is a successful no-op', () => {
    const d = domainCreate(1, 10, DomainTable.create(1));
    for (const bad of [-1, 96, 1.5, Number.NaN, '1', null]) {
      expect(budgetAlloc(d, bad as number)).toBe(false);
      expect(getLastError()).toBe(ErrorCode.INVALID);
      expect(budgetRelease(d, bad as number)).toBe(false);
      expect(getLastError()).toBe(ErrorCode.INVALID);
    }
    expect(budgetAlloc(d, 0)).toBe(true);
    expect(budgetRelease(d, 0)).toBe(true);
    expect(domainBudget(d)).toBe(10);
  });
});
