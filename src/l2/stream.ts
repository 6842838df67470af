import { ErrorCode, fail } from '../errors.js';
import { requireBytes } from '../validate.js';
import { byteSum } from './sum.js';

/** Plain, transferable state of a ConservationStream. */
export interface ConservationState {
  readonly residue: number;
  readonly bytes: number;
}

/** Running Σ mod 96 over a sequence of chunks. */
export class ConservationStream {
  #residue = 0;
  #bytes = 0;

  static from(state: ConservationState): ConservationStream {
    const { residue, bytes } = state ?? ({} as ConservationState);
    if (!Number.isInteger(residue) || residue < 0 || residue > 95 || !Number.isSafeInteger(bytes) || bytes < 0) {
      fail(ErrorCode.INVALID, 'state must be {residue: 0..95, bytes: a non-negative safe integer}');
    }
    const stream = new ConservationStream();
    stream.#residue = residue;
    stream.#bytes = bytes;
    return stream;
  }

  update(chunk: Uint8Array): this {
    requireBytes(chunk, 'chunk');
    this.#residue = (this.#residue + byteSum(chunk)) % 96;
    this.#bytes += chunk.length;
    return this;
  }

  get residue(): number {
    return this.#residue;
  }

  get bytes(): number {
    return this.#bytes;
  }

  isConserved(): boolean {
    return this.#residue === 0;
  }

  state(): ConservationState {
    return { residue: this.#residue, bytes: this.#bytes };
  }
}
