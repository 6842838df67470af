// The worker's shared ingest run: each job's document comes back as its own result, Vault documents are sealed,
// and an abort or a failure of the shared run fails only the document it belongs to.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { ErrorCode } from '../../src/errors.js';
import { documentId } from '../../src/framing/index.js';
import { DocumentFeed } from '../../queues/document-feed.js';
import { seededBytes, tempDir } from '../fixtures/engine/data.js';

const VAULT_KEY_HEX = 'b2'.repeat(32);
const SECRET = new TextEncoder().encode(`-----BEGIN RSA PRIVATE KEY-----\n${Buffer.from(seededBytes(900, 9)).toString('base64')}\n-----END RSA PRIVATE KEY-----\n`);

let dir: string;
let engine: Engine;
beforeAll(async () => {
  process.env.ATLAS_VAULT_KEY = VAULT_KEY_HEX;
  dir = tempDir('feed');
  engine = await Engine.open({ store: join(dir, 'store'), threads: 2, holo: { totalFloats: 1 << 21, headroom: 8 } });
});
afterAll(async () => {
  await engine?.close();
  delete process.env.ATLAS_VAULT_KEY;
  rmSync(dir, { recursive: true, force: true });
});

describe('DocumentFeed', () => {
  it('gives every concurrent document its own result, files, buffers and the Vault mixed, all stored byte-exact', async () => {
    const feed = new DocumentFeed(engine);
    const buffers = Array.from({ length: 24 }, (_, i) => seededBytes(1 + i * 3001, 100 + i));
    const files = Array.from({ length: 8 }, (_, i) => {
      const path = join(dir, `f${i}`);
      writeFileSync(path, seededBytes(20_000 + i * 12_287, 200 + i));
      return path;
    });
    const [results, paths, vault] = await Promise.all([
      Promise.all(buffers.map((b) => feed.ingest(b))),
      Promise.all(files.map((f) => feed.ingest(f))),
      feed.ingest(SECRET),
    ]);
    expect(results.map((r) => r.id)).toEqual(buffers.map((b) => documentId(b)));
    expect(paths.map((r) => r.path)).toEqual(files);
    expect(vault.layer).toBe('vault');
    expect(vault.id).not.toBe(documentId(SECRET)); // the Vault id reveals nothing of the content
    expect(paths.map((r) => r.id)).toEqual(files.map((f) => documentId(readFileSync(f))));
    for (const b of buffers) expect(Buffer.from(await engine.get(documentId(b))).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(await engine.get(vault.id)).equals(Buffer.from(SECRET))).toBe(true);
    await feed.close();
  }, 60_000);

  it('an abort fails its own document only: in the shared run, waiting in the feed, or before it is submitted', async () => {
    const feed = new DocumentFeed(engine);
    const big = seededBytes(16 << 20, 300); // more than the run's batch buffers hold: the next document waits in the feed
    const small = Array.from({ length: 6 }, (_, i) => seededBytes(5_000 + i, 310 + i));
    const inRun = new AbortController();
    const waiting = new AbortController();
    // The small ones go first, so they share the run with the big one when it is aborted.
    const others = Promise.all(small.map((b) => feed.ingest(b)));
    const bigOutcome = expect(feed.ingest(big, inRun.signal)).rejects.toThrow('cancelled by the test');
    await vi.waitFor(() => expect(feed.load.running).toBe(small.length + 1), { interval: 1, timeout: 10_000 });
    const lateOutcome = expect(feed.ingest(seededBytes(7_000, 320), waiting.signal)).rejects.toThrow('not wanted');
    await vi.waitFor(() => expect(feed.load.queued).toBe(1), { interval: 1, timeout: 10_000 });
    waiting.abort(new Error('not wanted'));
    inRun.abort(new Error('cancelled by the test'));
    await Promise.all([bigOutcome, lateOutcome]);
    expect((await others).map((r) => r.id)).toEqual(small.map((b) => documentId(b)));
    await expect(engine.has(documentId(big))).resolves.toBe(false);
    await expect(feed.ingest(seededBytes(10, 1), AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
    // The feed goes on after an aborted run.
    const after = seededBytes(9_999, 330);
    expect((await feed.ingest(after)).id).toBe(documentId(after));
    await feed.close();
    await expect(feed.ingest(after)).rejects.toMatchObject({ code: ErrorCode.STATE });
  }, 60_000);
});
