import type { ChainableCommander, Redis } from 'ioredis';
import { AtlasError, ErrorCode, fail } from '../errors.js';
import { GROUP_PARITY_VERSION, decodeRecord, documentParity, encodeRecord, groupSpan, parityDigest, type MemberKind } from '../holo/group-parity.js';
import { hex } from './redis-store.js';
import { groupRebuild, type GroupMembers } from './structure-repair.js';
import { wholeBuffer } from './redis-store.js';

/**
 * KEYS: stats, the document's record key, then one key per parity block; ARGV: the record ('' to leave it for a
 * later call), '1' to replace a record already there, then the blocks. Blocks are content-addressed (SET NX: one
 * shared by two documents is counted once). A plain document's record is set once, so a writer that lost a race keeps
 * the first writer's record, whose blocks are all stored; a Vault document's is replaced, in the MULTI that replaces
 * its manifest (two writers seal the same plaintext under different IVs).
 */
const PUT_GROUP_PARITY = `
local added = 0
for i = 3, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[i], 'NX') then added = added + #ARGV[i] end
end
if added > 0 then redis.call('HINCRBY', KEYS[1], 'groupParityBytes', added) end
if ARGV[1] ~= '' then
  if ARGV[2] == '1' then redis.call('SET', KEYS[2], ARGV[1]) else redis.call('SET', KEYS[2], ARGV[1], 'NX') end
end
return added`;

/** Members fetched (and their blocks written) per step: about 6 MB of structures. */
const WINDOW = 512;

/** Script calls: the key count, then keys and arguments. */
type ParityWrites = Array<[number, ...Array<string | Buffer>]>;

type Commands = { atlasPutGroupParity(numKeys: number, ...args: Array<string | Buffer>): Promise<number> };

/** The Redis holographic store's group parity (holo-store.md §5): `gp:<sha256>` blocks, `gm:<id>` records. */
export class RedisGroupParity {
  readonly groupSize: number;
  readonly #redis: Redis;
  readonly #key: (...parts: string[]) => string;
  readonly #parityKey: (digest: Uint8Array) => string;

  constructor(redis: Redis, key: (...parts: string[]) => string, parityKey: (digest: Uint8Array) => string, groupSize: number) {
    redis.defineCommand('atlasPutGroupParity', { lua: PUT_GROUP_PARITY });
    this.#redis = redis;
    this.#key = key;
    this.#parityKey = parityKey;
    this.groupSize = groupSize;
  }

  /**
   * A document's group parity, ready to write: members are fetched by `fetch` a window of whole groups at a time.
   * Undefined when there is none to store (g = 0, or no members).
   */
  async prepare(id: string, kind: MemberKind, count: number, maxLength: number, fetch: (first: number, end: number) => Promise<Uint8Array[]>, replace = false): Promise<ParityWrites | undefined> {
    if (this.groupSize === 0 || count === 0) return undefined;
    const window = this.groupSize * Math.max(1, Math.floor(WINDOW / this.groupSize));
    const digests: Uint8Array[] = [];
    const calls: Array<[string[], Buffer[]]> = [];
    for (let first = 0; first < count; first += window) {
      const members = await fetch(first, Math.min(count, first + window));
      const { record, blocks } = documentParity(kind, members.length, this.groupSize, maxLength, (i) => members[i]!);
      digests.push(record.parity);
      calls.push([blocks.map((_, g) => this.#key('gp', hex(parityDigest(record, g)))), blocks]);
    }
    const record = encodeRecord({ version: GROUP_PARITY_VERSION, groupSize: this.groupSize, parity: Buffer.concat(digests) });
    return calls.map(([keys, blocks], n) => [2 + keys.length, this.#key('stats'), this.#key('gm', id), ...keys, n === calls.length - 1 ? record : '', replace ? '1' : '', ...blocks]);
  }

  /** Sends prepared writes on `target` (a MULTI or pipeline), or on the connection, in order; idempotent. */
  send(writes: ParityWrites | undefined, target?: ChainableCommander): Promise<unknown> {
    const on = (target ?? this.#redis) as unknown as Commands;
    return Promise.all((writes ?? []).map(([numKeys, ...args]) => on.atlasPutGroupParity(numKeys, ...args)));
  }

  async storedBytes(): Promise<number> {
    return Number((await this.#redis.hget(this.#key('stats'), 'groupParityBytes')) ?? 0);
  }

  /**
   * What rebuilding members `broken` of document `id` needs, fetched at once (its record, the parity blocks of their
   * groups, every member of those groups with its RS parity); returns the rebuild of member `index`, which throws when
   * it cannot (no record, a damaged one, or a second loss in the group).
   */
  async rebuilder(id: string, noun: MemberKind, digests: readonly Uint8Array[], broken: readonly number[], memberKey: (digest: Uint8Array) => string): Promise<(index: number) => Uint8Array> {
    let members: GroupMembers;
    try {
      members = await this.#members(id, noun, digests, broken, memberKey);
    } catch (err) {
      if (!(err instanceof AtlasError)) throw err;
      return () => {
        throw err;
      };
    }
    return (index) => groupRebuild(index, members);
  }

  async #members(id: string, noun: MemberKind, digests: readonly Uint8Array[], broken: readonly number[], memberKey: (digest: Uint8Array) => string): Promise<GroupMembers> {
    const stored = await this.#redis.getBuffer(this.#key('gm', id));
    if (!stored) fail(ErrorCode.WITNESS, 'no group parity recorded for this document (stored before group parity, or with groupSize 0)');
    const record = decodeRecord(stored, digests.length, `document ${id}`);
    const groups = [...new Map(broken.map((k) => groupSpan(k, digests.length, record.groupSize)).map((s) => [s.group, s])).values()];
    const indices = groups.flatMap(({ first, end }) => Array.from({ length: end - first }, (_, k) => first + k));
    const [raw, parities, blocks] = await Promise.all([
      this.#redis.mgetBuffer(...indices.map((j) => memberKey(digests[j]!))),
      this.#redis.mgetBuffer(...indices.map((j) => this.#parityKey(digests[j]!))),
      this.#redis.mgetBuffer(...groups.map(({ group }) => this.#key('gp', hex(parityDigest(record, group))))),
    ]);
    const at = new Map(indices.map((j, n) => [j, n]));
    const blockOf = new Map(groups.map(({ group }, n) => [hex(parityDigest(record, group)), blocks[n] ?? undefined]));
    return {
      record, count: digests.length, noun, digest: (j) => digests[j]!,
      raw: (j) => {
        const stored = raw[at.get(j) ?? -1];
        return stored ? (noun === 'structure' ? wholeBuffer(stored) : stored) : undefined;
      },
      parity: (j) => parities[at.get(j) ?? -1] ?? undefined,
      block: (d) => blockOf.get(hex(d)),
    };
  }
}
