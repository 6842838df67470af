import { ErrorCode, fail } from '../errors.js';

export type LayerName = 'identity' | 'knowledge' | 'experience' | 'preference' | 'context' | 'wisdom' | 'vault';

export interface Layer {
  readonly name: LayerName;
  readonly index: number;
  readonly weight: number;
  /** Target detection SNR S_k; a bound item costs S_k² floats of field dimension. */
  readonly targetSnr: number;
  /** The Vault binds nothing: it stores only encrypted payloads. */
  readonly hasField: boolean;
}

const TABLE: readonly [LayerName, number, number][] = [
  ['identity', 1.0, 10],
  ['knowledge', 0.9, 8],
  ['experience', 0.8, 6],
  ['preference', 0.7, 5],
  ['context', 0.6, 4],
  ['wisdom', 0.5, 3],
  ['vault', 0.4, 2],
];

export const LAYERS: readonly Layer[] = Object.freeze(
  TABLE.map(([name, weight, targetSnr], index) => Object.freeze({ name, index, weight, targetSnr, hasField: name !== 'vault' })),
);

/** The six layers that own a holographic field (all but the Vault), in index order. */
export const FIELD_LAYERS: readonly Layer[] = Object.freeze(LAYERS.filter((layer) => layer.hasField));

export const VAULT: Layer = LAYERS[6]!;

/** A layer by name (case-insensitive), by index, or by an index written as a decimal string; anything else is INVALID. */
export function resolveLayer(ref: string | number): Layer {
  if (typeof ref === 'number' || (typeof ref === 'string' && /^\d+$/.test(ref.trim()))) {
    const index = Number(ref);
    const layer = Number.isInteger(index) ? LAYERS[index] : undefined;
    return layer ?? fail(ErrorCode.INVALID, `layer number must be 0..${LAYERS.length - 1}, got ${String(ref)}`);
  }
  if (typeof ref === 'string') {
    const wanted = ref.trim().toLowerCase();
    const layer = LAYERS.find((l) => l.name === wanted);
    if (layer) return layer;
  }
  return fail(ErrorCode.INVALID, `unknown layer ${JSON.stringify(ref)}: expected one of ${LAYERS.map((l) => l.name).join(', ')} or 0..${LAYERS.length - 1}`);
}
