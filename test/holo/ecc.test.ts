import { describe, expect, it } from 'vitest';
import { AtlasError, ErrorCode } from '../../src/errors.js';
import { ECC_DEPTH, ECC_PARITY_BYTES, UnrecoverableError, eccDecode, eccEncode, rsDecode, rsEncode } from '../../src/holo/ecc.js';
import { seededBytes, seededRandom } from './helpers.js';

const STRUCTURE = 12288;

/** Shift-and-add GF(2^8) multiply mod 0x11D: an oracle independent of the module's log tables. */
function gfMul(a: number, b: number): number {
  let product = 0;
  for (; b > 0; b >>= 1) {
    if (b & 1) product ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11d;
  }
  return product;
}

function evaluateAt(codeword: Uint8Array, x: number): number {
  let acc = 0;
  for (const c of codeword) acc = gfMul(acc, x) ^ c;
  return acc;
}

/** The protected block as the store lays it out: data ‖ parity, where byte j belongs to codeword j mod 56. */
function protectedBlock(data: Uint8Array): Uint8Array {
  const block = new Uint8Array(data.length + ECC_PARITY_BYTES);
  block.set(data);
  block.set(eccEncode(data), data.length);
  return block;
}

function decodeBlock(block: Uint8Array, length: number) {
  return eccDecode(block.subarray(0, length), block.subarray(length));
}

function corrupt(block: Uint8Array, positions: Iterable<number>, rand: () => number): void {
  for (const p of positions) block[p] = block[p]! ^ (1 + Math.floor(rand() * 255));
}

/** `count` distinct positions of codeword c in a protected block of `total` bytes (stride 1: a lone codeword). */
function positionsOf(c: number, total: number, count: number, rand: () => number, stride = ECC_DEPTH): number[] {
  const all: number[] = [];
  for (let j = c; j < total; j += stride) all.push(j);
  for (let i = all.length - 1; i > 0; i--) {
    const k = Math.floor(rand() * (i + 1));
    [all[i], all[k]] = [all[k]!, all[i]!];
  }
  return all.slice(0, count);
}

describe('RS(255,223) codewords', () => {
  it('are systematic and vanish at α^0..α^31 (checked with an independent GF multiply)', () => {
    for (const length of [0, 1, 100, 223]) {
      const data = seededBytes(length, length + 1);
      const codeword = new Uint8Array([...data, ...rsEncode(data)]);
      let alpha = 1;
      for (let i = 0; i < 32; i++) {
        expect(evaluateAt(codeword, alpha)).toBe(0);
        alpha = gfMul(alpha, 2);
      }
      if (length > 0) expect(evaluateAt(codeword, alpha)).not.toBe(0);
    }
  });

  it('corrects up to 16 symbol errors anywhere in a full codeword', () => {
    const rand = seededRandom(5);
    for (let errors = 1; errors <= 16; errors++) {
      const data = seededBytes(223, errors);
      const clean = new Uint8Array([...data, ...rsEncode(data)]);
      const word = clean.slice();
      corrupt(word, positionsOf(0, 255, errors, rand, 1), rand);
      expect(rsDecode(word)).toBe(errors);
      expect(word).toEqual(clean);
    }
  });

  it('refuses 17 or more errors rather than returning a wrong word', () => {
    const rand = seededRandom(6);
    for (let trial = 0; trial < 40; trial++) {
      const data = seededBytes(223, 100 + trial);
      const word = new Uint8Array([...data, ...rsEncode(data)]);
      corrupt(word, positionsOf(0, 255, 17 + (trial % 20), rand, 1), rand);
      expect(() => rsDecode(word)).toThrow(UnrecoverableError);
    }
  });

  it('rejects oversized input', () => {
    expect(() => rsEncode(new Uint8Array(224))).toThrow(AtlasError);
    expect(() => rsDecode(new Uint8Array(256))).toThrow(AtlasError);
  });
});

describe('interleaved structure ECC', () => {
  const data = seededBytes(STRUCTURE, 77);

  it('spends 1,792 parity bytes on a 12,288-byte structure and passes a clean block untouched', () => {
    const block = protectedBlock(data);
    expect(block.length - STRUCTURE).toBe(1792);
    const result = decodeBlock(block, STRUCTURE);
    expect(result).toMatchObject({ repairs: 0, codewordsRepaired: 0 });
    expect(result.data).toEqual(data);
  });

  it('repairs 16 random errors in every one of the 56 codewords and counts them', () => {
    const rand = seededRandom(8);
    const block = protectedBlock(data);
    for (let c = 0; c < ECC_DEPTH; c++) corrupt(block, positionsOf(c, block.length, 16, rand), rand);
    const result = decodeBlock(block, STRUCTURE);
    expect(result.data).toEqual(data);
    expect(result.parity).toEqual(eccEncode(data));
    expect(result).toMatchObject({ repairs: 16 * 56, codewordsRepaired: 56 });
  });

  for (const start of [0, 5000, STRUCTURE - 400, STRUCTURE + ECC_PARITY_BYTES - 896]) {
    it(`repairs an 896-byte burst starting at ${start}`, () => {
      const block = protectedBlock(data);
      corrupt(block, Array.from({ length: 896 }, (_, i) => start + i), seededRandom(start));
      const result = decodeBlock(block, STRUCTURE);
      expect(result.data).toEqual(data);
      expect(result.repairs).toBe(896);
    });
  }

  it('repairs corrupted parity: one bad parity byte does not kill the structure', () => {
    const block = protectedBlock(data);
    block[STRUCTURE + 3] = block[STRUCTURE + 3]! ^ 0xff;
    const one = decodeBlock(block, STRUCTURE);
    expect(one.data).toEqual(data);
    expect(one).toMatchObject({ repairs: 1, codewordsRepaired: 1 });
    expect(one.parity).toEqual(eccEncode(data));
  });

  it('fails with an unrecoverable error on 17 errors in one codeword, never returning bytes', () => {
    const rand = seededRandom(9);
    const block = protectedBlock(data);
    corrupt(block, positionsOf(13, block.length, 17, rand), rand);
    let error: unknown;
    try {
      decodeBlock(block, STRUCTURE);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error).toMatchObject({ code: ErrorCode.WITNESS, codeword: 13 });
  });

  it('fails on a burst longer than 896 bytes', () => {
    const block = protectedBlock(data);
    corrupt(block, Array.from({ length: 1100 }, (_, i) => 2000 + i), seededRandom(10));
    expect(() => decodeBlock(block, STRUCTURE)).toThrow(UnrecoverableError);
  });

  for (const length of [0, 1, 12287, 12289, 56 * 223]) {
    it(`round-trips and repairs a ${length}-byte block`, () => {
      const payload = seededBytes(length, length);
      const block = protectedBlock(payload);
      const rand = seededRandom(length + 3);
      corrupt(block, positionsOf(length % ECC_DEPTH, block.length, 16, rand), rand);
      expect(decodeBlock(block, length).data).toEqual(payload);
    });
  }

  it('rejects blocks over 56·223 bytes and parity of the wrong length', () => {
    expect(() => eccEncode(new Uint8Array(56 * 223 + 1))).toThrow(AtlasError);
    expect(() => eccDecode(data, new Uint8Array(100))).toThrow(AtlasError);
  });
});

describe('erasure decoding', () => {
  const data = seededBytes(STRUCTURE, 78);

  it('fills 32 erasures per codeword: a lost 1,792-byte span at a known place is rebuilt', () => {
    for (const start of [0, 7000, STRUCTURE - 1000]) {
      const block = protectedBlock(data);
      const lost = Array.from({ length: 1792 }, (_, i) => start + i);
      for (const j of lost) block[j] = 0;
      expect(() => decodeBlock(block, STRUCTURE)).toThrow(UnrecoverableError);
      const result = eccDecode(block.subarray(0, STRUCTURE), block.subarray(STRUCTURE), lost);
      expect(result.data).toEqual(data);
      expect(result.parity).toEqual(eccEncode(data));
    }
  });

  it('corrects 8 errors plus 16 erasures in a codeword (2·8 + 16 = 32), and counts only changed symbols', () => {
    const rand = seededRandom(12);
    const block = protectedBlock(data);
    const positions = positionsOf(5, block.length, 24, rand);
    const erasedPositions = positions.slice(0, 16);
    corrupt(block, erasedPositions.slice(0, 10), rand); // six erased positions keep their correct value
    corrupt(block, positions.slice(16), rand);
    const result = eccDecode(block.subarray(0, STRUCTURE), block.subarray(STRUCTURE), erasedPositions);
    expect(result.data).toEqual(data);
    expect(result.repairs).toBe(18);
  });

  it('refuses 33 erasures, or 9 errors with 16 erasures, in one codeword', () => {
    const rand = seededRandom(13);
    const block = protectedBlock(data);
    const positions = positionsOf(9, block.length, 33, rand);
    corrupt(block, positions, rand);
    expect(() => eccDecode(block.subarray(0, STRUCTURE), block.subarray(STRUCTURE), positions)).toThrow(UnrecoverableError);
    const other = protectedBlock(data);
    const mixed = positionsOf(9, other.length, 25, rand);
    corrupt(other, mixed, rand);
    expect(() => eccDecode(other.subarray(0, STRUCTURE), other.subarray(STRUCTURE), mixed.slice(0, 16))).toThrow(UnrecoverableError);
  });

  it('rejects erasure positions outside the block', () => {
    const block = protectedBlock(data);
    expect(() => eccDecode(block.subarray(0, STRUCTURE), block.subarray(STRUCTURE), [STRUCTURE + ECC_PARITY_BYTES])).toThrow(expect.objectContaining({ code: ErrorCode.INVALID }));
  });
});
