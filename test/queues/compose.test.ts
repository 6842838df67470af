// docker-compose.yml without Docker (no engine runs on this machine, docs/scaling.md): its Redis flags go to the real
// redis-server, its worker and enqueue command lines run as written, with the service URL pointed at that server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { atlas } from '../fixtures/engine/cli.js';
import { seededBytes, tempDir } from '../fixtures/engine/data.js';
import { PrivateRedis } from '../fixtures/queues/redis-server.js';
import { spawnWorker } from '../fixtures/queues/workers.js';

interface Service {
  image: string;
  command?: string[];
  entrypoint?: string[];
  container_name?: string;
  ports?: unknown;
  stop_grace_period?: string;
}
const compose = parse(readFileSync(join(PACKAGE_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const { redis: redisService, worker, enqueue } = compose.services;
const SERVICE_URL = 'redis://redis:6379';

let redis: PrivateRedis;
let dir: string;
beforeAll(async () => {
  expect(redisService!.command![0]).toBe('redis-server');
  redis = await PrivateRedis.start(redisService!.command!.slice(1));
  dir = tempDir('compose');
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A service's `node bin/atlas.js ...` arguments after the script, aimed at the private server. */
function atlasArgs(line: string[]): string[] {
  expect(line.slice(0, 2)).toEqual(['node', 'bin/atlas.js']);
  return line.slice(2).map((arg) => (arg === SERVICE_URL ? redis.url : arg));
}

describe('docker-compose.yml', () => {
  it('runs Redis with AOF, fsync always and noeviction, the settings the queue and the shared store rely on', async () => {
    const client = new Redis(redis.url);
    try {
      const get = async (key: string): Promise<string | undefined> => ((await client.config('GET', key)) as string[])[1];
      expect(await get('appendonly')).toBe('yes');
      expect(await get('appendfsync')).toBe('always');
      expect(await get('maxmemory-policy')).toBe('noeviction');
      expect(await get('save')).toBe('');
    } finally {
      client.disconnect();
    }
  });

  it('its worker and enqueue commands ingest a batch through that Redis, and the worker stops cleanly in its grace period', async () => {
    // `--scale worker=4` needs a service without a fixed container name or host ports.
    expect(worker!.container_name).toBeUndefined();
    expect(worker!.ports).toBeUndefined();
    const args = atlasArgs(worker!.command!);
    expect(args[0]).toBe('worker');
    const graceMs = Number(args[args.indexOf('--grace-ms') + 1]);
    expect(Number.parseInt(worker!.stop_grace_period!, 10) * 1000).toBeGreaterThan(graceMs);
    const w = spawnWorker(args.slice(1));
    try {
      await w.ready;
      for (let i = 0; i < 6; i++) writeFileSync(join(dir, `doc${i}`), seededBytes(30_000 + i, 40 + i));
      const run = await atlas([...atlasArgs(enqueue!.entrypoint!), dir, '--wait', '--json']);
      expect(run.stderr).toMatch(/6\/6 documents done, 0 failed \(completed\)/);
      expect(JSON.parse(run.stdout.toString())).toMatchObject({ documents: 6, stored: 6, failed: [] });
    } finally {
      w.child.kill('SIGTERM');
    }
    expect(await w.exited).toBe(0);
  }, 60_000);
});
