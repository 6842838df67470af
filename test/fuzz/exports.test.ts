import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as atlas from '../../src/index.js';
// @ts-expect-error: a plain .mjs fixture, shared with the worker run
import { EXPORT_KINDS, fuzzExports } from '../fixtures/l2/fuzz-driver.mjs';

type FuzzResult = { calls: number; violations: string[] };
const kinds = EXPORT_KINDS as Record<string, string>;
const fuzz = fuzzExports as (ns: unknown, options: { seed: number; rounds: number }) => FuzzResult;

describe('fuzz every export of src/index.ts', () => {
  it('every export has a declared failure convention (a new export must be added to the fuzz driver)', () => {
    expect(Object.keys(atlas).filter((name) => !(name in kinds))).toEqual([]);
    for (const [name, value] of Object.entries(atlas)) expect(typeof value === 'function', name).toBe(kinds[name] !== 'constant');
  });

  it('hostile arguments give AtlasError or the documented code/false, nothing else', () => {
    for (const seed of [1, 2, 3]) {
      const { calls, violations } = fuzz(atlas, { seed, rounds: 150 });
      expect(violations.slice(0, 20)).toEqual([]);
      expect(calls).toBeGreaterThan(150 * 50);
    }
  });

  it('the built package under a watchdog: no call hangs', async () => {
    const entry = fileURLToPath(new URL('../../dist/src/index.js', import.meta.url));
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does it in pretest).`);
    const worker = new Worker(new URL('../fixtures/l2/fuzz-worker.mjs', import.meta.url), { workerData: { seed: 99, rounds: 150 } });
    const result = await new Promise<FuzzResult>((resolve, reject) => {
      const watchdog = setTimeout(() => {
        void worker.terminate();
        reject(new Error('fuzz worker hung for 30 s'));
      }, 30_000);
      worker.once('message', (m: FuzzResult) => {
        clearTimeout(watchdog);
        resolve(m);
      });
      worker.once('error', (err) => {
        clearTimeout(watchdog);
        reject(err);
      });
    });
    await worker.terminate();
    expect(result.violations.slice(0, 20)).toEqual([]);
    expect(result.calls).toBeGreaterThan(150 * 50);
  });
});
