import { ErrorCode, fail } from '../errors.js';
import { storedForm, wholeStructure } from '../framing/structure.js';
import { sha256 } from '../l2/witness.js';

/**
 * XOR group parity across a document's structures (holo-store.md §5, "XOR group parity across g chunks"): the
 * structures (or a Vault document's sealed chunks) are split into groups of g, the last one shorter, and each group
 * gets one parity block P = ⊕ (len_j ‖ member_j), every member prefixed by its byte length (u32 LE) and zero-padded
 * to the longest. Any one lost member of a group is P ⊕ the others, its length read from P's first 4 bytes; the
 * caller checks the result against the member's SHA-256 before using it.
 */
export const DEFAULT_GROUP_SIZE = 8;
/**
 * Version 1 XORed whole structures; version 2 XORs each structure in its stored form (storedForm: without the zero
 * padding), so a small document's parity is as small as its bytes. Sealed Vault chunks are XORed as they are in both.
 */
export const GROUP_PARITY_VERSION = 2;
export type MemberKind = 'structure' | 'chunk';
const LENGTH_BYTES = 4;
const DIGEST_BYTES = 32;
const HEADER_BYTES = 5;

/** What a document's manifest records of its group parity. */
export interface GroupParityRecord {
  readonly version: number;
  /** g: members per group (the last group may be shorter). */
  readonly groupSize: number;
  /** SHA-256 of each group's parity block, 32 bytes per group, in group order. */
  readonly parity: Uint8Array;
}

export interface DocumentParity {
  readonly record: GroupParityRecord;
  /** The parity block of each group, in group order (stored under its digest). */
  readonly blocks: Buffer[];
}

/** The members [first, end) of the group that holds member `index` of `members`. */
export function groupSpan(index: number, members: number, groupSize: number): { group: number; first: number; end: number } {
  const group = Math.floor(index / groupSize);
  return { group, first: group * groupSize, end: Math.min(members, (group + 1) * groupSize) };
}

export function parityDigest(record: GroupParityRecord, group: number): Uint8Array {
  return record.parity.subarray(group * DIGEST_BYTES, (group + 1) * DIGEST_BYTES);
}

const aligned = (n: number): number => n + ((4 - (n % 4)) % 4);

/** Where a member at an odd offset (ioredis and lmdb hand some out) is copied to be read a word at a time. */
let scratch = new Uint8Array(0);

/** XORs `len ‖ bytes` into `acc` (offset 0 of its own ArrayBuffer, at least LENGTH_BYTES + bytes.length long). */
function xorMember(acc: Uint8Array, bytes: Uint8Array): void {
  for (let b = 0; b < LENGTH_BYTES; b++) acc[b]! ^= (bytes.length >>> (8 * b)) & 0xff;
  if (bytes.byteOffset % 4 !== 0) {
    if (scratch.length < bytes.length) scratch = new Uint8Array(aligned(bytes.length));
    scratch.set(bytes);
    bytes = scratch.subarray(0, bytes.length);
  }
  const words = bytes.length >>> 2;
  // Int32 words stay unboxed in V8 (a BigUint64Array makes a BigInt per element); unrolled by 4, about twice as fast.
  const target = new Int32Array(acc.buffer, acc.byteOffset + LENGTH_BYTES, words);
  const source = new Int32Array(bytes.buffer, bytes.byteOffset, words);
  let i = 0;
  for (; i + 4 <= words; i += 4) {
    target[i]! ^= source[i]!;
    target[i + 1]! ^= source[i + 1]!;
    target[i + 2]! ^= source[i + 2]!;
    target[i + 3]! ^= source[i + 3]!;
  }
  for (; i < words; i++) target[i]! ^= source[i]!;
  for (let k = 4 * words; k < bytes.length; k++) acc[LENGTH_BYTES + k]! ^= bytes[k]!;
}

/** A member's bytes as its group parity of `version` covers them, and back. */
export function parityForm(kind: MemberKind, version: number): { of(bytes: Uint8Array): Uint8Array; whole(member: Uint8Array): Uint8Array } {
  return kind === 'structure' && version >= 2 ? { of: storedForm, whole: wholeStructure } : { of: (b) => b, whole: (b) => b };
}

/**
 * The group parity (current version) of `count` members of at most `maxLength` bytes each; `member(i)` gives member
 * i whole (or a structure already in its stored form).
 */
export function documentParity(kind: MemberKind, count: number, groupSize: number, maxLength: number, member: (i: number) => Uint8Array): DocumentParity {
  const form = parityForm(kind, GROUP_PARITY_VERSION);
  const blocks: Buffer[] = [];
  const parity = new Uint8Array(Math.ceil(count / groupSize) * DIGEST_BYTES);
  for (let first = 0; first < count; first += groupSize) {
    const group: Uint8Array[] = [];
    let longest = 0;
    for (let i = first; i < Math.min(count, first + groupSize); i++) {
      const bytes = form.of(member(i));
      if (bytes.length > maxLength) fail(ErrorCode.INVALID, `member ${i} has ${bytes.length} bytes, more than ${maxLength}`);
      group.push(bytes);
      longest = Math.max(longest, bytes.length);
    }
    const acc = Buffer.alloc(aligned(LENGTH_BYTES + longest));
    for (const bytes of group) xorMember(acc, bytes);
    const block = acc.subarray(0, LENGTH_BYTES + longest);
    parity.set(sha256(block), blocks.length * DIGEST_BYTES);
    blocks.push(block);
  }
  return { record: { version: GROUP_PARITY_VERSION, groupSize, parity }, blocks };
}

/**
 * The lost member of a group from its parity block and every other member's verified bytes. Not verified itself: the
 * caller checks it against the member's digest.
 */
export function rebuildMember(parity: Uint8Array, others: readonly Uint8Array[]): Uint8Array {
  const acc = new Uint8Array(aligned(parity.length));
  acc.set(parity);
  for (const bytes of others) {
    if (bytes.length > parity.length - LENGTH_BYTES) fail(ErrorCode.WITNESS, `a member of ${bytes.length} bytes is longer than its parity block covers`);
    xorMember(acc, bytes);
  }
  const length = acc[0]! | (acc[1]! << 8) | (acc[2]! << 16) | (acc[3]! << 24);
  if (length < 0 || length > parity.length - LENGTH_BYTES) fail(ErrorCode.WITNESS, `the parity block gives a member of ${length >>> 0} bytes, more than it covers`);
  return acc.subarray(LENGTH_BYTES, LENGTH_BYTES + length);
}

/** The record as both stores keep it: version (u8), g (u32 LE), then the parity digests. */
export function encodeRecord(record: GroupParityRecord): Buffer {
  const out = Buffer.alloc(HEADER_BYTES + record.parity.length);
  out[0] = record.version;
  out.writeUInt32LE(record.groupSize, 1);
  out.set(record.parity, HEADER_BYTES);
  return out;
}

/** A stored record; STATE when it is damaged or of a version this build does not read. */
export function decodeRecord(bytes: Uint8Array, members: number, what: string): GroupParityRecord {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < HEADER_BYTES) fail(ErrorCode.STATE, `${what}: the group parity record is corrupt`);
  const version = buffer[0]!;
  if (version < 1 || version > GROUP_PARITY_VERSION) fail(ErrorCode.STATE, `${what}: group parity version ${version} is not supported (this build reads 1 to ${GROUP_PARITY_VERSION})`);
  const groupSize = buffer.readUInt32LE(1);
  if (groupSize < 1 || buffer.length !== HEADER_BYTES + Math.ceil(members / groupSize) * DIGEST_BYTES) fail(ErrorCode.STATE, `${what}: the group parity record is corrupt`);
  return { version, groupSize, parity: buffer.subarray(HEADER_BYTES) };
}

/**
 * Version 3, the embedded store's structures: a group is a stripe of up to g structures new to the store in one
 * putStructures call, consecutive in its write stream and so across documents (a document of one structure no longer
 * has a group of its own: its parity block was a whole copy of it). Each member's RS parity record names its stripe;
 * the stripe record lists the parity block's digest and the members. Blocks XOR stored forms, as in version 2.
 */
export const STRIPE_VERSION = 3;

export interface Stripe {
  /** SHA-256 of the parity block. */
  readonly block: Uint8Array;
  /** The members' digests, in stripe order. */
  readonly members: readonly Uint8Array[];
}

/** A stripe record: version (u8), the block digest, then the members' digests; stored under its own SHA-256. */
export function encodeStripe(block: Uint8Array, members: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(1 + DIGEST_BYTES * (1 + members.length));
  out[0] = STRIPE_VERSION;
  out.set(block, 1);
  members.forEach((m, i) => out.set(m, 1 + DIGEST_BYTES * (1 + i)));
  return out;
}

/** A stored stripe record, checked against its key (its SHA-256): WITNESS when it is damaged. */
export function decodeStripe(bytes: Uint8Array, key: Uint8Array): Stripe {
  const members = (bytes.length - 1 - DIGEST_BYTES) / DIGEST_BYTES;
  if (bytes[0] !== STRIPE_VERSION || !Number.isInteger(members) || members < 1 || !Buffer.from(sha256(bytes)).equals(Buffer.from(key))) fail(ErrorCode.WITNESS, 'its parity stripe record is corrupt');
  const digest = (i: number): Uint8Array => bytes.subarray(1 + DIGEST_BYTES * i, 1 + DIGEST_BYTES * (i + 1));
  return { block: digest(0), members: Array.from({ length: members }, (_, i) => digest(i + 1)) };
}
