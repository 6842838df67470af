import { hash, timingSafeEqual } from 'node:crypto';
import { ErrorCode, fail, setLastError } from '../errors.js';
import { kernels } from '../kernels/index.js';
import { defaultDomainTable, DomainTable, Field, findTableWords, Flag, Header, SLOT_WORDS, slotBase, State, tableWords } from './domain-table.js';

/**
 * A handle to one slot of a DomainTable. It is plain data: posting it to a worker shares the table (and the attached
 * bytes, when they live in a SharedArrayBuffer). A handle cloned before attach carries no bytes.
 */
export interface Domain {
  readonly table: SharedArrayBuffer;
  readonly slot: number;
  readonly generation: number;
  /** The bytes recorded by domainAttach; not owned by the domain. */
  view?: Uint8Array;
}

export type DomainState = 'OPEN' | 'COMMITTED';

const U32 = 0x1_0000_0000;

// Attach and commit each sum the whole structure (commit re-checks that the bytes did not change since attach), so
// both take the fastest backend's byte sum; one-shot hashing saves createHash's per-call setup on 12 KiB structures.
const byteSum = (bytes: Uint8Array): number => kernels().byteSum(bytes);
const sha256 = (bytes: Uint8Array): Buffer => hash('sha256', bytes, 'buffer');

function isDomain(d: unknown): d is Domain {
  const x = d as Domain;
  return x !== null && typeof x === 'object' && x.table instanceof SharedArrayBuffer && Number.isInteger(x.slot) && x.slot >= 0 && Number.isInteger(x.generation);
}

/** Resolves a handle to the base word of its live slot, or the code that says why it cannot be used. */
function resolve(d: unknown): { words: Int32Array; base: number } | ErrorCode {
  if (!isDomain(d)) return ErrorCode.INVALID;
  const words = findTableWords(d.table);
  if (words === undefined || d.slot >= Atomics.load(words, Header.SLOTS)) return ErrorCode.INVALID;
  const base = slotBase(d.slot);
  const flags = Atomics.load(words, base + Field.FLAGS);
  if (Atomics.load(words, base + Field.GENERATION) !== d.generation || (flags & Flag.DESTROYED) !== 0 || (flags & Flag.LIVE) === 0) {
    return ErrorCode.DESTROYED;
  }
  return { words, base };
}

function resolveOrThrow(d: unknown): { words: Int32Array; base: number } {
  const r = resolve(d);
  if (typeof r === 'number') fail(r, r === ErrorCode.INVALID ? 'not a domain handle' : 'domain destroyed');
  return r;
}

/** attach stores the bytes on the handle; a frozen or sealed handle cannot take them. */
function canHoldView(d: Domain): boolean {
  const own = Object.getOwnPropertyDescriptor(d, 'view');
  return own === undefined ? Object.isExtensible(d) : own.writable === true;
}

function splitStore(words: Int32Array, at: number, value: number): void {
  Atomics.store(words, at, value % U32 | 0);
  Atomics.store(words, at + 1, Math.floor(value / U32) | 0);
}

function readDigest(words: Int32Array, base: number): Buffer {
  const out = Buffer.alloc(32);
  for (let w = 0; w < 8; w++) out.writeInt32LE(Atomics.load(words, base + Field.DIGEST + w), w * 4);
  return out;
}

function joinLoad(words: Int32Array, at: number): number {
  return (Atomics.load(words, at) >>> 0) + (Atomics.load(words, at + 1) >>> 0) * U32;
}

/** Creates an OPEN domain with budgetClass units of budget. Throws INVALID for bad arguments, MEMORY when the table is full. */
export function domainCreate(bytes: number, budgetClass: number, table: DomainTable = defaultDomainTable()): Domain {
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 1) fail(ErrorCode.INVALID, `bytes must be a positive integer, got ${String(bytes)}`);
  if (typeof budgetClass !== 'number' || !Number.isInteger(budgetClass) || budgetClass < 0 || budgetClass > 95) fail(ErrorCode.INVALID, `budgetClass must be in 0..95, got ${String(budgetClass)}`);
  if (!(table instanceof DomainTable)) fail(ErrorCode.INVALID, 'table must be a DomainTable');
  const words = tableWords(table.buffer);
  const slots = table.capacity;
  const start = (Atomics.add(words, Header.HINT, 1) >>> 0) % slots;
  for (let i = 0; i < slots; i++) {
    const slot = (start + i) % slots;
    const base = slotBase(slot);
    const flags = Atomics.load(words, base + Field.FLAGS);
    if (flags !== 0 && flags !== Flag.DESTROYED) continue;
    if (Atomics.compareExchange(words, base + Field.FLAGS, flags, Flag.CREATING) !== flags) continue;
    const generation = (Atomics.load(words, base + Field.GENERATION) + 1) | 0;
    words.fill(0, base + Field.GENERATION, base + SLOT_WORDS); // FLAGS stays CREATING: it is our claim on the slot
    Atomics.store(words, base + Field.GENERATION, generation);
    Atomics.store(words, base + Field.STATE, State.OPEN);
    Atomics.store(words, base + Field.BUDGET, budgetClass);
    Atomics.store(words, base + Field.BUDGET_CLASS, budgetClass);
    splitStore(words, base + Field.BYTES_LO, bytes);
    Atomics.add(words, Header.LIVE, 1);
    Atomics.store(words, base + Field.FLAGS, Flag.LIVE);
    setLastError(ErrorCode.OK);
    return { table: table.buffer, slot, generation };
  }
  fail(ErrorCode.MEMORY, `domain table is full (${slots} slots)`);
}

/** Records bytes (any length > 0) and their exact sum, once, while OPEN. Returns OK or a code. */
export function domainAttach(d: Domain, bytes: Uint8Array): ErrorCode {
  const r = resolve(d);
  if (typeof r === 'number') return setLastError(r);
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return setLastError(ErrorCode.INVALID);
  if (!canHoldView(d)) return setLastError(ErrorCode.INVALID);
  const { words, base } = r;
  if (Atomics.load(words, base + Field.STATE) !== State.OPEN) return setLastError(ErrorCode.STATE);
  if (Atomics.compareExchange(words, base + Field.FLAGS, Flag.LIVE, Flag.LIVE | Flag.ATTACHING) !== Flag.LIVE) {
    return setLastError(ErrorCode.STATE);
  }
  const sum = byteSum(bytes);
  splitStore(words, base + Field.LEN_LO, bytes.length);
  splitStore(words, base + Field.SUM_LO, sum);
  Atomics.store(words, base + Field.RESIDUE, sum % 96);
  // A CAS, not a store: a destroy that ran meanwhile must not be undone.
  if (Atomics.compareExchange(words, base + Field.FLAGS, Flag.LIVE | Flag.ATTACHING, Flag.LIVE | Flag.ATTACHED) !== (Flag.LIVE | Flag.ATTACHING)) {
    return setLastError(ErrorCode.DESTROYED);
  }
  d.view = bytes;
  return setLastError(ErrorCode.OK);
}

function verifyCode(d: Domain): ErrorCode {
  const r = resolve(d);
  if (typeof r === 'number') return r;
  const { words, base } = r;
  const flags = Atomics.load(words, base + Field.FLAGS);
  const view = d.view;
  if ((flags & Flag.ATTACHED) === 0 || !(view instanceof Uint8Array)) return ErrorCode.STATE;
  const sum = byteSum(view);
  if (sum % 96 !== 0) return ErrorCode.CONSERVATION;
  if (view.length !== joinLoad(words, base + Field.LEN_LO) || sum !== joinLoad(words, base + Field.SUM_LO)) return ErrorCode.CONSERVATION;
  if ((flags & Flag.WITNESS) !== 0 && !timingSafeEqual(sha256(view), readDigest(words, base))) return ErrorCode.WITNESS;
  return ErrorCode.OK;
}

/** Read-only: attached, conserved, unchanged since attach, and the bound witness (if any) matches. */
export function domainVerify(d: Domain): boolean {
  return setLastError(verifyCode(d)) === ErrorCode.OK;
}

/** Verifies, then moves OPEN -> COMMITTED exactly once (compare-and-swap) and binds a SHA-256 witness. */
export function domainCommit(d: Domain): ErrorCode {
  const code = verifyCode(d);
  if (code !== ErrorCode.OK) return setLastError(code);
  const { words, base } = resolveOrThrow(d);
  if (Atomics.compareExchange(words, base + Field.STATE, State.OPEN, State.COMMITTED) !== State.OPEN) return setLastError(ErrorCode.STATE);
  if ((Atomics.load(words, base + Field.FLAGS) & Flag.WITNESS) === 0) {
    const digest = sha256(d.view!);
    for (let w = 0; w < 8; w++) Atomics.store(words, base + Field.DIGEST + w, digest.readInt32LE(w * 4));
    if (!setFlagWhileLive(words, base, Flag.WITNESS)) return setLastError(ErrorCode.DESTROYED);
  }
  return setLastError(ErrorCode.OK);
}

/** ORs flag into FLAGS unless the slot was destroyed meanwhile (a plain Atomics.or would mark a free slot). */
function setFlagWhileLive(words: Int32Array, base: number, flag: number): boolean {
  for (;;) {
    const flags = Atomics.load(words, base + Field.FLAGS);
    if ((flags & Flag.LIVE) === 0) return false;
    if (Atomics.compareExchange(words, base + Field.FLAGS, flags, flags | flag) === flags) return true;
  }
}

/** Frees the slot; later calls on any copy of the handle give DESTROYED. null, undefined and a second destroy are no-ops. */
export function domainDestroy(d: Domain | null | undefined): void {
  if (d === null || d === undefined) return;
  if (!isDomain(d)) fail(ErrorCode.INVALID, 'not a domain handle');
  const r = resolve(d);
  if (r === ErrorCode.DESTROYED) return;
  const { words, base } = resolveOrThrow(d);
  for (;;) {
    const flags = Atomics.load(words, base + Field.FLAGS);
    if ((flags & Flag.LIVE) === 0 || Atomics.load(words, base + Field.GENERATION) !== d.generation) return;
    if (Atomics.compareExchange(words, base + Field.FLAGS, flags, Flag.DESTROYED) === flags) break;
  }
  Atomics.sub(words, Header.LIVE, 1);
  Reflect.deleteProperty(d, 'view');
}

function budgetUpdate(d: Domain, amt: number, sign: 1 | -1): boolean {
  const r = resolve(d);
  if (typeof r === 'number') return (setLastError(r), false);
  if (typeof amt !== 'number' || !Number.isInteger(amt) || amt < 0 || amt > 95) return (setLastError(ErrorCode.INVALID), false);
  const { words, base } = r;
  for (;;) {
    const current = Atomics.load(words, base + Field.BUDGET);
    const next = current + sign * amt;
    if (next < 0 || next > 95) return (setLastError(ErrorCode.BUDGET), false);
    if (Atomics.compareExchange(words, base + Field.BUDGET, current, next) === current) return (setLastError(ErrorCode.OK), true);
  }
}

/** Takes amt (0..95) units; false (BUDGET) when fewer are available, the budget unchanged. */
export function budgetAlloc(d: Domain, amt: number): boolean {
  return budgetUpdate(d, amt, -1);
}

/** Returns amt (0..95) units; false (BUDGET) when the budget would pass 95, the budget unchanged. */
export function budgetRelease(d: Domain, amt: number): boolean {
  return budgetUpdate(d, amt, 1);
}

/** Available budget units, 0..95. */
export function domainBudget(d: Domain): number {
  const { words, base } = resolveOrThrow(d);
  return Atomics.load(words, base + Field.BUDGET);
}

export function domainState(d: Domain): DomainState {
  const { words, base } = resolveOrThrow(d);
  return Atomics.load(words, base + Field.STATE) === State.COMMITTED ? 'COMMITTED' : 'OPEN';
}

/** The SHA-256 (hex) bound at commit, or null before. */
export function domainDigest(d: Domain): string | null {
  const { words, base } = resolveOrThrow(d);
  if ((Atomics.load(words, base + Field.FLAGS) & Flag.WITNESS) === 0) return null;
  const out = readDigest(words, base);
  return out.toString('hex');
}
