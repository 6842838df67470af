import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { kernelBackend } from '../../src/engine/kernels.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';

describe('kernel backend in the worker pool', () => {
  it('the Piscina workers (compiled jobs) select the same backend as the main thread, native included', async () => {
    const pool = new Piscina({ filename: join(PACKAGE_ROOT, 'dist', 'workers', 'jobs.js'), minThreads: 2, maxThreads: 2 });
    try {
      const seen = await Promise.all([0, 1, 2, 3].map(() => pool.run(undefined, { name: 'backend' }) as Promise<string>));
      expect(new Set(seen)).toEqual(new Set([kernelBackend]));
    } finally {
      await pool.close();
    }
  });
});
