import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineStats, PoolStats } from '../engine/engine.js';
import { LAYER_STATS_KEYS, type LayerStats } from '../holo/telemetry.js';
import type { QueueView } from './queue-view.js';

const LAYER_GAUGES = LAYER_STATS_KEYS.filter((k) => k !== 'name');

/** The Prometheus registry of one server: layer gauges, ingest counters, pool and queue metrics. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #layer = new Map<keyof LayerStats, Gauge>();
  readonly #documents = new Counter({ name: 'atlas_ingest_documents_total', help: 'Documents ingested through this server', labelNames: ['layer'], registers: [this.registry] });
  readonly #bytes = new Counter({ name: 'atlas_ingest_bytes_total', help: 'Document bytes ingested through this server', labelNames: ['layer'], registers: [this.registry] });
  readonly #ingestSeconds = new Histogram({ name: 'atlas_ingest_request_seconds', help: 'Duration of POST /api/ingest requests', buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: [this.registry] });
  readonly #pool = new Gauge({ name: 'atlas_pool', help: 'Worker pool: utilization (0..1), queue_size, completed tasks', labelNames: ['stat'], registers: [this.registry] });
  readonly #poolTimes = new Gauge({ name: 'atlas_pool_time_ms', help: 'Worker pool task run and wait time quantiles (piscina histogram)', labelNames: ['kind', 'quantile'], registers: [this.registry] });
  readonly #queueJobs = new Gauge({ name: 'atlas_queue_jobs', help: 'Ingest queue jobs by state', labelNames: ['state'], registers: [this.registry] });
  readonly #queuePerMinute = new Histogram({
    name: 'atlas_queue_jobs_per_minute', help: 'Ingest queue completed jobs per minute, one observation per BullMQ metrics minute',
    buckets: [0, 1, 10, 100, 1000, 10000], registers: [this.registry],
  });
  #queueMinutesSeen = 0;

  constructor() {
    for (const key of LAYER_GAUGES) {
      this.#layer.set(key, new Gauge({ name: `atlas_layer_${key}`, help: `Holographic layer ${key} (holo-store.md §4)`, labelNames: ['layer'], registers: [this.registry] }));
    }
  }

  ingested(layer: string, bytes: number): void {
    this.#documents.inc({ layer });
    this.#bytes.inc({ layer }, bytes);
  }

  timeIngest(): () => void {
    return this.#ingestSeconds.startTimer();
  }

  /** Sets every gauge from fresh readings; returns the exposition text. */
  async render(stats: EngineStats, pool: PoolStats, queue: QueueView): Promise<string> {
    for (const layer of stats.layers) {
      for (const [key, gauge] of this.#layer) {
        const value = layer[key];
        // snr_measured is null until probed; capacity_used is Infinity for a layer without a field
        if (typeof value === 'number' && Number.isFinite(value)) gauge.set({ layer: layer.name }, value);
        else gauge.remove({ layer: layer.name });
      }
    }
    this.#pool.set({ stat: 'utilization' }, pool.utilization);
    this.#pool.set({ stat: 'queue_size' }, pool.queueSize);
    this.#pool.set({ stat: 'completed' }, pool.completed);
    for (const kind of ['runTime', 'waitTime'] as const) {
      for (const q of ['p50', 'p99'] as const) this.#poolTimes.set({ kind, quantile: q === 'p50' ? '0.5' : '0.99' }, pool[kind][q]);
    }
    if (queue.configured) {
      for (const [state, n] of Object.entries(queue.counts)) this.#queueJobs.set({ state }, n);
      // BullMQ keeps one count per minute, newest first; observe each completed minute once
      const minutes = queue.completedPerMinute.length;
      for (const n of queue.completedPerMinute.slice(1, Math.max(1, minutes - this.#queueMinutesSeen + 1)).reverse()) this.#queuePerMinute.observe(n);
      this.#queueMinutesSeen = Math.max(this.#queueMinutesSeen, minutes);
    }
    return this.registry.metrics();
  }
}
