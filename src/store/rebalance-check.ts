import { ErrorCode, fail } from '../errors.js';
import type { CapacityState } from '../holo/allocation.js';
import { FIELD_LAYERS } from '../holo/layers.js';
import { snrPredicted } from '../holo/telemetry.js';
import type { HoloIndex } from './holo-index.js';

/**
 * A rebalance's fields, re-bound into shard 0 of each layer, checked before they replace the old ones: a probe sample
 * of every layer with two items or more must measure at least half its predicted SNR, or, where too few items give
 * no measurable spread (snr_measured null), clean every probe up right (STATE otherwise).
 */
export function verifyRebound(next: HoloIndex, state: CapacityState, loads: readonly number[], margin: number): void {
  for (const layer of FIELD_LAYERS) {
    const items = loads[layer.index]!;
    if (items < 2) continue;
    const probe = next.probe(layer.index, margin);
    const predicted = snrPredicted(state.layers[layer.index]![0]!.dimension, items);
    const ok = probe.snr_measured === null ? probe.probes > 0 && probe.misses === 0 : probe.snr_measured >= 0.5 * predicted;
    if (!ok) {
      fail(ErrorCode.STATE, `rebalance verification failed for layer ${layer.name}: measured SNR ${String(probe.snr_measured)} vs predicted ${predicted.toFixed(2)}, ${probe.misses} of ${probe.probes} probes missed; the old fields stay`);
    }
  }
}
