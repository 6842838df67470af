import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { PAYLOAD_SIZE, sealStructure } from '../../src/framing/index.js';
import { GROUP_PARITY_VERSION, decodeRecord, documentParity, encodeRecord, groupSpan, parityDigest, rebuildMember } from '../../src/holo/group-parity.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { groupRebuild, type GroupMembers } from '../../src/store/structure-repair.js';
import { sha256 } from '../../src/l2/witness.js';
import { seededBytes } from '../fixtures/engine/data.js';

/** Members of mixed lengths, some at odd offsets of a shared buffer (as lmdb and ioredis hand them out). */
function members(lengths: readonly number[], seed: number): Uint8Array[] {
  return lengths.map((n, i) => (i % 2 ? seededBytes(n + 3, seed + i).subarray(3) : seededBytes(n, seed + i)));
}

describe('XOR group parity (holo-store.md §5)', () => {
  it('rebuilds any one lost member of every group, the short last one and unequal lengths included', () => {
    const lengths = [12288, 12288, 12315, 7, 12288, 1, 0, 12288, 4099, 12288, 333];
    const all = members(lengths, 40);
    for (const g of [1, 3, 4, 8, 16]) {
      const { record, blocks } = documentParity('chunk', all.length, g, 12315, (i) => all[i]!);
      expect(blocks).toHaveLength(Math.ceil(all.length / g));
      blocks.forEach((block, group) => expect(Buffer.from(sha256(block)).equals(Buffer.from(parityDigest(record, group)))).toBe(true));
      for (let lost = 0; lost < all.length; lost++) {
        const { group, first, end } = groupSpan(lost, all.length, g);
        const others = all.slice(first, end).filter((_, k) => first + k !== lost);
        const rebuilt = rebuildMember(blocks[group]!, others);
        expect(Buffer.from(rebuilt).equals(Buffer.from(all[lost]!))).toBe(true);
      }
    }
  });

  it('a wrong other member gives other bytes (the store then refuses them by digest), never a silent match', () => {
    const all = members([12288, 12288, 12288], 50);
    const { blocks } = documentParity('chunk', 3, 8, 12288, (i) => all[i]!);
    const wrong = Buffer.from(all[1]!);
    wrong[100]! ^= 1;
    expect(Buffer.from(rebuildMember(blocks[0]!, [all[0]!, wrong])).equals(Buffer.from(all[2]!))).toBe(false);
    expect(() => rebuildMember(blocks[0]!.subarray(0, 100), [all[0]!])).toThrow(expect.objectContaining({ code: ErrorCode.WITNESS }));
  });

  it('records g and the digests with a version; refuses an unknown version or a wrong size', () => {
    const all = members([100, 200, 300, 400, 500], 60);
    const { record } = documentParity('chunk', 5, 2, 500, (i) => all[i]!);
    const encoded = encodeRecord(record);
    const back = decodeRecord(encoded, 5, 'document x');
    expect(back.groupSize).toBe(2);
    expect(Buffer.from(back.parity).equals(Buffer.from(record.parity))).toBe(true);
    expect(() => decodeRecord(encoded, 7, 'document x')).toThrow(/corrupt/);
    const future = Buffer.from(encoded);
    future[0] = GROUP_PARITY_VERSION + 1;
    expect(() => decodeRecord(future, 5, 'document x')).toThrow(expect.objectContaining({ code: ErrorCode.STATE, message: expect.stringContaining(`version ${GROUP_PARITY_VERSION + 1}`) }));
  });

  it('covers structures without their zero padding (version 2), and still rebuilds from a version 1 block of whole ones', () => {
    const payloads = [PAYLOAD_SIZE, 4096, PAYLOAD_SIZE, 10].map((n, i) => seededBytes(n, 70 + i));
    const whole = payloads.map((p) => {
      const s = new Uint8Array(STRUCTURE_SIZE);
      s.set(p);
      return sealStructure(s, p.length);
    });
    const current = documentParity('structure', whole.length, 8, STRUCTURE_SIZE, (i) => whole[i]!);
    expect(current.record.version).toBe(2);
    expect(current.blocks[0]!.length).toBe(4 + STRUCTURE_SIZE);
    // A small document's block is as small as its bytes, not a 12 KiB structure.
    expect(documentParity('structure', 1, 8, STRUCTURE_SIZE, () => whole[1]!).blocks[0]!.length).toBe(4 + 4096 + 1);
    const legacy = documentParity('chunk', whole.length, 8, STRUCTURE_SIZE, (i) => whole[i]!); // whole members, as version 1 wrote them
    for (const { record, blocks } of [current, { record: { ...legacy.record, version: 1 }, blocks: legacy.blocks }]) {
      for (let lost = 0; lost < whole.length; lost++) {
        const members: GroupMembers = {
          record, count: whole.length, noun: 'structure', digest: (j) => sha256(whole[j]!),
          raw: (j) => (j === lost ? undefined : whole[j]),
          parity: () => undefined,
          block: () => blocks[0],
        };
        expect(Buffer.from(groupRebuild(lost, members)).equals(Buffer.from(whole[lost]!)), `version ${record.version}, member ${lost}`).toBe(true);
      }
    }
  });
});
