import { describe, expect, it } from 'vitest';
import {
  API_VERSION, AtlasError, DomainTable, ErrorCode, budgetAlloc, conservedSum, domainAttach, domainCommit, domainCreate, domainVerify,
  errorName, errorString, getApiVersion, getLastError, phiEncode, witnessCheck, witnessGenerate, witnessVerify,
} from '../../src/index.js';

describe('error codes', () => {
  it('the seed enum, with INVALID and DESTROYED appended', () => {
    expect({ ...ErrorCode }).toEqual({ OK: 0, CONSERVATION: 1, WITNESS: 2, BUDGET: 3, MEMORY: 4, STATE: 5, INVALID: 6, DESTROYED: 7 });
    expect(Object.isFrozen(ErrorCode)).toBe(true);
    expect(getApiVersion()).toBe(1);
    expect(API_VERSION).toBe(1);
  });

  it('errorName and errorString cover every code and degrade for unknown ones', () => {
    for (const [name, code] of Object.entries(ErrorCode)) {
      expect(errorName(code)).toBe(name);
      expect(errorString(code)).not.toMatch(/unknown/);
    }
    expect(errorString(8)).toBe('unknown error code 8');
    expect(errorName(-1)).toBe('E-1');
    expect(errorString('length' as unknown as number)).toMatch(/unknown/); // not MESSAGES.length
    expect(errorName(Symbol('x') as unknown as number)).toBe('ESymbol(x)');
  });

  it('AtlasError carries its code and a message naming it', () => {
    const err = new AtlasError(ErrorCode.BUDGET, 'short');
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(3);
    expect(err.message).toBe('BUDGET: short');
    expect(err.name).toBe('AtlasError');
  });
});

describe('return convention', () => {
  const table = DomainTable.create(4);

  it('code-returning functions (domainAttach, domainCommit, witnessCheck) return the code and set the last error', () => {
    const d = domainCreate(3, 0, table);
    expect(domainAttach(d, new Uint8Array([1, 2, 3]))).toBe(ErrorCode.OK);
    expect(getLastError()).toBe(ErrorCode.OK);
    expect(domainCommit(d)).toBe(ErrorCode.CONSERVATION);
    expect(getLastError()).toBe(ErrorCode.CONSERVATION);
    expect(witnessCheck(witnessGenerate(new Uint8Array(1)), new Uint8Array(2))).toBe(ErrorCode.INVALID);
    expect(getLastError()).toBe(ErrorCode.INVALID);
  });

  it('boolean functions (domainVerify, budgetAlloc/Release, witnessVerify) return false with the reason in getLastError()', () => {
    const d = domainCreate(3, 1, table);
    expect(budgetAlloc(d, 2)).toBe(false);
    expect(getLastError()).toBe(ErrorCode.BUDGET);
    expect(domainVerify(d)).toBe(false);
    expect(getLastError()).toBe(ErrorCode.STATE);
    expect(witnessVerify(witnessGenerate(new Uint8Array([1])), new Uint8Array([2]))).toBe(false);
    expect(getLastError()).toBe(ErrorCode.WITNESS);
    expect(budgetAlloc(d, 1)).toBe(true);
    expect(getLastError()).toBe(ErrorCode.OK);
  });

  it('value-returning functions throw AtlasError and record the code', () => {
    expect(() => phiEncode(48, 0)).toThrow(AtlasError);
    expect(getLastError()).toBe(ErrorCode.INVALID);
    expect(() => conservedSum(null as unknown as Uint8Array)).toThrow(AtlasError);
    expect(() => domainCreate(1, 0, DomainTable.create(1))).not.toThrow();
  });
});
