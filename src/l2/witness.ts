import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode, fail, setLastError } from '../errors.js';
import { isBytes, requireBytes } from '../validate.js';
import { kernels } from '../kernels/select.js';

/** An immutable, structured-cloneable record of some bytes. createdAt is not part of equality. */
export interface Witness {
  readonly algo: 'sha256';
  readonly len: number;
  /** SHA-256 of the bytes, lower-case hex. */
  readonly sha256: string;
  /** Σ mod 96. */
  readonly residue: number;
  /** Milliseconds since the epoch when the witness was made. */
  readonly createdAt: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

export function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(requireBytes(bytes)).digest();
}

export function witnessGenerate(bytes: Uint8Array): Witness {
  requireBytes(bytes);
  return Object.freeze({
    algo: 'sha256',
    len: bytes.length,
    sha256: sha256(bytes).toString('hex'),
    residue: kernels().byteSum(bytes) % 96,
    createdAt: Date.now(),
  });
}

function isWitness(w: unknown): w is Witness {
  const x = w as Witness;
  return (
    x !== null && typeof x === 'object' && x.algo === 'sha256' && Number.isSafeInteger(x.len) && x.len >= 0 &&
    typeof x.sha256 === 'string' && HEX64.test(x.sha256) && Number.isInteger(x.residue) && x.residue >= 0 && x.residue <= 95
  );
}

function requireWitness(w: unknown): Witness {
  if (!isWitness(w)) fail(ErrorCode.INVALID, 'not a witness: expected {algo: "sha256", len, sha256: 64 hex chars, residue: 0..95}');
  return w;
}

/**
 * Checks bytes against a witness: bad arguments or another length (INVALID), SHA-256 in constant time (WITNESS),
 * residue (CONSERVATION). Returns the code and never throws.
 */
export function witnessCheck(w: Witness, bytes: Uint8Array): ErrorCode {
  if (!isWitness(w) || !isBytes(bytes) || bytes.length !== w.len) return setLastError(ErrorCode.INVALID);
  if (!timingSafeEqual(sha256(bytes), Buffer.from(w.sha256, 'hex'))) return setLastError(ErrorCode.WITNESS);
  if (kernels().byteSum(bytes) % 96 !== w.residue) return setLastError(ErrorCode.CONSERVATION);
  return setLastError(ErrorCode.OK);
}

/** True when bytes match the witness; otherwise false, with the reason in getLastError(). */
export function witnessVerify(w: Witness, bytes: Uint8Array): boolean {
  return witnessCheck(w, bytes) === ErrorCode.OK;
}

/** Equality of two witnesses, ignoring createdAt. */
export function witnessEquals(a: Witness, b: Witness): boolean {
  requireWitness(a);
  requireWitness(b);
  return a.len === b.len && a.residue === b.residue && a.sha256 === b.sha256;
}

/** Kept for the C ABI naming rule: witnesses are garbage-collected values, so there is nothing to free. */
export function witnessDestroy(_w: Witness | null | undefined): void {}
