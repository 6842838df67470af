import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { ErrorCode } from '../../src/errors.js';
import { LAYER_STATS_KEYS } from '../../src/holo/telemetry.js';
import { atlas } from '../fixtures/engine/cli.js';
import { seededBytes } from '../fixtures/engine/data.js';
import { cleanDirs, newDir, VAULT_KEY_HEX } from './holo-helpers.js';

afterEach(() => {
  cleanDirs();
  delete process.env.ATLAS_VAULT_KEY;
});

const utf8 = (text: string) => new TextEncoder().encode(text);
const HOLO = { totalFloats: 1 << 16, headroom: 8 };

/** Every regular file under dir, concatenated with its name (what a grep of the store directory sees). */
function everyFile(dir: string): Buffer[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path));
}

/** The needles a leak would show: windows of the plaintext, its SHA-256 raw and in hex. */
function needles(plaintext: Uint8Array): Buffer[] {
  const digest = createHash('sha256').update(plaintext).digest();
  const windows = [0, Math.floor(plaintext.length / 2), plaintext.length - 24].map((at) => Buffer.from(plaintext.subarray(at, at + 24)));
  return [...windows, digest, Buffer.from(digest.toString('hex')), Buffer.from(digest.toString('base64'))];
}

const SECRET_KEY_FILE = utf8(
  `-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from(seededBytes(1500, 77)).toString('base64').match(/.{1,70}/g)!.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
);

const SAMPLES: Record<string, { layer: string; bytes: Uint8Array }> = {
  'notes/guide.md': { layer: 'knowledge', bytes: utf8('# Field guide\n\nHolographic memories store many pairs in one vector. Recall unbinds with the key and cleans up the result.\n\nThe capacity grows with the dimension.\n') },
  'logs/app.log': { layer: 'experience', bytes: utf8(Array.from({ length: 40 }, (_, i) => `2025-03-01T08:${String(i).padStart(2, '0')}:00Z INFO request ${i} served in ${i * 3} ms`).join('\n')) },
  'data/sales.csv': { layer: 'experience', bytes: utf8(`sku,qty,price\n${Array.from({ length: 30 }, (_, i) => `A${i},${i + 1},${(i * 1.7).toFixed(2)}`).join('\n')}\n`) },
  'config/settings.json': { layer: 'preference', bytes: utf8(JSON.stringify({ theme: 'dark', fontSize: 14, autosave: true, plugins: ['git', 'lint'] }, null, 2)) },
  'people/users.csv': { layer: 'identity', bytes: utf8(`user_id,email\n${Array.from({ length: 20 }, (_, i) => `u${i},user${i}@example.org`).join('\n')}\n`) },
  'travel/track.csv': { layer: 'context', bytes: utf8(`timestamp,lat,lon\n${Array.from({ length: 20 }, (_, i) => `2025-03-01T08:${String(i).padStart(2, '0')}:00Z,52.${i}1,13.${i}4`).join('\n')}\n`) },
  'notes/retro.md': { layer: 'wisdom', bytes: utf8('# Lessons learned\n\nTL;DR: measure before optimising. The key insight was that the field is an index, not a payload store.\n') },
  'keys/id_ed25519': { layer: 'vault', bytes: SECRET_KEY_FILE },
  'blobs/random.bin': { layer: 'knowledge', bytes: seededBytes(30_000, 5) }, // high entropy is not a secret
};

describe('Engine with the holographic store', () => {
  it('routes each content type to its layer through ingest, and an explicit --layer overrides', async () => {
    process.env.ATLAS_VAULT_KEY = VAULT_KEY_HEX;
    const dir = newDir();
    const input = join(dir, 'in');
    for (const [name, { bytes }] of Object.entries(SAMPLES)) {
      mkdirSync(join(input, name, '..'), { recursive: true });
      writeFileSync(join(input, name), bytes);
    }
    const engine = await Engine.open({ store: join(dir, 'store'), threads: 2, holo: HOLO });
    try {
      const results = [];
      for await (const r of engine.ingest(input, { details: false })) results.push(r);
      const got = Object.fromEntries(results.map((r) => [r.path!.slice(input.length + 1), r.layer]));
      expect(got).toEqual(Object.fromEntries(Object.entries(SAMPLES).map(([name, s]) => [name, s.layer])));
      for (const r of results) expect(Buffer.from(await engine.get(r.id)).equals(Buffer.from(SAMPLES[r.path!.slice(input.length + 1)]!.bytes))).toBe(true);
      await engine.bound();
      const { layers, summary } = await engine.getLayerStats(); // not settled: bound() already waited for binding
      expect(summary.pending_binds).toBe(0);
      const counts = Object.fromEntries(layers.map((l) => [l.name, l.bytes]));
      expect(counts.experience).toBe(SAMPLES['logs/app.log']!.bytes.length + SAMPLES['data/sales.csv']!.bytes.length);
      expect(counts.vault).toBe(SECRET_KEY_FILE.length);

      const forced = await engine.storeWithLayerRouting(utf8('# A plain note\n\nNothing special here.\n'), 'wisdom');
      expect(forced.layer).toBe('wisdom');
      expect((await engine.retrieveFromLayer(forced.id, 'wisdom')).layer).toBe('wisdom');
      const byNumber = await engine.storeWithLayerRouting(utf8('another note'), 2);
      expect(byNumber.layer).toBe('experience');
      await expect(engine.storeWithLayerRouting(utf8('x'), 'nowhere')).rejects.toMatchObject({ code: ErrorCode.INVALID });
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('yields results in input order, sealed Vault documents included', async () => {
    process.env.ATLAS_VAULT_KEY = VAULT_KEY_HEX;
    const engine = await Engine.open({ store: join(newDir(), 'store'), threads: 2, holo: HOLO });
    try {
      const notes = [0, 1, 2].map((i) => utf8(`# Note ${i}\n\nPlain prose about fields, number ${i}.\n`));
      const secondSecret = utf8(`password=${'x'.repeat(12)}\napi_token=${Buffer.from(seededBytes(24, 78)).toString('hex')}\n`);
      const input = [SECRET_KEY_FILE, notes[0]!, notes[1]!, secondSecret, notes[2]!];
      const results = [];
      for await (const r of engine.ingest(input, { details: false })) results.push(r);
      expect(results.map((r) => r.layer)).toEqual(['vault', 'knowledge', 'knowledge', 'vault', 'knowledge']);
      expect(results.map((r) => r.length)).toEqual(input.map((b) => b.length));
      for (const [i, r] of results.entries()) expect(Buffer.from(await engine.get(r.id)).equals(Buffer.from(input[i]!))).toBe(true);
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('never stores the Vault plaintext or its SHA-256, in the store, CLI output or telemetry; no key fails closed', async () => {
    const dir = newDir();
    const store = join(dir, 'store');
    const input = join(dir, 'in');
    mkdirSync(input);
    // Three structures' worth of secret configuration.
    const big = utf8(`DB_PASSWORD=Zq8!rT42vLx-very-secret\nBLOB=${Buffer.from(seededBytes(29_000, 8)).toString('base64')}\n`);
    writeFileSync(join(input, 'id_ed25519'), SECRET_KEY_FILE);
    writeFileSync(join(input, 'creds.env'), big);

    // Without a key the Vault store fails closed and nothing is written for it.
    const refused = await atlas(['ingest', input, '--store', store]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/STATE: no vault key/);

    process.env.ATLAS_VAULT_KEY = VAULT_KEY_HEX;
    const ingest = await atlas(['ingest', input, '--json', '--store', store]);
    expect(ingest.code).toBe(0);
    const lines = ingest.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { id: string; layer: string });
    expect(lines.map((l) => l.layer)).toEqual(['vault', 'vault']);
    for (const l of lines) expect(l.id).toMatch(/^[0-9a-f]{32}$/);
    // Sealing the same document again finds its keyed id: nothing new is stored.
    const forced = await atlas(['ingest', join(input, 'creds.env'), '--layer', 'vault', '--json', '--store', store]);
    expect(forced.code).toBe(0);
    const again = JSON.parse(forced.stdout.toString()) as { id: string };
    expect(again.id).toBe(lines.find((l) => (l as { path?: string }).path?.endsWith('creds.env'))!.id);
    const stats = await atlas(['stats', '--json', '--store', store]);
    expect(stats.code).toBe(0);
    const report = JSON.parse(stats.stdout.toString()) as { layers: Record<string, unknown>[]; holo: { vault_documents: number } };
    expect(report.holo.vault_documents).toBe(2);
    for (const entry of report.layers) expect(Object.keys(entry)).toEqual([...LAYER_STATS_KEYS]);
    const get = await atlas(['get', lines[0]!.id, '--store', store]);
    expect(get.code).toBe(0);
    const back = [SECRET_KEY_FILE, big].find((p) => Buffer.from(p).equals(get.stdout));
    expect(back).toBeDefined();

    const haystacks = [...everyFile(store), ingest.stdout, Buffer.from(ingest.stderr), forced.stdout, Buffer.from(forced.stderr), stats.stdout, Buffer.from(stats.stderr)];
    for (const plaintext of [SECRET_KEY_FILE, big]) {
      for (const needle of needles(plaintext)) for (const hay of haystacks) expect(hay.indexOf(needle)).toBe(-1);
    }

    // Control: the same grep does find an ordinary document's bytes in the store.
    const plainDir = join(dir, 'plain');
    mkdirSync(plainDir);
    const plain = seededBytes(5000, 99);
    writeFileSync(join(plainDir, 'p.bin'), plain);
    expect((await atlas(['ingest', plainDir, '--store', store])).code).toBe(0);
    expect(everyFile(store).some((hay) => hay.indexOf(needles(plain)[1]!) >= 0)).toBe(true);

    // A wrong key fails closed.
    process.env.ATLAS_VAULT_KEY = 'c3'.repeat(32);
    const wrong = await atlas(['get', lines[0]!.id, '--store', store]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout.length).toBe(0);
    expect(wrong.stderr).toMatch(/WITNESS/);
  }, 60_000);

  it('keeps documents with equal file names in different folders apart', async () => {
    const dir = newDir();
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'a', 'same.txt'), 'first document\n');
    writeFileSync(join(dir, 'b', 'same.txt'), 'second document\n');
    const engine = await Engine.open({ store: join(dir, 'store'), threads: 2, holo: HOLO });
    try {
      const results = [];
      for await (const r of engine.ingest([join(dir, 'a'), join(dir, 'b')], { details: false })) results.push(r);
      expect(new Set(results.map((r) => r.id)).size).toBe(2);
      for (const r of results) expect(Buffer.from((await engine.retrieveFromLayer(r.id)).bytes).toString()).toBe(readFileSync(r.path!, 'utf8'));
      const rejected = await atlas(['ingest', join(dir, 'a'), '--layer', 'bogus', '--store', join(dir, 'store2')]);
      expect(rejected.code).not.toBe(0);
      expect(rejected.stderr).toMatch(/--layer: .*unknown layer/);
    } finally {
      await engine.close();
    }
  }, 60_000);
});
