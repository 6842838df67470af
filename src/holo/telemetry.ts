import type { LayerName } from './layers.js';

/** One entry of getLayerStats() / stats().layers: exactly the keys of holo-store.md §4. */
export interface LayerStats {
  name: LayerName;
  /** D summed over the layer's shards (0 for the Vault). */
  dimension: number;
  /** Bound items N. */
  items: number;
  /** Payload bytes stored. */
  bytes: number;
  snr_predicted: number;
  /** null until a probe sample has been scored. */
  snr_measured: number | null;
  ber: number;
  capacity_used: number;
  spill_shards: number;
  /** Documents evicted from the layer's field (capacity policy evict): stored still, no longer in N or the candidates. */
  evicted: number;
  cross_layer_interference: number;
  ecc_repairs: number;
  ecc_failures: number;
  generation: number;
  /** Unallocated floats. */
  reserve: number;
}

export const LAYER_STATS_KEYS: readonly (keyof LayerStats)[] = Object.freeze([
  'name', 'dimension', 'items', 'bytes', 'snr_predicted', 'snr_measured', 'ber', 'capacity_used', 'spill_shards', 'evicted',
  'cross_layer_interference', 'ecc_repairs', 'ecc_failures', 'generation', 'reserve',
]);

/** sqrt(D / max(N − 1, 1)): the detection SNR of §3.4(a). */
export function snrPredicted(dimension: number, items: number): number {
  return Math.sqrt(dimension / Math.max(items - 1, 1));
}

/** N·S²/D; a layer without a field (D = 0) and no items uses nothing. */
export function capacityUsed(items: number, targetSnr: number, dimension: number): number {
  if (items === 0) return 0;
  return dimension === 0 ? Infinity : (items * targetSnr * targetSnr) / dimension;
}

/** mean(true-candidate scores) / std(wrong-candidate scores); null when there are too few samples to say. */
/** Fewer wrong-candidate scores than this give no meaningful spread (2 items gave a std near 0 and an SNR of 4e9). */
export const MIN_WRONG_SCORES = 8;

export function snrMeasured(trueScores: ArrayLike<number>, wrongScores: ArrayLike<number>): number | null {
  if (trueScores.length === 0 || wrongScores.length < MIN_WRONG_SCORES) return null;
  const std = Math.sqrt(variance(wrongScores));
  return std === 0 ? null : mean(trueScores) / std;
}

/** Wrong or ambiguous clean-ups per probe (0 with no probes). */
export function bitErrorRate(wrong: number, probes: number): number {
  return probes === 0 ? 0 : wrong / probes;
}

function mean(xs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  return sum / xs.length;
}

/** Sample variance (n − 1 denominator). */
function variance(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += (xs[i]! - m) ** 2;
  return sum / (xs.length - 1);
}
