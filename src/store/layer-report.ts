import type { CapacityPolicy } from '../holo/allocation.js';
import { LAYERS } from '../holo/layers.js';
import { bitErrorRate, capacityUsed, snrPredicted, type LayerStats } from '../holo/telemetry.js';
import type { HoloIndex } from './holo-index.js';
import type { HoloSummary, LayerReport } from './holo-store.js';
import type { LayerCounters } from './structure-repair.js';

export interface ReportInputs {
  readonly index: HoloIndex;
  /** Per layer, Vault included. */
  readonly counters: readonly LayerCounters[];
  /** Per field layer: pairs recorded but not yet bound (a layer with any gets no probe). */
  readonly pending: readonly number[];
  /** Per layer: documents evicted from its field (absent: none). */
  readonly evicted?: readonly number[];
  readonly margin: number;
  readonly summary: Pick<HoloSummary, 'documents' | 'vault_documents' | 'total_floats' | 'capacity_policy' | 'headroom'>;
}

/** The spec §4 record per layer (snr_measured and ber from a probe sample of `index`) and the store-wide summary. */
export function layerReport({ index, counters, pending, evicted = [], margin, summary }: ReportInputs): LayerReport {
  const reserve = index.state.reserve;
  const layers = LAYERS.map((layer): LayerStats => {
    const c = counters[layer.index]!;
    const common = { evicted: evicted[layer.index] ?? 0, ecc_repairs: c.eccRepairs, ecc_failures: c.eccFailures, generation: index.generation, reserve, cross_layer_interference: 0 };
    if (!layer.hasField) {
      return { name: layer.name, dimension: 0, items: 0, bytes: c.bytes, snr_predicted: 0, snr_measured: null, ber: 0, capacity_used: 0, spill_shards: 0, ...common };
    }
    const shards = index.shards[layer.index]!;
    const dimension = shards.reduce((s, x) => s + x.field.dimension, 0);
    const items = shards.reduce((s, x) => s + x.items.length, 0);
    const probe = pending[layer.index] === 0 ? index.probe(layer.index, margin) : { probes: 0, misses: 0, snr_measured: null };
    return {
      name: layer.name, dimension, items, bytes: c.bytes, snr_predicted: snrPredicted(dimension, items), snr_measured: probe.snr_measured,
      ber: bitErrorRate(probe.misses + c.readMisses, probe.probes + c.reads), capacity_used: capacityUsed(items, layer.targetSnr, dimension),
      spill_shards: shards.length - 1, ...common,
    };
  }).map((entry) => ({
    name: entry.name, dimension: entry.dimension, items: entry.items, bytes: entry.bytes, snr_predicted: entry.snr_predicted,
    snr_measured: entry.snr_measured, ber: entry.ber, capacity_used: entry.capacity_used, spill_shards: entry.spill_shards,
    evicted: entry.evicted, cross_layer_interference: entry.cross_layer_interference, ecc_repairs: entry.ecc_repairs, ecc_failures: entry.ecc_failures,
    generation: entry.generation, reserve: entry.reserve,
  }));
  const total = summary.total_floats;
  return {
    layers,
    summary: {
      documents: summary.documents, vault_documents: summary.vault_documents, bound_items: layers.reduce((s, l) => s + l.items, 0),
      total_floats: total, allocated: total - reserve, reserve, generation: index.generation, capacity_policy: summary.capacity_policy,
      headroom: summary.headroom, margin, pending_binds: pending.reduce((a, b) => a + b, 0),
    },
  };
}
