import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/package-root.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'atlas.js');
const dir = mkdtempSync(join(tmpdir(), 'atlas-serve-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('atlas serve', () => {
  it('refuses a non-loopback bind without ATLAS_TOKEN', () => {
    const env = { ...process.env };
    delete env.ATLAS_TOKEN;
    const run = spawnSync(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--store', join(dir, 's1')], { env, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/ATLAS_TOKEN/);
  });

  it('listens, answers /api/stats and /api/queue, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--store', join(dir, 's2'), '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const stats = (await (await fetch(`${address}/api/stats`)).json()) as { documents: number; layers: unknown[] };
      expect(stats.documents).toBe(0);
      expect(stats.layers.length).toBeGreaterThan(0);
      expect(await (await fetch(`${address}/api/queue`)).json()).toEqual({ configured: false, message: 'no queue configured' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);
});
