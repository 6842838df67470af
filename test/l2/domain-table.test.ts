import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainTable, ErrorCode, budgetAlloc, domainAttach, domainCommit, domainCreate, domainDestroy } from '../../src/index.js';
import { expectAtlasError } from './expect-code.js';

// Word offsets exactly as docs/l2-contract.md §6 states them (deliberately not imported from src: this pins the layout).
const HEADER_WORDS = 16;
const SLOT_WORDS = 32;
const word = (table: DomainTable, slot: number, field: number): number => new Int32Array(table.buffer)[HEADER_WORDS + SLOT_WORDS * slot + field]!;

describe('domain table layout (the C-shared contract)', () => {
  it('header: magic, version, slots, slot words, live count; size (16 + 32·slots)·4', () => {
    const table = DomainTable.create(5);
    const header = new Int32Array(table.buffer, 0, HEADER_WORDS);
    expect(table.buffer.byteLength).toBe((16 + 32 * 5) * 4);
    expect(Array.from(new Uint8Array(table.buffer, 0, 4))).toEqual([0x41, 0x54, 0x4c, 0x32]); // "ATL2"
    expect([header[0], header[1], header[2], header[3]]).toEqual([0x324c5441, 1, 5, 32]);
    domainCreate(1, 0, table);
    domainCreate(1, 0, table);
    expect(header[5]).toBe(2);
    expect(table.live).toBe(2);
  });

  it('slot words after create, attach, alloc and commit', () => {
    const table = DomainTable.create(1); // one slot, so the create after destroy must reuse it
    const d = domainCreate(2 ** 40 + 7, 50, table);
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i); // Σ 2016
    expect(domainAttach(d, bytes)).toBe(ErrorCode.OK);
    expect(budgetAlloc(d, 8)).toBe(true);
    const at = (field: number): number => word(table, d.slot, field);
    expect(at(0)).toBe(0); // STATE OPEN
    expect(at(1)).toBe(1 | 4); // LIVE | ATTACHED
    expect(at(2)).toBe(d.generation);
    expect([at(3), at(4)]).toEqual([42, 50]); // BUDGET, BUDGET_CLASS
    expect([at(5) >>> 0, at(6)]).toEqual([7, 2 ** 8]); // BYTES lo/hi
    expect([at(7), at(8), at(9), at(10), at(11)]).toEqual([64, 0, 2016, 0, 0]); // LEN, SUM, RESIDUE
    expect(domainCommit(d)).toBe(ErrorCode.OK);
    expect(at(0)).toBe(1); // COMMITTED
    expect(at(1)).toBe(1 | 4 | 8); // + WITNESS
    const digest = Buffer.alloc(32);
    for (let i = 0; i < 8; i++) digest.writeInt32LE(at(16 + i), 4 * i);
    expect(digest.toString('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    for (const reserved of [12, 13, 14, 15, 24, 25, 31]) expect(at(reserved)).toBe(0);
    domainDestroy(d);
    expect(at(1)).toBe(16); // only DESTROYED
    expect(at(2)).toBe(d.generation); // the generation stays until the next create
    const next = domainCreate(1, 0, DomainTable.from(table.buffer));
    expect([next.slot, next.generation]).toEqual([d.slot, d.generation + 1]);
  });

  it('DomainTable.from rejects buffers that are not tables', () => {
    const good = DomainTable.create(2);
    expect(DomainTable.from(good.buffer).capacity).toBe(2);
    const corrupt = (edit: (w: Int32Array) => void): SharedArrayBuffer => {
      const copy = new SharedArrayBuffer(good.buffer.byteLength);
      new Uint8Array(copy).set(new Uint8Array(good.buffer));
      edit(new Int32Array(copy));
      return copy;
    };
    for (const bad of [
      corrupt((w) => (w[0] = 0)), // magic
      corrupt((w) => (w[1] = 2)), // version
      corrupt((w) => (w[2] = 3)), // more slots than the buffer holds
      corrupt((w) => (w[2] = 0)), // no slots
      corrupt((w) => (w[3] = 16)), // slot size
      new SharedArrayBuffer(63),
    ]) {
      expectAtlasError(() => DomainTable.from(bad), ErrorCode.INVALID);
    }
    expectAtlasError(() => DomainTable.from(new ArrayBuffer(1024) as unknown as SharedArrayBuffer), ErrorCode.INVALID);
    expectAtlasError(() => DomainTable.create(0), ErrorCode.INVALID);
    expectAtlasError(() => DomainTable.create(2 ** 24 + 1), ErrorCode.INVALID);
  });
});
