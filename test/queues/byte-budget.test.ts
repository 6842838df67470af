import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../queues/byte-budget.js';

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('ByteBudget', () => {
  it('holds requests until their bytes are free, in order, and lets an oversized one run alone', async () => {
    const budget = new ByteBudget(100);
    const a = await budget.acquire(60);
    const b = budget.acquire(50);
    const c = budget.acquire(10); // fits, but waits behind b: first come, first served
    const huge = budget.acquire(1_000);
    expect(await settled(b)).toBe(false);
    expect(await settled(c)).toBe(false);
    a();
    a(); // a second release gives nothing back twice
    expect(budget.free).toBe(40);
    expect(await settled(b)).toBe(true);
    expect(await settled(c)).toBe(true);
    expect(await settled(huge)).toBe(false);
    (await b)();
    (await c)();
    expect(await settled(huge)).toBe(true);
    expect(budget.free).toBe(0);
    (await huge)();
    expect(budget.free).toBe(100);
  });
});
