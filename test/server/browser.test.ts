import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'bullmq';
import { IngestQueue } from '../../queues/ingest-queue.js';
import { INGEST_QUEUE } from '../../queues/jobs.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { PrivateRedis } from '../fixtures/queues/redis-server.js';
import { TestServer } from '../fixtures/server/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = join(PACKAGE_ROOT, 'test-artifacts');
const LAYER_FIELDS = ['items', 'bytes', 'dimension', 'capacity_used', 'snr_predicted', 'snr_measured', 'ber', 'spill_shards', 'evicted', 'ecc_repairs', 'ecc_failures'] as const;

/** The page's formatting, stated independently: integers as is, fractions to 3 decimals, null as a dash. */
function shown(v: unknown): string {
  if (v === null) return '—';
  if (typeof v === 'number' && !Number.isFinite(v)) return '∞';
  return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v);
}

/** What one layer panel shows: field -> [data-value, text]. */
async function panel(page: Page, layer: string): Promise<Record<string, [unknown, string]>> {
  return page.$$eval(`[data-layer="${layer}"] [data-field]`, (nodes) =>
    Object.fromEntries(nodes.map((n) => [n.getAttribute('data-field'), [JSON.parse(n.getAttribute('data-value')!), n.textContent]])));
}

async function expectPageShows(page: Page, server: TestServer): Promise<void> {
  const stats = await server.json('/api/stats');
  for (const field of ['documents', 'structures', 'documentBytes']) {
    await expect.poll(() => page.textContent(`#store-summary [data-field="${field}"]`), { timeout: 5_000 }).toBe(String(stats[field]));
  }
  for (const layer of stats.layers as Array<Record<string, unknown>>) {
    await expect.poll(async () => (await panel(page, layer.name as string)).items?.[0], { timeout: 5_000 }).toBe(layer.items);
    const shownNow = await panel(page, layer.name as string);
    for (const field of LAYER_FIELDS) {
      const value = field === 'capacity_used' && !Number.isFinite(layer[field]) ? null : layer[field];
      expect(shownNow[field], `${layer.name as string}.${field}`).toEqual([value, shown(layer[field])]);
    }
  }
}

describe('dashboard page in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await TestServer.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows /api/stats per layer, updates after more ingest, and screenshots', async () => {
    await server.ingest(server.documents('knowledge', 4, 30_000), 'knowledge');
    await server.ingest(server.documents('identity', 3, 4_000), 'identity');
    await server.ingest(server.documents('experience', 2, 50_000), 'experience');
    await server.engine.stats({ settle: true }); // bind everything, so the numbers hold still while compared

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(server.base);
    await page.waitForSelector('[data-layer="knowledge"] [data-field="items"]');
    await expectPageShows(page, server);
    expect(await page.textContent('[data-testid="no-queue"]')).toBe('no queue configured');
    expect(await page.$$('[data-layer]')).toHaveLength((await server.json('/api/stats')).layers.length);
    await page.waitForSelector('#throughput-chart canvas'); // drawn by uPlot
    expect(Number(await page.getAttribute('#pool [data-field="completed"]', 'data-value'))).toBeGreaterThan(0);

    const before = await panel(page, 'knowledge');
    await server.ingest(server.documents('more', 3, 30_000), 'knowledge');
    await server.ingest(server.documents('context', 2, 8_000), 'context');
    await server.engine.stats({ settle: true });
    await expect.poll(() => page.textContent('#store-summary [data-field="documents"]'), { timeout: 5_000 }).toBe('14');
    await expectPageShows(page, server);
    expect((await panel(page, 'knowledge')).bytes![0]).toBe((before.bytes![0] as number) + 90_000);
    expect((await panel(page, 'context')).items![0]).toBeGreaterThan(0);
    expect(errors).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  }, 45_000);

  it('behind a token (bound to 0.0.0.0): 401 without it, the page works once opened with /?token=', async () => {
    const token = 'browser-token-42';
    const guarded = await TestServer.start({ host: '0.0.0.0', token });
    try {
      const page = await browser.newPage();
      expect((await page.goto(guarded.base))!.status()).toBe(401);
      await page.goto(`${guarded.base}/?token=${token}`);
      expect(page.url()).toBe(`${guarded.base}/`);
      await page.waitForSelector('[data-layer="wisdom"] [data-field="items"]');
      expect(await page.textContent('#store-summary [data-field="documents"]')).toBe('0');
    } finally {
      await guarded.close();
    }
  }, 20_000);

  it('the queue panel shows counts and the latest failure with its reason', async () => {
    const redis = await PrivateRedis.start();
    const queue = await IngestQueue.open(redis.url);
    const withQueue = await TestServer.start({ queue });
    try {
      await queue.ingestQueue.add('bad', { id: 'x' } as never, { jobId: 'job-broken', attempts: 1 });
      await queue.ingestQueue.add('later', { id: 'y' } as never, { jobId: 'job-later' });
      const worker = new Worker(INGEST_QUEUE, async (job) => {
        if (job.name === 'bad') throw new Error('cannot read /nowhere/file.bin');
      }, { connection: { url: redis.url }, autorun: false });
      const failed = new Promise((r) => worker.once('failed', r));
      void worker.run();
      await failed;
      await worker.close();
      const page = await browser.newPage();
      await page.goto(withQueue.base);
      await page.waitForSelector('#queue [data-field="failed"]');
      const counts = await queue.counts();
      for (const state of ['waiting', 'active', 'completed', 'failed']) {
        expect(await page.getAttribute(`#queue [data-field="${state}"]`, 'data-value'), state).toBe(String(counts[state] ?? 0));
      }
      expect(counts.failed).toBe(1);
      expect(await page.textContent('#queue [data-job="job-broken"]')).toContain('cannot read /nowhere/file.bin');
    } finally {
      await withQueue.close();
      await queue.close();
      await redis.stop();
    }
  }, 30_000);
});
