import { CLASS_COUNT } from './kernels.js';

const WORDS = CLASS_COUNT / 2;
const LOW_FIRST = new Uint16Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Sums per-page 96-bin counters (page p at perPage[96p ..]) into out. A page counts at most 256 bytes, so up to 255
 * pages' counters add two at a time in 32-bit words without carrying from one 16-bit half into the other.
 */
export function sumPageHistograms(perPage: Uint16Array, out: Uint32Array): void {
  const packed = new Uint32Array(perPage.buffer, perPage.byteOffset, (perPage.length / CLASS_COUNT) * WORDS);
  for (let w = 0; w < WORDS; w++) {
    let x = 0;
    for (let p = w; p < packed.length; p += WORDS) x += packed[p]!;
    out[2 * w] = LOW_FIRST ? x & 0xffff : x >>> 16;
    out[2 * w + 1] = LOW_FIRST ? x >>> 16 : x & 0xffff;
  }
}
