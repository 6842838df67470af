/** Ingested documents and bytes per fixed time bucket, the latest `buckets` kept: the page's throughput chart. */
export interface ThroughputSample {
  /** Bucket start, milliseconds since the epoch. */
  readonly t: number;
  readonly documents: number;
  readonly bytes: number;
}

export class ThroughputLog {
  readonly #samples: Array<{ t: number; documents: number; bytes: number }> = [];

  constructor(readonly bucketMs = 5_000, readonly buckets = 120) {}

  record(documents: number, bytes: number, now = Date.now()): void {
    const t = now - (now % this.bucketMs);
    let last = this.#samples.at(-1);
    if (!last || last.t !== t) {
      last = { t, documents: 0, bytes: 0 };
      this.#samples.push(last);
      if (this.#samples.length > this.buckets) this.#samples.shift();
    }
    last.documents += documents;
    last.bytes += bytes;
  }

  /** The whole window up to now, empty buckets included (so the chart's time axis is fixed and has no gaps). */
  series(now = Date.now()): ThroughputSample[] {
    const end = now - (now % this.bucketMs);
    const start = end - (this.buckets - 1) * this.bucketMs;
    const byTime = new Map(this.#samples.map((s) => [s.t, s]));
    const out: ThroughputSample[] = [];
    for (let t = start; t <= end; t += this.bucketMs) out.push({ t, documents: byTime.get(t)?.documents ?? 0, bytes: byTime.get(t)?.bytes ?? 0 });
    return out;
  }
}
