import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededBytes, suiteTempDir } from '../fixtures/engine/data.js';
import { atlas, jsonLines } from '../fixtures/engine/cli.js';

const dir = suiteTempDir('cli-rebalance');

describe('atlas rebalance', () => {
  it('resizes the layers to a new total M in a new generation; every document still comes back exactly', async () => {
    const input = join(dir, 'in');
    mkdirSync(input, { recursive: true });
    const files = Array.from({ length: 4 }, (_, i) => seededBytes(20_000 + i * 9_000, 60 + i));
    files.forEach((bytes, i) => writeFileSync(join(input, `f${i}.bin`), bytes));
    const store = join(dir, 'store');
    const ingest = await atlas(['ingest', input, '--json', '--store', store, '--threads', '1']);
    expect(ingest.code).toBe(0);
    const ids = jsonLines(ingest.stdout).map((l) => l.id);

    const run = await atlas(['rebalance', '--total-floats', String(1 << 21), '--json', '--store', store]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout.toString()) as { generation: number; dimensions: number[]; reserve: number };
    expect(report.generation).toBe(1);
    expect(report.dimensions).toHaveLength(6);
    const stats = JSON.parse((await atlas(['stats', '--json', '--store', store])).stdout.toString()) as { holo: { generation: number; total_floats: number } };
    expect(stats.holo).toMatchObject({ generation: 1, total_floats: 1 << 21 });
    for (const [i, id] of ids.entries()) expect((await atlas(['get', id, '--store', store])).stdout.equals(Buffer.from(files[i]!))).toBe(true);

    const text = await atlas(['rebalance', '--store', store]);
    expect(text.stdout.toString()).toMatch(/^generation 2: dimensions( \d+){6}, reserve \d+\n$/);
    // A store with a single small document: too few items for a measured SNR, the probes' clean-ups decide.
    const tiny = join(dir, 'tiny');
    expect((await atlas(['ingest', join(input, 'f0.bin'), '--store', tiny])).code).toBe(0);
    const small = await atlas(['rebalance', '--store', tiny]);
    expect(small.stderr).toBe('');
    expect(small.stdout.toString()).toMatch(/^generation 1: /);
    const bad = await atlas(['rebalance', '--total-floats', 'lots', '--store', store]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--total-floats must be an integer/);
  }, 60_000);
});
