// The queue API in process: ids, idempotent resubmission, staged buffers, the batch summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { AtlasError, ErrorCode } from '../../src/errors.js';
import { documentId } from '../../src/framing/index.js';
import { Engine } from '../../src/engine/engine.js';
import { HoloStore } from '../../src/store/holo-store.js';
import { RedisHoloStore } from '../../src/store/redis-holo-store.js';
import { IngestQueue } from '../../queues/ingest-queue.js';
import { IngestWorker } from '../../queues/ingest-worker.js';
import { batchJobId, documentJobId, parseJobData } from '../../queues/jobs.js';
import { seededBytes, tempDir } from '../fixtures/engine/data.js';
import { PrivateRedis } from '../fixtures/queues/redis-server.js';
import { atlas } from '../fixtures/engine/cli.js';

let redis: PrivateRedis;
const dirs: string[] = [];
beforeAll(async () => {
  redis = await PrivateRedis.start();
});
afterAll(async () => {
  await redis?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AtlasError ? err.code : undefined;
  }
  return undefined;
}

describe('job data and ids', () => {
  it('ids never contain ":" and are never all digits', () => {
    const batch = '1'.repeat(64);
    for (const id of [batchJobId(batch), documentJobId(batch, '2'.repeat(64))]) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
  });

  it('rejects malformed job data with INVALID', () => {
    const id = 'a'.repeat(64);
    expect(parseJobData({ kind: 'path', path: '/x', id, length: 3 })).toEqual({ kind: 'path', path: '/x', id, length: 3 });
    for (const bad of [null, 'x', { kind: 'path', path: '/x', id: 'nope', length: 3 }, { kind: 'path', path: '/x', id, length: -1 },
      { kind: 'path', path: '', id, length: 3 }, { kind: 'mail', id, length: 3 }, { kind: 'staged', id, length: 3 }]) {
      expect(codeOf(() => parseJobData(bad))).toBe(ErrorCode.INVALID);
    }
    const vaultId = 'b'.repeat(32);
    expect(parseJobData({ kind: 'staged', key: 'k', id: vaultId, length: 3, layer: 'vault' })).toEqual({ kind: 'staged', key: 'k', id: vaultId, length: 3, layer: 'vault' });
    expect(parseJobData({ kind: 'path', path: '/x', id, length: 3, layer: 'wisdom' })).toMatchObject({ layer: 'wisdom' });
    for (const bad of [{ kind: 'staged', key: 'k', id: vaultId, length: 3 }, { kind: 'staged', key: 'k', id, length: 3, layer: 'vault' },
      { kind: 'path', path: '/x', id, length: 3, layer: 'attic' }, { kind: 'path', path: '/x', id, length: 3, layer: 2 }]) {
      expect(codeOf(() => parseJobData(bad))).toBe(ErrorCode.INVALID);
    }
  });
});

describe('IngestQueue', () => {
  it('resubmitting a batch is idempotent, and identical documents go in once', async () => {
    const queue = await IngestQueue.open(redis.url, { prefix: 'idem' });
    try {
      const dir = tempDir('queue');
      dirs.push(dir);
      writeFileSync(join(dir, 'a'), seededBytes(1000, 1));
      writeFileSync(join(dir, 'b'), seededBytes(1000, 1)); // same content as a
      writeFileSync(join(dir, 'c'), seededBytes(2000, 2));
      const first = await queue.submit([dir]);
      expect(first.documents).toBe(2);
      expect(first.bytes).toBe(3000);
      const again = await queue.submit([dir]);
      expect(again.batch).toBe(first.batch);
      expect((await queue.counts()).waiting).toBe(2); // no worker runs here: two jobs wait, not four
    } finally {
      await queue.close();
    }
  });

  it('stages submitted buffers, stores them through a worker, deletes the staging keys and sums up the batch', async () => {
    const prefix = 'staged';
    const queue = await IngestQueue.open(redis.url, { prefix });
    const worker = await IngestWorker.start({ redis: redis.url, store: redis.url, prefix, threads: 1, concurrency: 2 });
    const admin = new Redis(redis.url);
    try {
      const docs = [seededBytes(50_000, 3), seededBytes(0, 4), seededBytes(13_000, 5)];
      const submitted = await queue.submit(docs);
      const summary = await queue.wait(submitted.batch);
      expect(summary).toMatchObject({ batch: submitted.batch, documents: 3, stored: 3, alreadyStored: 0, failed: [] });
      // The worker records BullMQ metrics, which the dashboard turns into throughput per minute.
      const m = await queue.ingestQueue.getMetrics('completed');
      expect(m.meta.count).toBeGreaterThanOrEqual(3);
      expect(await admin.keys(`${prefix}-atlas:stage:*`)).toEqual([]);
      // The worker bound every document into its layer: another instance recalls them from the summed fields.
      const store = await RedisHoloStore.openHolo(redis.url);
      try {
        for (const doc of docs) {
          expect(Buffer.from(await store.getDocument(documentId(doc))).equals(Buffer.from(doc))).toBe(true);
          expect(Buffer.from((await store.retrieveFromLayer(documentId(doc))).bytes).equals(Buffer.from(doc))).toBe(true);
        }
      } finally {
        await store.close();
      }
      // Any host reads the shared store, layers included, through the CLI.
      const got = await atlas(['get', documentId(docs[0]!), '--store', redis.url]);
      expect(got.stderr.toString()).toBe('');
      expect(got.stdout.equals(Buffer.from(docs[0]!))).toBe(true);
      const verified = await atlas(['verify', documentId(docs[2]!), '--store', redis.url]);
      expect(verified.code).toBe(0);
      const stats = await atlas(['stats', '--json', '--store', redis.url]);
      expect(stats.stderr.toString()).toBe('');
      expect(stats.code).toBe(0);
      expect(JSON.parse(stats.stdout.toString()).holo).toMatchObject({ documents: 3, bound_items: 5 + 0 + 2, pending_binds: 0 });
      // The same buffers in a new batch: found stored, no new work.
      const second = await queue.wait((await queue.submit([...docs, seededBytes(10, 6)])).batch);
      expect(second).toMatchObject({ documents: 4, stored: 1, alreadyStored: 3 });
      await expect(queue.submit([new Uint8Array(17 << 20)])).rejects.toMatchObject({ code: ErrorCode.INVALID });
    } finally {
      admin.disconnect();
      await worker.close(1000);
      await queue.close();
    }
  });

  it('atlas enqueue --wait shows progress and prints the batch summary; --failed lists failures; bad calls fail clearly', async () => {
    const worker = await IngestWorker.start({ redis: redis.url, store: redis.url, threads: 1 });
    try {
      const dir = tempDir('enqueue');
      dirs.push(dir);
      for (let i = 0; i < 5; i++) writeFileSync(join(dir, `f${i}`), seededBytes(20_000 + i, 10 + i));
      const run = await atlas(['enqueue', dir, '--redis', redis.url, '--wait', '--json']);
      expect(run.stderr).toMatch(/5 documents, 0\.1 MB submitted/);
      expect(run.stderr).toMatch(/5\/5 documents done, 0 failed \(completed\)/);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout.toString())).toMatchObject({ documents: 5, stored: 5, alreadyStored: 0, failed: [] });
      const text = await atlas(['enqueue', dir, '--redis', redis.url, '--wait']);
      expect(text.stdout.toString()).toMatch(/^batch [0-9a-f]{64}: 5 documents, 0\.1 MB: 5 stored, 0 already stored, 0 failed\n$/);
      const missing = await atlas(['enqueue', join(dir, 'nope'), '--redis', redis.url]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^atlas enqueue: INVALID: cannot read .*nope: ENOENT\n$/);
      const usage = await atlas(['enqueue', dir]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/--redis URL is required/);
      const failed = await atlas(['enqueue', '--failed', '--json', '--redis', redis.url]);
      expect(failed.code).toBe(0);
      expect(JSON.parse(failed.stdout.toString())).toEqual([]);
    } finally {
      await worker.close(1000);
    }
  });

  it('a worker on an embedded store directory: `atlas get --store DIR` reads what it stored, byte-exact', async () => {
    const storeDir = tempDir('worker-store');
    dirs.push(storeDir);
    const prefix = 'lmdb';
    const queue = await IngestQueue.open(redis.url, { prefix });
    const worker = await IngestWorker.start({ redis: redis.url, store: storeDir, prefix, threads: 1 });
    const doc = seededBytes(40_000, 21);
    const wise = new TextEncoder().encode('In summary: small batches keep latency low.\n'.repeat(50));
    try {
      const summary = await queue.wait((await queue.submit([doc])).batch);
      expect(summary).toMatchObject({ stored: 1, failed: [] });
      // The producer's layer policy travels in the job: an explicit layer overrides what the content would route to.
      await expect(queue.submit([wise], { layer: 'attic' })).rejects.toThrow(/INVALID|layer/);
      expect(await queue.wait((await queue.submit([wise], { layer: 'preference' })).batch)).toMatchObject({ stored: 1, failed: [] });
    } finally {
      await worker.close(1000);
      await queue.close();
    }
    const got = await atlas(['get', documentId(doc), '--store', storeDir]);
    expect(got.stderr).toBe('');
    expect(got.stdout.equals(Buffer.from(doc))).toBe(true);
    const engine = await Engine.open({ store: storeDir, threads: 1 });
    try {
      expect((await engine.describe(documentId(wise)))?.layer).toBe('preference');
    } finally {
      await engine.close();
    }
    const badLayer = await atlas(['enqueue', storeDir, '--layer', 'attic', '--redis', redis.url]);
    expect(badLayer.code).toBe(2);
    expect(badLayer.stderr).toMatch(/--layer: /);
  });

  it('the worker applies its capacity policy: under reject a document beyond a small layer fails with the reason', async () => {
    const storeDir = tempDir('worker-capacity');
    dirs.push(storeDir);
    await HoloStore.openHolo(storeDir, { totalFloats: 1 << 13, headroom: 8 }).close(); // small fields
    const prefix = 'capacity';
    const queue = await IngestQueue.open(redis.url, { prefix });
    const worker = await IngestWorker.start({ redis: redis.url, store: storeDir, prefix, threads: 1, capacityPolicy: 'reject' });
    try {
      const summary = await queue.wait((await queue.submit([seededBytes(60 * 12_287, 23)], { layer: 'identity' })).batch);
      expect(summary).toMatchObject({ documents: 1, stored: 0 });
      expect(summary.failed[0]?.reason).toMatch(/capacity of layer identity exceeded: .*policy is reject/);
    } finally {
      await worker.close(1000);
      await queue.close();
    }
  });

  it('a document the policy sends to the Vault is sealed by the worker, and neither its plaintext nor its SHA-256 reaches Redis', async () => {
    const storeDir = tempDir('worker-vault');
    const inDir = tempDir('worker-vault-in');
    dirs.push(storeDir, inDir);
    const prefix = 'vault';
    const marker = 'a4c9f1e07b3d52a8';
    const secret = new TextEncoder().encode(`-----BEGIN OPENSSH PRIVATE KEY-----\n${marker.repeat(40)}\n-----END OPENSSH PRIVATE KEY-----\n`);
    const secretFile = new TextEncoder().encode(`-----BEGIN RSA PRIVATE KEY-----\n${marker.repeat(41)}\n-----END RSA PRIVATE KEY-----\n`);
    writeFileSync(join(inDir, 'id_rsa'), secretFile);
    const plain = seededBytes(30_000, 22);

    // A producer without the Vault key refuses, before anything reaches Redis.
    delete process.env.ATLAS_VAULT_KEY;
    const keyless = await IngestQueue.open(redis.url, { prefix });
    await expect(keyless.submit([plain, secret])).rejects.toThrow(/routes to the Vault, which needs the Vault key/);
    await keyless.close();

    process.env.ATLAS_VAULT_KEY = 'c4'.repeat(32);
    const queue = await IngestQueue.open(redis.url, { prefix });
    const worker = await IngestWorker.start({ redis: redis.url, store: storeDir, prefix, threads: 1 });
    try {
      const submitted = await queue.submit([secret, plain, inDir]);
      const summary = await queue.wait(submitted.batch);
      expect(summary).toMatchObject({ documents: 3, stored: 3, alreadyStored: 0, failed: [] });
      // Sealing again finds the keyed ids: a resubmission stores nothing (the same batch dedupes in BullMQ; a new one
      // with the same documents reaches the worker, which finds them stored).
      const again = await queue.wait((await queue.submit([secret, inDir])).batch);
      expect(again).toMatchObject({ documents: 2, stored: 0, alreadyStored: 2, failed: [] });
    } finally {
      await worker.close(1000);
      await queue.close();
      delete process.env.ATLAS_VAULT_KEY;
    }
    const files = readdirSync(storeDir, { recursive: true, encoding: 'utf8' }).map((f) => join(storeDir, f)).filter((f) => statSync(f).isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(f).includes(marker)).toBe(false);
    // Everything Redis was ever sent is in its append-only file: jobs, staged bytes (deleted since), results.
    const aof = readdirSync(redis.dir, { recursive: true, encoding: 'utf8' }).map((f) => join(redis.dir, f)).filter((f) => statSync(f).isFile());
    expect(aof.some((f) => readFileSync(f).includes(documentId(plain)))).toBe(true); // the check can see ids at all
    for (const f of aof) {
      const bytes = readFileSync(f);
      expect(bytes.includes(marker)).toBe(false);
      for (const s of [secret, secretFile]) expect(bytes.includes(documentId(s))).toBe(false);
    }
    const got = await atlas(['get', documentId(plain), '--store', storeDir]);
    expect(got.stdout.equals(Buffer.from(plain))).toBe(true);
  });
});
