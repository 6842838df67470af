import { createHmac } from 'node:crypto';
import { rfft, type FftPlan, type HalfSpectrum } from './fft.js';

/**
 * The maths of recall by cue (holo-store.md §3.8). A cue item is the content's spectrum whitened to unit magnitude
 * (phase only) on bins 1..D/2−1: every item then has the flat spectrum the §3.4(a) SNR √(D/N) assumes, whatever the
 * content (text, padding, runs), and the mean (bin 0) no longer biases every score alike. Cue keys are quaternary
 * phase codes (i^q, q in 0..3 from a keyed xorshift128 stream): binding and scoring need no cos/sin and a score is one
 * indexed add per bin, with the noise statistics of a uniform phase code (E[P] = E[P²] = 0).
 */

/**
 * The content signal of a payload: trailing zero bytes (the padding of a short last structure) are dropped and the
 * rest centred on its own mean, so neither the padding's box nor the mean's box (both shared by unrelated structures
 * of like length or alphabet) survives into the spectrum.
 */
export function cueSignal(payload: Uint8Array): Float64Array {
  let length = payload.length;
  while (length > 0 && payload[length - 1] === 0) length--;
  let sum = 0;
  for (let i = 0; i < length; i++) sum += payload[i]!;
  const mean = length === 0 ? 0 : sum / length;
  const x = new Float64Array(length);
  for (let i = 0; i < length; i++) x[i] = (payload[i]! - mean) / 255;
  return x;
}

/** Whitened spectrum of a payload: bins 0..D/2, unit magnitude on 1..D/2−1 (zero where there is no content), 0 and D/2 zero. */
export function whitenedSpectrum(payload: Uint8Array, plan: FftPlan): HalfSpectrum {
  const { re, im } = rfft(cueSignal(payload), plan);
  const m = re.length - 1;
  re[0] = im[0] = re[m] = im[m] = 0;
  let energy = 0;
  for (let k = 1; k < m; k++) energy += re[k]! ** 2 + im[k]! ** 2;
  // Bins at rounding level (a constant payload leaves only those) carry no content.
  const floor = 1e-9 * Math.sqrt(energy / m);
  for (let k = 1; k < m; k++) {
    const magnitude = Math.hypot(re[k]!, im[k]!);
    if (magnitude <= floor || energy < 1e-18) re[k] = im[k] = 0;
    else {
      re[k] = re[k]! / magnitude;
      im[k] = im[k]! / magnitude;
    }
  }
  return { re, im };
}

/** The 128-bit xorshift state of cue key κ = "C" ‖ u8 layer ‖ docId ‖ u32be index under the store secret. */
export function cueKeySeed(secret: Uint8Array, layer: number, doc: Uint8Array, index: number): Uint32Array {
  const id = Buffer.alloc(2 + doc.length + 4);
  id[0] = 0x43;
  id[1] = layer;
  id.set(doc, 2);
  id.writeUInt32BE(index, 2 + doc.length);
  const mac = createHmac('sha256', secret).update(id).digest();
  const seed = new Uint32Array([mac.readUInt32LE(0), mac.readUInt32LE(4), mac.readUInt32LE(8), mac.readUInt32LE(12)]);
  if ((seed[0]! | seed[1]! | seed[2]! | seed[3]!) === 0) seed[3] = 1; // xorshift's one forbidden state
  return seed;
}

/** The quaternary key code q_k (P_k = i^q_k) for bins 1..to−1 (index k; entry 0 unused). */
export function cueKeyCode(seed: Uint32Array, to: number): Uint8Array {
  const q = new Uint8Array(to);
  let x = seed[0]!, y = seed[1]!, z = seed[2]!, w = seed[3]!;
  for (let k = 1; k < to; k += 16) {
    const t = x ^ (x << 11);
    x = y; y = z; z = w;
    w = (w ^ (w >>> 19) ^ t ^ (t >>> 8)) >>> 0;
    let bits = w;
    for (let j = k; j < Math.min(to, k + 16); j++, bits >>>= 2) q[j] = bits & 3;
  }
  return q;
}

/** ψ += P_κ ⊙ X on bins 1..D/2−1 (P = i^q rotates X by q quarter turns). */
export function bindCue(re: Float32Array, im: Float32Array, seed: Uint32Array, item: HalfSpectrum): void {
  const q = cueKeyCode(seed, re.length - 1);
  for (let k = 1; k < q.length; k++) {
    const xr = item.re[k]!, xi = item.im[k]!;
    switch (q[k]) {
      case 0: re[k] = re[k]! + xr; im[k] = im[k]! + xi; break;
      case 1: re[k] = re[k]! - xi; im[k] = im[k]! + xr; break;
      case 2: re[k] = re[k]! - xr; im[k] = im[k]! - xi; break;
      default: re[k] = re[k]! + xi; im[k] = im[k]! - xr;
    }
  }
}

/**
 * The unbind of ψ by the cue, u = ψ ⊙ conj(X), over bins [1, to), laid out as [Re u, Im u, −Re u, −Im u] per bin:
 * Re(u_k · conj(i^q)) is then entry 4k + q, so scoring a key is one indexed add per bin.
 */
export function unbindByCue(re: Float32Array, im: Float32Array, cue: HalfSpectrum, to: number): Float64Array {
  const table = new Float64Array(4 * to);
  for (let k = 1; k < to; k++) {
    const fr = re[k]!, fi = im[k]!, xr = cue.re[k]!, xi = cue.im[k]!;
    const ur = fr * xr + fi * xi, ui = fi * xr - fr * xi;
    table[4 * k] = ur;
    table[4 * k + 1] = ui;
    table[4 * k + 2] = -ur;
    table[4 * k + 3] = -ui;
  }
  return table;
}

/** Re⟨u, P_κ⟩ over bins [1, to) of an unbind table: ≈ the number of cue bins when κ holds the cue's content, ≈ 0 otherwise. */
export function scoreCueKey(table: Float64Array, seed: Uint32Array, to: number): number {
  let x = seed[0]!, y = seed[1]!, z = seed[2]!, w = seed[3]!;
  let sum = 0;
  for (let k = 1; k < to; k += 16) {
    const t = x ^ (x << 11);
    x = y; y = z; z = w;
    w = (w ^ (w >>> 19) ^ t ^ (t >>> 8)) >>> 0;
    let bits = w;
    const end = Math.min(to, k + 16);
    for (let j = k; j < end; j++, bits >>>= 2) sum += table[4 * j + (bits & 3)]!;
  }
  return sum;
}

/** Σ|X_k|² over bins [1, to): the score of a perfect match, by which scores are normalised to ≈ 1. */
export function cueNorm(cue: HalfSpectrum, to: number): number {
  let norm = 0;
  for (let k = 1; k < to; k++) norm += cue.re[k]! ** 2 + cue.im[k]! ** 2;
  return norm;
}
