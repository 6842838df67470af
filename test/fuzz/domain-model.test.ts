import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainTable, ErrorCode, domainAttach, domainCommit, domainCreate, domainDestroy, domainDigest, domainState, domainVerify, getLastError } from '../../src/index.js';
import { SEED } from '../l2/expect-code.js';

type Op =
  | { kind: 'attach'; bytes: number[] }
  | { kind: 'poke'; at: number; value: number }
  | { kind: 'swap'; i: number; j: number }
  | { kind: 'verify' }
  | { kind: 'commit' }
  | { kind: 'destroy' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('attach' as const), bytes: fc.oneof(fc.array(fc.nat(255), { maxLength: 40 }), fc.array(fc.constantFrom(0, 48, 96, 192), { maxLength: 40 })) }),
  fc.record({ kind: fc.constant('poke' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 48, 96, 144, 192, 255) }),
  fc.record({ kind: fc.constant('swap' as const), i: fc.nat(), j: fc.nat() }),
  fc.constant({ kind: 'verify' as const }),
  fc.constant({ kind: 'commit' as const }),
  fc.constant({ kind: 'destroy' as const }),
);

const sum = (b: Uint8Array): number => b.reduce((a, x) => a + x, 0);
const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** An independent model of the domain contract (spec §1, domain row), checked against the implementation. */
describe('domain attach/verify/commit against a model', () => {
  it('random operation sequences return exactly the modelled codes', () => {
    const table = DomainTable.create(2);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        const d = domainCreate(40, 0, table);
        const m = { bytes: undefined as Uint8Array | undefined, attachSum: 0, committed: false, digest: '', destroyed: false };
        const verifyCode = (): number => {
          if (m.destroyed) return ErrorCode.DESTROYED;
          if (!m.bytes) return ErrorCode.STATE;
          const s = sum(m.bytes);
          if (s % 96 !== 0 || s !== m.attachSum) return ErrorCode.CONSERVATION;
          if (m.committed && digest(m.bytes) !== m.digest) return ErrorCode.WITNESS;
          return ErrorCode.OK;
        };
        for (const o of ops) {
          if (o.kind === 'attach') {
            const bytes = Uint8Array.from(o.bytes);
            const expected = m.destroyed ? ErrorCode.DESTROYED : bytes.length === 0 ? ErrorCode.INVALID : m.committed || m.bytes ? ErrorCode.STATE : ErrorCode.OK;
            expect(domainAttach(d, bytes)).toBe(expected);
            if (expected === ErrorCode.OK) [m.bytes, m.attachSum] = [bytes, sum(bytes)];
          } else if (o.kind === 'poke' && m.bytes && m.bytes.length > 0) {
            m.bytes[o.at % m.bytes.length] = o.value;
          } else if (o.kind === 'swap' && m.bytes && m.bytes.length > 0) {
            const [i, j] = [o.i % m.bytes.length, o.j % m.bytes.length];
            [m.bytes[i], m.bytes[j]] = [m.bytes[j]!, m.bytes[i]!];
          } else if (o.kind === 'verify') {
            const expected = verifyCode();
            expect(domainVerify(d)).toBe(expected === ErrorCode.OK);
            expect(getLastError()).toBe(expected);
          } else if (o.kind === 'commit') {
            const v = verifyCode();
            const expected = v !== ErrorCode.OK ? v : m.committed ? ErrorCode.STATE : ErrorCode.OK;
            expect(domainCommit(d)).toBe(expected);
            if (expected === ErrorCode.OK) [m.committed, m.digest] = [true, digest(m.bytes!)];
          } else if (o.kind === 'destroy') {
            domainDestroy(d);
            m.destroyed = true;
          }
          if (!m.destroyed) {
            expect(domainState(d)).toBe(m.committed ? 'COMMITTED' : 'OPEN');
            expect(domainDigest(d)).toBe(m.committed ? m.digest : null);
          }
        }
        domainDestroy(d);
        expect(table.live).toBe(0);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});
