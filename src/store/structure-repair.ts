import { timingSafeEqual } from 'node:crypto';
import { AtlasError, ErrorCode, errorName, fail } from '../errors.js';
import { sha256 } from '../l2/witness.js';
import { ECC_PARITY_BYTES, eccDecode } from '../holo/ecc.js';
import { groupSpan, parityDigest, parityForm, rebuildMember, type GroupParityRecord, type MemberKind } from '../holo/group-parity.js';
import { kernels } from '../kernels/index.js';

/** What a layer's reads counted: ECC repairs and failures, holographic reads and their misses, stored bytes. */
export interface LayerCounters {
  eccRepairs: number;
  eccFailures: number;
  reads: number;
  readMisses: number;
  bytes: number;
}

export function emptyCounters(): LayerCounters {
  return { eccRepairs: 0, eccFailures: 0, reads: 0, readMisses: 0, bytes: 0 };
}

/**
 * RS parity of a structure or sealed chunk in a Buffer of its own: a copy of `computed` when the caller has it (the
 * engine's workers compute it for each structure), else computed by the selected kernel backend. With `stripe`, the
 * embedded store's parity record of a structure: the parity, then the key of the parity stripe that holds it.
 */
export function parityOf(bytes: Uint8Array, computed?: Uint8Array, stripe?: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(ECC_PARITY_BYTES + (stripe?.length ?? 0));
  const parity = record.subarray(0, ECC_PARITY_BYTES);
  if (computed !== undefined) parity.set(computed);
  else kernels().eccParity(bytes, parity);
  if (stripe !== undefined) record.set(stripe, ECC_PARITY_BYTES);
  return record;
}

/** A structure's parity record (parityOf) split: its RS parity, and its stripe's key when it has one. */
export function splitParity(record: Uint8Array | undefined): { rs: Uint8Array | undefined; stripe: Uint8Array | undefined } {
  if (record === undefined || record.length <= ECC_PARITY_BYTES) return { rs: record, stripe: undefined };
  return { rs: record.subarray(0, ECC_PARITY_BYTES), stripe: record.subarray(ECC_PARITY_BYTES) };
}

/** An error's message without the code name an AtlasError starts it with (the outer error names its own). */
const detail = (err: Error): string => (err instanceof AtlasError ? err.message.replace(`${errorName(err.code)}: `, '') : err.message);

const matches = (bytes: Uint8Array, digest: Uint8Array): boolean => timingSafeEqual(sha256(bytes), digest);

function rsDecoded(raw: Uint8Array, parity: Uint8Array | undefined): Uint8Array {
  if (parity === undefined) fail(ErrorCode.WITNESS, 'no parity stored');
  return eccDecode(raw, parity).data;
}

/**
 * Stored bytes checked against their digest; on a mismatch repaired from their RS parity, and when that fails or the
 * bytes are missing, rebuilt from their group parity by `rebuild` (when the document has one). A repair is counted
 * and, when the store can, written back through `writeBack` so the damage is healed once; anything else is refused.
 */
export function repairStructure(raw: Uint8Array | undefined, digest: Uint8Array, parity: Uint8Array | undefined, counters: LayerCounters, what: string, writeBack?: (repaired: Uint8Array) => void, rebuild?: () => Uint8Array): Uint8Array {
  if (raw !== undefined && matches(raw, digest)) return raw;
  if (raw === undefined && rebuild === undefined) fail(ErrorCode.STATE, `${what} is missing from the store`);
  const attempts = [...(raw === undefined ? [] : [() => rsDecoded(raw, parity)]), ...(rebuild ? [rebuild] : [])];
  const reasons: string[] = [];
  for (const attempt of attempts) {
    try {
      const repaired = attempt();
      if (!matches(repaired, digest)) fail(ErrorCode.WITNESS, 'the repaired bytes do not match');
      counters.eccRepairs++;
      writeBack?.(repaired);
      return repaired;
    } catch (err) {
      reasons.push(detail(err as Error));
    }
  }
  counters.eccFailures++;
  return fail(ErrorCode.WITNESS, `${what} is ${raw === undefined ? 'missing' : 'corrupt'} and unrecoverable (${reasons.join('; ')})`);
}

/** A document's members as a store reads them, for rebuilding one from its group (all synchronous: prefetch first). */
export interface GroupMembers {
  readonly record: GroupParityRecord;
  /** Members of the document. */
  readonly count: number;
  /** Structures or sealed Vault chunks (also what a member is called in messages). */
  readonly noun: MemberKind;
  digest(index: number): Uint8Array;
  /** Stored bytes (a whole structure), unchecked; undefined when absent. */
  raw(index: number): Uint8Array | undefined;
  /** The member's RS parity. */
  parity(index: number): Uint8Array | undefined;
  /** A group parity block by its digest. */
  block(digest: Uint8Array): Uint8Array | undefined;
  /** How a failure names member j and the group (default: "structure j", "first–last"); called only on failure. */
  readonly names?: { member(index: number): string; group(): string };
}

/**
 * Member `index` rebuilt from its group's parity block (checked against its digest) and the group's other members,
 * each verified (RS-repaired if needed, not counted: their own reads count them). Throws, naming what else is lost.
 */
export function groupRebuild(index: number, members: GroupMembers): Uint8Array {
  const { group, first, end } = groupSpan(index, members.count, members.record.groupSize);
  const digest = parityDigest(members.record, group);
  const block = members.block(digest);
  if (block === undefined || !matches(block, digest)) fail(ErrorCode.WITNESS, `the parity block of group ${group} is ${block === undefined ? 'missing' : 'corrupt'}`);
  const form = parityForm(members.noun, members.record.version);
  const others: Uint8Array[] = [];
  for (let j = first; j < end; j++) {
    if (j === index) continue;
    const verified = verifiedMember(members.raw(j), members.digest(j), members.parity(j));
    if (typeof verified === 'string') {
      const names = members.names ?? { member: (m: number) => `${members.noun} ${m}`, group: () => `${first}–${end - 1}` };
      fail(ErrorCode.WITNESS, `${names.member(j)} of the same parity group (${names.group()}) is ${verified} too`);
    }
    others.push(form.of(verified));
  }
  return form.whole(rebuildMember(block, others));
}

/** A member's bytes as stored if they match, else RS-repaired; else why not. */
function verifiedMember(raw: Uint8Array | undefined, digest: Uint8Array, parity: Uint8Array | undefined): Uint8Array | string {
  if (raw === undefined) return 'missing';
  if (matches(raw, digest)) return raw;
  try {
    const repaired = rsDecoded(raw, parity);
    if (matches(repaired, digest)) return repaired;
  } catch {
    // beyond its RS parity
  }
  return 'corrupt beyond its RS parity';
}
