import { ErrorCode, fail } from '../errors.js';

/**
 * The shared-memory domain table. All fields are Int32 words; docs/l2-contract.md documents the layout so that the
 * C library (include/atlas.h) and JS Atomics can work on one table.
 */
export const TABLE_MAGIC = 0x324c5441; // 'ATL2' little-endian
export const TABLE_LAYOUT_VERSION = 1;
export const HEADER_WORDS = 16;
export const SLOT_WORDS = 32;

export const Header = Object.freeze({ MAGIC: 0, VERSION: 1, SLOTS: 2, SLOT_WORDS: 3, HINT: 4, LIVE: 5 } as const);

export const Field = Object.freeze({
  STATE: 0,
  FLAGS: 1,
  GENERATION: 2,
  BUDGET: 3,
  BUDGET_CLASS: 4,
  BYTES_LO: 5,
  BYTES_HI: 6,
  LEN_LO: 7,
  LEN_HI: 8,
  SUM_LO: 9,
  SUM_HI: 10,
  RESIDUE: 11,
  /** Free for the owner of the table: the engine counts a structure's unfinished shards here. */
  PENDING: 12,
  DIGEST: 16, // 8 words: the SHA-256 bound at commit
} as const);

export const State = Object.freeze({ OPEN: 0, COMMITTED: 1 } as const);

export const Flag = Object.freeze({
  LIVE: 1,
  ATTACHING: 2,
  ATTACHED: 4,
  WITNESS: 8,
  DESTROYED: 16,
  CREATING: 32,
} as const);

const views = new WeakMap<SharedArrayBuffer, Int32Array>();

/** An Int32 view of a table buffer, checked once per buffer and thread; undefined when it is not a valid table. */
export function findTableWords(buffer: unknown): Int32Array | undefined {
  if (!(buffer instanceof SharedArrayBuffer)) return undefined;
  let words = views.get(buffer);
  if (words) return words;
  if (buffer.byteLength < HEADER_WORDS * 4 || buffer.byteLength % 4 !== 0) return undefined;
  words = new Int32Array(buffer);
  if (
    Atomics.load(words, Header.MAGIC) !== TABLE_MAGIC || Atomics.load(words, Header.VERSION) !== TABLE_LAYOUT_VERSION ||
    Atomics.load(words, Header.SLOT_WORDS) !== SLOT_WORDS || Atomics.load(words, Header.SLOTS) < 1 ||
    words.length < HEADER_WORDS + Atomics.load(words, Header.SLOTS) * SLOT_WORDS
  ) {
    return undefined;
  }
  views.set(buffer, words);
  return words;
}

/** Like findTableWords, but a buffer that is not a valid table throws INVALID. */
export function tableWords(buffer: SharedArrayBuffer): Int32Array {
  return findTableWords(buffer) ?? fail(ErrorCode.INVALID, 'not a domain table buffer, or its header is corrupt or of another layout version');
}

export function slotBase(slot: number): number {
  return HEADER_WORDS + slot * SLOT_WORDS;
}

/** A fixed number of domain slots in one SharedArrayBuffer; pass `buffer` to workers to share it. */
export class DomainTable {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.capacity = Atomics.load(tableWords(buffer), Header.SLOTS);
  }

  static create(capacity: number): DomainTable {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24) fail(ErrorCode.INVALID, `capacity must be in 1..2^24, got ${String(capacity)}`);
    let buffer: SharedArrayBuffer;
    try {
      buffer = new SharedArrayBuffer((HEADER_WORDS + capacity * SLOT_WORDS) * 4);
    } catch {
      fail(ErrorCode.MEMORY, `cannot allocate a table of ${capacity} slots`);
    }
    const words = new Int32Array(buffer);
    words[Header.MAGIC] = TABLE_MAGIC;
    words[Header.VERSION] = TABLE_LAYOUT_VERSION;
    words[Header.SLOTS] = capacity;
    words[Header.SLOT_WORDS] = SLOT_WORDS;
    return new DomainTable(buffer);
  }

  /** Wraps a table buffer received from another thread. */
  static from(buffer: SharedArrayBuffer): DomainTable {
    return new DomainTable(buffer);
  }

  get live(): number {
    return Atomics.load(tableWords(this.buffer), Header.LIVE);
  }
}

let defaultTable: DomainTable | undefined;

/** This thread's default table, used when domainCreate is not given one. */
export function defaultDomainTable(): DomainTable {
  return (defaultTable ??= DomainTable.create(4096));
}
