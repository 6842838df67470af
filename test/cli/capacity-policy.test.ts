import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PAYLOAD_SIZE } from '../../src/framing/structure.js';
import { HoloStore } from '../../src/store/holo-store.js';
import { seededBytes, suiteTempDir } from '../fixtures/engine/data.js';
import { atlas, jsonLines } from '../fixtures/engine/cli.js';

const dir = suiteTempDir('cli-capacity');

interface Layer {
  name: string;
  items: number;
  dimension: number;
  evicted: number;
}

describe('atlas --capacity-policy', () => {
  it('evict: a small layer overfilled by ingest evicts its oldest documents, every document still comes back exactly', async () => {
    const store = join(dir, 'store');
    await HoloStore.openHolo(store, { totalFloats: 1 << 13, headroom: 8 }).close(); // a store with small fields
    const input = join(dir, 'in');
    mkdirSync(input, { recursive: true });
    const files = Array.from({ length: 6 }, (_, i) => seededBytes(5 * PAYLOAD_SIZE - 11 * i, 300 + i)); // 5 structures each
    files.forEach((bytes, i) => writeFileSync(join(input, `f${i}.bin`), bytes));

    const bad = await atlas(['ingest', input, '--layer', 'identity', '--capacity-policy', 'drop', '--store', store]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--capacity-policy must be reject, spill, evict, got 'drop'/);
    const badWorker = await atlas(['worker', '--redis', 'redis://127.0.0.1:1', '--capacity-policy', 'drop', '--store', store]);
    expect(badWorker.code).toBe(2);
    expect(badWorker.stderr).toMatch(/^atlas worker: --capacity-policy must be reject, spill, evict, got 'drop'/);
    const rejected = await atlas(['ingest', input, '--layer', 'identity', '--capacity-policy', 'reject', '--store', store]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/capacity of layer identity exceeded/);

    const ingest = await atlas(['ingest', input, '--json', '--layer', 'identity', '--capacity-policy', 'evict', '--store', store, '--threads', '1']);
    expect(ingest.stderr).toBe('');
    expect(ingest.code).toBe(0);
    const stats = JSON.parse((await atlas(['stats', '--json', '--store', store])).stdout.toString()) as { layers: Layer[] };
    const identity = stats.layers.find((l) => l.name === 'identity')!;
    const cap = Math.floor(identity.dimension / 100);
    const evicted = 6 - Math.floor(cap / 5); // documents of 5 items: only floor(cap / 5) stay bound
    expect(identity).toMatchObject({ evicted, items: 5 * (6 - evicted) });
    for (const line of jsonLines(ingest.stdout)) {
      const i = Number(/f(\d)\.bin$/.exec(line.path)![1]);
      expect((await atlas(['get', line.id, '--store', store])).stdout.equals(Buffer.from(files[i]!))).toBe(true);
    }
  }, 120_000);
});
