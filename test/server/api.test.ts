import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, MetricsTime } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestQueue } from '../../queues/ingest-queue.js';
import { INGEST_QUEUE } from '../../queues/jobs.js';
import { requiredToken } from '../../src/server/auth.js';
import { AtlasError } from '../../src/errors.js';
import { PrivateRedis } from '../fixtures/queues/redis-server.js';
import { TestServer } from '../fixtures/server/server.js';

describe('dashboard API, embedded store only', () => {
  let server: TestServer;
  let ids: string[] = [];
  beforeAll(async () => {
    server = await TestServer.start();
    ids = (await server.ingest(server.documents('k', 3, 20_000), 'knowledge')).map((d) => d.id);
    await server.ingest(server.documents('i', 2, 5_000), 'identity');
    await server.engine.bound(); // telemetry compared across calls: no binding may land between them
  });
  afterAll(() => server.close());

  it('/api/stats equals the engine stats (what atlas stats --json prints)', async () => {
    const api = await server.json('/api/stats');
    expect(api).toEqual(JSON.parse(JSON.stringify(await server.engine.stats())));
    expect(api.documents).toBe(5);
    expect(api.documentBytes).toBe(3 * 20_000 + 2 * 5_000);
  });

  it('/api/layers/:name gives one layer by name or number, 404 for an unknown one', async () => {
    const knowledge = await server.json('/api/layers/knowledge');
    expect(knowledge.name).toBe('knowledge');
    expect(knowledge.items).toBeGreaterThan(0);
    expect(knowledge.bytes).toBe(60_000);
    const stats = await server.json('/api/stats');
    expect(knowledge).toEqual(stats.layers.find((l: { name: string }) => l.name === 'knowledge'));
    const res = await fetch(`${server.base}/api/layers/nonsense`);
    expect(res.status).toBe(404);
  });

  it('/api/queue says no queue configured without --redis', async () => {
    expect(await server.json('/api/queue')).toEqual({ configured: false, message: 'no queue configured' });
  });

  it('/api/pool reports the started pool with its timings', async () => {
    const pool = await server.json('/api/pool');
    expect(pool.started).toBe(true);
    expect(pool.threads).toBe(1);
    expect(pool.completed).toBeGreaterThan(0);
    expect(pool.runTime.p99).toBeGreaterThanOrEqual(pool.runTime.p50);
    expect(pool.utilization).toBeGreaterThanOrEqual(0);
    expect(pool.utilization).toBeLessThanOrEqual(1);
  });

  it('/api/documents/:id gives the manifest and witness; 404 unknown, 400 malformed', async () => {
    const doc = await server.json(`/api/documents/${ids[0]}`);
    expect(doc).toMatchObject({ id: ids[0], layer: 'knowledge', length: 20_000 });
    expect(doc.witness.sha256).toBe(ids[0]);
    expect(doc.witness.len).toBe(20_000);
    expect(doc.structures).toHaveLength(2);
    expect(doc.structures[0]).toMatch(/^[0-9a-f]{64}$/);
    expect((await fetch(`${server.base}/api/documents/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await fetch(`${server.base}/api/documents/xyz`)).status).toBe(400);
  });

  it('POST /api/ingest rejects a body without a path and a bad layer', async () => {
    const post = (body: unknown) => fetch(`${server.base}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({})).status).toBe(400);
    expect((await post({ path: server.dir, layer: 'nowhere' })).status).toBe(400);
  });

  it('/metrics exposes layer gauges, ingest counters and pool metrics in Prometheus format', async () => {
    const res = await fetch(`${server.base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    const stats = await server.json('/api/stats');
    const knowledge = stats.layers.find((l: { name: string }) => l.name === 'knowledge');
    expect(text).toContain(`atlas_layer_items{layer="knowledge"} ${knowledge.items}`);
    expect(text).toContain(`atlas_layer_bytes{layer="identity"} 10000`);
    expect(text).toContain('atlas_ingest_documents_total{layer="knowledge"} 3');
    expect(text).toContain('atlas_ingest_bytes_total{layer="identity"} 10000');
    expect(text).toMatch(/atlas_pool\{stat="utilization"\} [0-9.e-]+/);
    expect(text).toMatch(/atlas_pool_time_ms\{kind="runTime",quantile="0.99"\} [0-9.e-]+/);
    expect(text).toContain('atlas_ingest_request_seconds_count 2');
  });

  it('/api/throughput has the ingested bytes in its buckets', async () => {
    const { samples } = await server.json('/api/throughput');
    expect(samples.reduce((n: number, s: { bytes: number }) => n + s.bytes, 0)).toBe(70_000);
    expect(samples.reduce((n: number, s: { documents: number }) => n + s.documents, 0)).toBe(5);
  });

  it('serves the page and the chart library', async () => {
    const page = await fetch(`${server.base}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('/assets/uPlot.iife.min.js');
    const lib = await fetch(`${server.base}/assets/uPlot.iife.min.js`);
    expect(lib.status).toBe(200);
    expect(await lib.text()).toContain('uPlot');
  });
});

describe('Vault documents over the API', () => {
  let vaultServer: TestServer;
  beforeAll(async () => {
    vaultServer = await TestServer.start();
  });
  afterAll(() => vaultServer.close());

  it('/api/documents/:id of a Vault document says sealed and gives nothing of the plaintext', async () => {
    const secret = 'PASSWORD=hunter2-very-secret-plaintext';
    const path = join(vaultServer.dir, 'creds.env');
    writeFileSync(path, secret);
    const [sealed] = await vaultServer.ingest(path, 'vault');
    expect(sealed!.layer).toBe('vault');
    const res = await fetch(`${vaultServer.base}/api/documents/${sealed!.id}`);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ id: sealed!.id, layer: 'vault', sealed: true });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(createHash('sha256').update(secret).digest('hex'));
  });
});

describe('token', () => {
  it('a non-loopback bind without ATLAS_TOKEN is refused; loopback needs none', () => {
    expect(() => requiredToken('0.0.0.0', undefined)).toThrow(AtlasError);
    expect(() => requiredToken('0.0.0.0', '')).toThrow(/ATLAS_TOKEN/);
    expect(requiredToken('127.0.0.1', undefined)).toBeUndefined();
    expect(requiredToken('::1', undefined)).toBeUndefined();
    expect(requiredToken('0.0.0.0', 's3cret')).toBe('s3cret');
  });

  it('bound to 0.0.0.0 with a token: 401 without it or with a wrong one, 200 with it', async () => {
    const token = 'test-token-0123456789';
    const server = await TestServer.start({ host: '0.0.0.0', token: requiredToken('0.0.0.0', token)! });
    try {
      for (const path of ['/api/stats', '/api/pool', '/metrics', '/']) {
        expect((await fetch(`${server.base}${path}`)).status).toBe(401);
        expect((await fetch(`${server.base}${path}`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
        expect((await fetch(`${server.base}${path}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      }
      expect((await fetch(`${server.base}/?token=wrong`, { redirect: 'manual' })).status).toBe(401);
      const opened = await fetch(`${server.base}/?token=${token}`, { redirect: 'manual' });
      expect(opened.status).toBe(303);
      const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
      expect(cookie).toBe(`atlas_token=${token}`);
      expect((await fetch(`${server.base}/api/stats`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${server.base}/api/stats`, { headers: { cookie: 'atlas_token=wrong' } })).status).toBe(401);
      const post = await fetch(`${server.base}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: server.dir }) });
      expect(post.status).toBe(401);
      expect((await server.engine.stats()).documents).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('dashboard API with a BullMQ queue', () => {
  let redis: PrivateRedis;
  let queue: IngestQueue;
  let server: TestServer;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    queue = await IngestQueue.open(redis.url);
    server = await TestServer.start({ queue });
  });
  afterAll(async () => {
    await server?.close();
    await queue?.close();
    await redis?.stop();
  });

  it('/api/queue shows counts, per-minute metrics and the latest failures with reasons', async () => {
    await queue.ingestQueue.add('ok', { id: 'a' } as never, { jobId: 'job-ok' });
    await queue.ingestQueue.add('bad', { id: 'b' } as never, { jobId: 'job-bad', attempts: 1 });
    await queue.ingestQueue.add('waits', { id: 'c' } as never, { jobId: 'job-waits', delay: 60_000 });
    const worker = new Worker(INGEST_QUEUE, async (job) => {
      if (job.name === 'bad') throw new Error('boom: disk on fire');
      return { ok: true };
    }, { connection: { url: redis.url }, metrics: { maxDataPoints: MetricsTime.ONE_HOUR } });
    try {
      for (let i = 0; i < 100; i++) {
        const c = await queue.counts();
        if (c.completed === 1 && c.failed === 1) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await worker.close();
    }
    const view = await server.json('/api/queue');
    expect(view.configured).toBe(true);
    expect(view.counts).toEqual(await queue.counts());
    expect(view.counts).toMatchObject({ completed: 1, failed: 1, delayed: 1 });
    expect(view.completedRecorded).toBe(1);
    expect(view.failed).toHaveLength(1);
    expect(view.failed[0]).toMatchObject({ job: 'job-bad', reason: 'boom: disk on fire', attempts: 1 });
    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    expect(metrics).toContain('atlas_queue_jobs{state="failed"} 1');
    expect(metrics).toContain('atlas_queue_jobs{state="completed"} 1');
  });
});
