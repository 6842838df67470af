import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/l2/witness.js';
import { RecentStructures } from '../../src/store/recent-structures.js';

describe('RecentStructures', () => {
  it('gives each kept structure back once, by digest, and drops the oldest beyond its limit', () => {
    const recent = new RecentStructures(3);
    const items = [1, 2, 3, 4].map((n) => ({ bytes: new Uint8Array(16).fill(n), digest: sha256(new Uint8Array([n])) }));
    for (const { bytes, digest } of items) recent.keep(new Uint8Array(digest), bytes); // a copy of the key: looked up by value
    expect(recent.take(items[0]!.digest)).toBeUndefined(); // the oldest, dropped
    expect(recent.take(items[2]!.digest)).toBe(items[2]!.bytes);
    expect(recent.take(items[2]!.digest)).toBeUndefined(); // taken once
    expect(recent.take(items[3]!.digest.subarray(0, 32))).toBe(items[3]!.bytes);
  });
});
