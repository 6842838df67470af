import { describe, expect, it } from 'vitest';
import {
  DomainTable, ErrorCode, budgetAlloc, budgetRelease, conservedMemset, domainAttach, domainBudget, domainCommit, domainCreate,
  domainDestroy, domainDigest, domainState, domainVerify, getLastError, witnessGenerate, type Domain,
} from '../../src/index.js';
import { expectAtlasError } from './expect-code.js';

const conserved = (len = 12288, value = 7): Uint8Array => conservedMemset(new Uint8Array(len), value);

describe('domain lifecycle', () => {
  it('create -> attach -> verify -> commit; a second commit is STATE', () => {
    const table = DomainTable.create(8);
    const d = domainCreate(12288, 5, table);
    expect(domainState(d)).toBe('OPEN');
    expect(domainVerify(d)).toBe(false);
    expect(getLastError()).toBe(ErrorCode.STATE); // not attached yet
    expect(domainCommit(d)).toBe(ErrorCode.STATE);
    const bytes = conserved();
    expect(domainAttach(d, bytes)).toBe(ErrorCode.OK);
    expect(domainAttach(d, bytes)).toBe(ErrorCode.STATE); // attach once
    expect(domainVerify(d)).toBe(true);
    expect(getLastError()).toBe(ErrorCode.OK);
    expect(domainDigest(d)).toBeNull();
    expect(domainCommit(d)).toBe(ErrorCode.OK);
    expect(domainState(d)).toBe('COMMITTED');
    expect(domainDigest(d)).toBe(witnessGenerate(bytes).sha256);
    expect(domainCommit(d)).toBe(ErrorCode.STATE);
    expect(getLastError()).toBe(ErrorCode.STATE);
    expect(domainVerify(d)).toBe(true); // verify works in any non-destroyed state
    expect(table.live).toBe(1);
  });

  it('attach accepts any len > 0 (a mismatch with bytes is metadata) and rejects empty or non-bytes', () => {
    const d = domainCreate(12288, 0, DomainTable.create(2));
    expect(domainAttach(d, new Uint8Array(0))).toBe(ErrorCode.INVALID);
    expect(domainAttach(d, [96] as unknown as Uint8Array)).toBe(ErrorCode.INVALID);
    expect(domainAttach(d, new Uint8Array([96]))).toBe(ErrorCode.OK);
    expect(domainCommit(d)).toBe(ErrorCode.OK);
  });

  it('a non-conserved domain cannot commit (CONSERVATION) and stays OPEN', () => {
    const d = domainCreate(3, 0, DomainTable.create(1));
    expect(domainAttach(d, new Uint8Array([1, 2, 3]))).toBe(ErrorCode.OK);
    expect(domainVerify(d)).toBe(false);
    expect(getLastError()).toBe(ErrorCode.CONSERVATION);
    expect(domainCommit(d)).toBe(ErrorCode.CONSERVATION);
    expect(domainState(d)).toBe('OPEN');
  });

  it('bytes changed after attach: Σ changed by 96 (still ≡ 0) -> CONSERVATION; Σ mod 96 broken -> CONSERVATION', () => {
    const bytes = conserved(256, 0);
    const d = domainCreate(256, 0, DomainTable.create(1));
    expect(domainAttach(d, bytes)).toBe(ErrorCode.OK);
    bytes[0] = 96;
    expect(domainVerify(d)).toBe(false);
    expect(getLastError()).toBe(ErrorCode.CONSERVATION);
    bytes[0] = 1;
    expect(domainCommit(d)).toBe(ErrorCode.CONSERVATION);
    bytes[0] = 0;
    expect(domainVerify(d)).toBe(true); // restored
  });

  it('after commit, bytes changed keeping the exact Σ -> WITNESS', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i);
    const d = domainCreate(64, 0, DomainTable.create(1));
    expect(domainAttach(d, bytes)).toBe(ErrorCode.OK);
    expect(domainCommit(d)).toBe(ErrorCode.OK);
    [bytes[3], bytes[35]] = [bytes[35]!, bytes[3]!];
    expect(domainVerify(d)).toBe(false);
    expect(getLastError()).toBe(ErrorCode.WITNESS);
  });

  it('destroy: every later call gives DESTROYED; destroy(null/undefined) and a second destroy are no-ops', () => {
    const table = DomainTable.create(2);
    const d = domainCreate(12288, 40, table);
    expect(domainAttach(d, conserved())).toBe(ErrorCode.OK);
    const copy: Domain = { table: d.table, slot: d.slot, generation: d.generation };
    domainDestroy(d);
    expect(table.live).toBe(0);
    for (const h of [d, copy]) {
      expect(domainAttach(h, conserved())).toBe(ErrorCode.DESTROYED);
      expect(domainVerify(h)).toBe(false);
      expect(getLastError()).toBe(ErrorCode.DESTROYED);
      expect(domainCommit(h)).toBe(ErrorCode.DESTROYED);
      expect(budgetAlloc(h, 1)).toBe(false);
      expect(getLastError()).toBe(ErrorCode.DESTROYED);
      expect(budgetRelease(h, 1)).toBe(false);
      expect(getLastError()).toBe(ErrorCode.DESTROYED);
      expectAtlasError(() => domainBudget(h), ErrorCode.DESTROYED);
      expectAtlasError(() => domainState(h), ErrorCode.DESTROYED);
      expectAtlasError(() => domainDigest(h), ErrorCode.DESTROYED);
    }
    expect(() => domainDestroy(d)).not.toThrow();
    expect(() => domainDestroy(null)).not.toThrow();
    expect(() => domainDestroy(undefined)).not.toThrow();
    expect(table.live).toBe(0);
    expectAtlasError(() => domainDestroy({} as Domain), ErrorCode.INVALID);
  });

  it('a stale handle after slot reuse gives DESTROYED and cannot touch the new domain', () => {
    const table = DomainTable.create(1);
    const old = domainCreate(12288, 10, table);
    domainDestroy(old);
    const fresh = domainCreate(12288, 20, table);
    expect(fresh.slot).toBe(old.slot);
    expect(fresh.generation).not.toBe(old.generation);
    expect(budgetAlloc(old, 5)).toBe(false);
    expect(getLastError()).toBe(ErrorCode.DESTROYED);
    domainDestroy(old); // no-op on the new occupant
    expect(domainBudget(fresh)).toBe(20);
    expect(table.live).toBe(1);
  });

  it('a full table -> MEMORY; a destroyed slot is reusable', () => {
    const table = DomainTable.create(3);
    const all = [0, 1, 2].map(() => domainCreate(1, 0, table));
    expect(new Set(all.map((d) => d.slot)).size).toBe(3);
    expectAtlasError(() => domainCreate(1, 0, table), ErrorCode.MEMORY);
    domainDestroy(all[1]!);
    expect(domainCreate(1, 0, table).slot).toBe(all[1]!.slot);
  });

  it('create rejects bad arguments with INVALID', () => {
    const table = DomainTable.create(1);
    for (const bytes of [0, -1, 1.5, Number.NaN, 2 ** 53]) expectAtlasError(() => domainCreate(bytes, 0, table), ErrorCode.INVALID);
    for (const budget of [-1, 96, 0.5]) expectAtlasError(() => domainCreate(1, budget, table), ErrorCode.INVALID);
    expectAtlasError(() => domainCreate(1, 0, {} as DomainTable), ErrorCode.INVALID);
    expect(table.live).toBe(0);
  });

  it('handles to a forged or foreign buffer are INVALID, not a crash', () => {
    const forged = { table: new SharedArrayBuffer(64), slot: 0, generation: 1 } as Domain;
    expect(domainAttach(forged, conserved())).toBe(ErrorCode.INVALID);
    expect(domainCommit(forged)).toBe(ErrorCode.INVALID);
    expect(domainVerify(forged)).toBe(false);
    expect(getLastError()).toBe(ErrorCode.INVALID);
    expectAtlasError(() => domainBudget(forged), ErrorCode.INVALID);
    const outOfRange = { ...domainCreate(1, 0, DomainTable.create(1)), slot: 5 };
    expect(domainCommit(outOfRange)).toBe(ErrorCode.INVALID);
    expectAtlasError(() => DomainTable.from(new SharedArrayBuffer(63)), ErrorCode.INVALID);
  });

  it('the handle survives structuredClone (plain data) and the table is shared, not copied', () => {
    const table = DomainTable.create(2);
    const d = domainCreate(12288, 30, table);
    const clone = structuredClone(d);
    expect(budgetAlloc(clone, 10)).toBe(true);
    expect(domainBudget(d)).toBe(20);
  });
});
