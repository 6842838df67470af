// Fault tests against a private redis-server: workers killed with SIGKILL mid-batch, Redis killed and restarted
// mid-batch, malformed jobs. Workers are real `atlas worker` processes writing the shared Redis store.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/store/redis-store.js';
import { IngestQueue } from '../../queues/ingest-queue.js';
import { seededBytes, tempDir } from '../fixtures/engine/data.js';
import { PrivateRedis } from '../fixtures/queues/redis-server.js';
import { killHard, sleep, spawnWorker, until, type WorkerProcess } from '../fixtures/queues/workers.js';

let redis: PrivateRedis;
const dirs: string[] = [];
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await PrivateRedis.start();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map(killHard));
  const admin = new Redis(redis.url);
  await admin.flushall();
  admin.disconnect();
});
afterAll(async () => {
  await redis?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function newDir(prefix: string): string {
  const dir = tempDir(prefix);
  dirs.push(dir);
  return dir;
}

/** Runs `test` with a producer queue that is closed afterwards. */
async function withQueue(test: (queue: IngestQueue) => Promise<void>): Promise<void> {
  const queue = await IngestQueue.open(redis.url);
  try {
    await test(queue);
  } finally {
    await queue.close();
  }
}

/** n documents of varied sizes (some several structures long) in a new folder. */
function corpus(n: number, seed: number, maxBytes: number): string {
  const dir = newDir('faults');
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    writeFileSync(join(dir, `doc${String(i).padStart(3, '0')}`), seededBytes(1 + (x % maxBytes), seed * 1000 + i));
  }
  return dir;
}

function start(extra: string[] = []): WorkerProcess {
  const w = spawnWorker(['--redis', redis.url, '--store', redis.url, '--threads', '1', '--lock-ms', '1000', ...extra]);
  workers.push(w);
  return w;
}

/** Every file of `dir` is in the store byte-exact, each document once, and nothing else is. */
async function expectStoredExactlyOnce(dir: string): Promise<void> {
  const store = await RedisStore.open(redis.url);
  try {
    const files = readdirSync(dir);
    const ids = new Set<string>();
    for (const name of files) {
      const bytes = readFileSync(join(dir, name));
      const id = createHash('sha256').update(bytes).digest('hex');
      ids.add(id);
      expect(Buffer.from(await store.getDocument(id)).equals(bytes), name).toBe(true);
    }
    const stats = await store.stats();
    // The counter is bumped only by the write that created a manifest, so a second store of a document would show here.
    expect(stats.documents).toBe(ids.size);
    const reports = await store.verify();
    expect(reports.length).toBe(ids.size);
    expect(reports.every((r) => r.ok)).toBe(true);
  } finally {
    await store.close();
  }
}

describe('fault tolerance', () => {
  it('kill -9 of one of two workers at random points, 5+ times in a 200-document batch: all stored once, byte-exact', async () => {
    const dir = corpus(200, 7, 300_000);
    await withQueue(async (queue) => {
      // 8 documents in flight per worker: both share the batch and it lasts through the kills (at the default 256 one
      // worker could take it all and finish it while the other restarts, leaving too few kill points).
      const pool = [start(['--concurrency', '8']), start(['--concurrency', '8'])];
      await Promise.all(pool.map((w) => w.ready));
      const submitted = await queue.submit([dir]);
      expect(submitted.documents).toBe(200);
      let done = false;
      const summary = queue.wait(submitted.batch, { intervalMs: 50 }).finally(() => (done = true));
      let seed = 12345;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      // Kill points spread over the batch by progress, each at a random moment of some job's life.
      const killAt = Array.from({ length: 6 }, (_, k) => 10 + k * 28 + Math.floor(random() * 12));
      const killedAt: number[] = [];
      while (!done && killedAt.length < killAt.length) {
        const progress = await queue.progress(submitted.batch);
        if (progress.done < killAt[killedAt.length]!) {
          await sleep(20);
          continue;
        }
        await sleep(random() * 100);
        // A random one of the workers that are consuming (a replacement may still be starting).
        const running = [0, 1].filter((i) => pool[i]!.stderr().includes('ready'));
        const i = running[Math.floor(random() * running.length)] ?? 0;
        await killHard(pool[i]!);
        killedAt.push(progress.done);
        pool[i] = start(['--concurrency', '8']);
      }
      const result = await summary;
      expect(killedAt.length).toBeGreaterThanOrEqual(5);
      expect(killedAt.every((n) => n < 200)).toBe(true);
      expect(result.failed).toEqual([]);
      expect(result.stored + result.alreadyStored).toBe(200);
      await expectStoredExactlyOnce(dir);
    });
  }, 120_000);

  it('Redis killed and restarted (AOF) during a batch: nothing acknowledged is lost, the worker consumes again', async () => {
    const dir = corpus(100, 11, 200_000);
    await withQueue(async (queue) => {
      const worker = start(['--concurrency', '4']); // few at a time, so the batch is surely still running at the kill
      await worker.ready;
      const submitted = await queue.submit([dir]);
      await until(async () => (await queue.progress(submitted.batch)).done >= 20, 30_000, '20 documents done');
      // Acknowledged: jobs Redis has answered as completed, and the documents they stored.
      const acknowledged = await queue.ingestQueue.getCompleted(0, -1);
      expect(acknowledged.length).toBeGreaterThanOrEqual(20);
      expect(acknowledged.length).toBeLessThan(100);
      await redis.kill();
      await sleep(500);
      await redis.start();
      const result = await queue.wait(submitted.batch, { intervalMs: 100 });
      expect(worker.child.exitCode).toBeNull(); // the same process reconnected and went on
      expect(result.failed).toEqual([]);
      expect(result.stored + result.alreadyStored).toBe(100);
      for (const job of acknowledged) expect(await queue.ingestQueue.getJobState(job.id!)).toBe('completed');
      const store = await RedisStore.open(redis.url);
      for (const job of acknowledged) expect(await store.has(job.returnvalue.id)).toBe(true);
      await store.close();
      await expectStoredExactlyOnce(dir);
    });
  }, 90_000);

  it('malformed jobs fail for good with a clear reason, and the worker keeps running and stops cleanly on SIGTERM', async () => {
    const dir = newDir('malformed');
    const big = seededBytes(200_000, 1);
    const good = seededBytes(5_000, 2);
    writeFileSync(join(dir, 'big'), big);
    writeFileSync(join(dir, 'good'), good);
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    await withQueue(async (queue) => {
      const worker = start(['--max-bytes', '100000']);
      await worker.ready;
      const q = queue.ingestQueue;
      const cases: Array<[string, unknown, RegExp]> = [
        ['bad-data', { kind: 'path', path: join(dir, 'good'), id: 'not-a-hash', length: 1 }, /INVALID: job data has no valid document id/],
        ['bad-kind', { hello: 'world' }, /INVALID: job data has no valid document id/],
        ['missing-file', { kind: 'path', path: join(dir, 'nope'), id: sha(good), length: 5000 }, /INVALID: cannot read .*nope: ENOENT/],
        ['oversized', { kind: 'path', path: join(dir, 'big'), id: sha(big), length: 200_000 }, /INVALID: document of 200000 bytes exceeds this worker's limit of 100000/],
        ['changed', { kind: 'path', path: join(dir, 'good'), id: sha(big), length: 5000 }, /INVALID: document changed since it was enqueued/],
        ['missing-stage', { kind: 'staged', key: 'bull-atlas:stage:gone', id: sha(big), length: 10 }, /INVALID: staged bytes .* are gone/],
      ];
      for (const [name, data, _] of cases) await q.add('document', data as never, { jobId: `t-${name}`, attempts: 3, backoff: { type: 'fixed', delay: 100 } });
      await q.add('document', { kind: 'path', path: join(dir, 'good'), id: sha(good), length: good.length }, { jobId: 't-good' });
      await until(async () => (await q.getJobState('t-good')) === 'completed', 30_000, 'the good job');
      for (const [name, , reason] of cases) {
        await until(async () => (await q.getJobState(`t-${name}`)) === 'failed', 10_000, `job ${name} to fail`);
        const job = (await q.getJob(`t-${name}`))!;
        expect(job.failedReason, name).toMatch(reason);
        expect(job.attemptsMade, `${name} is not retried`).toBe(1);
      }
      const failedView = await queue.failed();
      expect(failedView.map((f) => f.job).sort()).toEqual(cases.map(([name]) => `t-${name}`).sort());
      expect(worker.child.exitCode).toBeNull();
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(worker.stderr()).toMatch(/SIGTERM: finishing active jobs[\s\S]*stopped/);
    });
  }, 60_000);

  it('SIGTERM during a long job: the job is aborted in the pool at the deadline, handed back, and finished by another worker', async () => {
    const dir = newDir('shutdown');
    const big = seededBytes(48_000_000, 9);
    writeFileSync(join(dir, 'big'), big);
    await withQueue(async (queue) => {
      const first = start(['--grace-ms', '0', '--concurrency', '1']);
      await first.ready;
      const { batch } = await queue.submit([dir]);
      const q = queue.ingestQueue;
      await until(async () => (await q.getActiveCount()) === 1, 10_000, 'the job to start');
      await sleep(200);
      const t0 = Date.now();
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      const stopMs = Date.now() - t0;
      expect(first.stderr()).toMatch(/SIGTERM: finishing active jobs \(at most 0 ms\)[\s\S]*stopped/);
      const [job] = await q.getJobs(['active', 'waiting', 'delayed', 'failed', 'completed']);
      expect(await job!.getState()).not.toBe('completed');
      expect(job!.failedReason).toBe('aborted: worker shutting down'); // retried: attempts remain
      // Aborted in the pool: the worker did not run the ~2 s of CPU work to its end before exiting.
      expect(stopMs).toBeLessThan(1500);
      const second = start();
      await second.ready;
      const summary = await queue.wait(batch, { intervalMs: 50 });
      expect(summary).toMatchObject({ stored: 1, failed: [] });
      await expectStoredExactlyOnce(dir);
    });
  }, 60_000);
});
