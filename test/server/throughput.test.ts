import { describe, expect, it } from 'vitest';
import { ThroughputLog } from '../../src/server/throughput.js';

describe('ThroughputLog', () => {
  it('sums records per bucket over a fixed window, empty buckets included, old ones dropped', () => {
    const log = new ThroughputLog(1_000, 5);
    log.record(1, 100, 10_100);
    log.record(2, 50, 10_900);
    log.record(1, 7, 12_000);
    const series = log.series(13_500);
    expect(series.map((s) => s.t)).toEqual([9_000, 10_000, 11_000, 12_000, 13_000]);
    expect(series.map((s) => s.documents)).toEqual([0, 3, 0, 1, 0]);
    expect(series.map((s) => s.bytes)).toEqual([0, 150, 0, 7, 0]);
    expect(log.series(20_000).every((s) => s.documents === 0)).toBe(true);
  });
});
