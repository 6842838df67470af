import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { codeSeed, keyCodeId, valueCodeId } from '../../src/holo/codebook.js';
import { kernels } from '../../src/kernels/index.js';
import { HoloIndex } from '../../src/store/holo-index.js';

const SECRET = new Uint8Array(32).fill(5);
const KNOWLEDGE = 1;
const D = 1 << 16;

const digestOf = (n: number): Uint8Array => createHash('sha256').update(`chunk ${n}`).digest();

describe('clean-up ranking scores (the first stage of a two-stage clean-up)', () => {
  it('equal the full pair scores over the same bins to float32 rounding, and rank the bound value first', () => {
    const layers = Array.from({ length: 6 }, (_, k) => [{ dimension: k === KNOWLEDGE ? D : 1024, items: 0 }]);
    const index = new HoloIndex(SECRET, { layers, reserve: 0, headroom: 8 }, 0);
    const docs = Array.from({ length: 24 }, (_, n) => ({ doc: createHash('sha256').update(`doc ${n}`).digest(), digests: Buffer.concat([digestOf(2 * n), digestOf(2 * n + 1)]) }));
    for (const { doc, digests } of docs) index.add(KNOWLEDGE, 0, doc, digests, true);
    const shard = index.shards[KNOWLEDGE]![0]!;
    const candidates = [...shard.candidates.values()];
    const { re, im } = shard.field.spectrum as { re: Float32Array; im: Float32Array };
    for (const bins of [4096, 8192]) {
      for (const [n, chunk] of [[0, 0], [7, 1], [23, 1]] as const) {
        const { doc } = docs[n]!;
        const ranking = index.rankingScores(shard, KNOWLEDGE, doc, chunk, candidates, bins);
        const key = codeSeed(SECRET, keyCodeId(KNOWLEDGE, doc, chunk));
        const full = candidates.map((c) => kernels().phasePairDot(key, codeSeed(SECRET, valueCodeId(c)), D, 0, bins, re, im) / Math.sqrt(D));
        for (const [i, score] of full.entries()) expect(Math.abs(ranking[i]! - score), `candidate ${i}, bins ${bins}`).toBeLessThan(1e-5);
        const best = ranking.indexOf(Math.max(...ranking));
        expect(Buffer.from(candidates[best]!).equals(digestOf(2 * n + chunk))).toBe(true);
      }
    }
  });
});
