import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { frameDocument, PAYLOAD_SIZE } from '../../src/framing/index.js';
import { STRUCTURE_SIZE } from '../../src/l3/phi.js';
import { seededBytes, suiteTempDir } from '../fixtures/engine/data.js';
import { atlas, jsonLines, startAtlas, type JsonLine } from '../fixtures/engine/cli.js';

const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** One clear line on stderr, no stack trace. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/^\s+at /m);
}

const dir = suiteTempDir('cli');

describe('atlas CLI', () => {
  it('ingests a folder recursively (--json) and gets every document back byte-exact, to stdout and with -o', async () => {
    const input = join(dir, 'rt');
    mkdirSync(join(input, 'nested'), { recursive: true });
    const sizes = [0, 1, PAYLOAD_SIZE, PAYLOAD_SIZE + 1, PAYLOAD_SIZE + 2, 4_000_000];
    const files = sizes.map((n, i) => {
      const path = join(input, i % 2 ? 'nested' : '', `f${i}.bin`);
      writeFileSync(path, seededBytes(n, 50 + i));
      return path;
    });
    const store = join(dir, 'rt-store');
    const ingest = await atlas(['ingest', input, '--json', '--store', store, '--threads', '2']);
    expect(ingest.stderr).toBe('');
    expect(ingest.code).toBe(0);
    const lines = jsonLines(ingest.stdout);
    expect(new Set(lines.map((l) => l.path))).toEqual(new Set(files));
    for (const line of lines) {
      const bytes = readFileSync(line.path);
      expect(line).toEqual({ path: line.path, id: hex(bytes), bytes: bytes.length, structures: Math.ceil(bytes.length / PAYLOAD_SIZE), layer: 'knowledge' }); // seeded random bytes route to knowledge
      const out = await atlas(['get', line.id, '--store', store]);
      expect(out.code).toBe(0);
      expect(out.stdout.equals(bytes)).toBe(true);
    }
    const big = lines.find((l) => l.bytes === 4_000_000)!;
    const target = join(dir, 'big.out');
    expect((await atlas(['get', big.id, '-o', target, '--store', store])).code).toBe(0);
    expect(readFileSync(target).equals(readFileSync(big.path))).toBe(true);

    const verify = await atlas(['verify', '--store', store]);
    expect(verify.code).toBe(0);
    expect(verify.stdout.toString().match(/^ok /gm)).toHaveLength(files.length);
    const stats = await atlas(['stats', '--json', '--store', store]);
    expect(JSON.parse(stats.stdout.toString())).toMatchObject({ documents: files.length, documentBytes: sizes.reduce((a, b) => a + b, 0) });

    // $ATLAS_STORE is the default store; a second ingest stores nothing new.
    process.env.ATLAS_STORE = store;
    try {
      const again = await atlas(['ingest', files[1]!]);
      expect(again.code).toBe(0);
      expect(again.stdout.toString()).toContain('(already stored)');
    } finally {
      delete process.env.ATLAS_STORE;
    }
  });

  it('gives one clear stderr line and a non-zero exit for bad input, and detects a corrupt store', async () => {
    const store = join(dir, 'err-store');
    const doc = seededBytes(5000, 77);
    const file = join(dir, 'err.bin');
    writeFileSync(file, doc);
    expect((await atlas(['ingest', file, '--store', store])).code).toBe(0);

    const cases: Array<[string[], RegExp, number]> = [
      [['ingest', join(dir, 'missing'), '--store', store], /^atlas ingest: INVALID: cannot read .*missing: ENOENT$/, 1],
      [['ingest', '--store', store], /^atlas ingest: missing argument/, 2],
      [['ingest', file, '--threads', 'many', '--store', store], /^atlas ingest: --threads must be/, 2],
      [['get', '--bogus', '--store', store], /^atlas get: Unknown option '--bogus'/, 2],
      [['get', 'xyz', '--store', store], /^atlas get: INVALID: 'xyz' is not a document id/, 1],
      [['get', 'a'.repeat(64), '--store', store], /^atlas get: INVALID: no document a{64} in the store$/, 1],
      [['stats', '--store', file], /^atlas stats: STATE: cannot open the store at /, 1],
    ];
    for (const [args, pattern, code] of cases) {
      const r = await atlas(args);
      expect(r.code, args.join(' ')).toBe(code);
      expectOneLineError(r.stderr, pattern);
    }

    // Flip one byte of the stored structure inside the LMDB file, and of its copy in its group parity block (the
    // document's only structure: its group of one has the structure itself as parity): within the RS code's
    // capacity, so get repairs it.
    const mdb = join(store, 'data.mdb');
    const bytes = readFileSync(mdb);
    const window = Buffer.from(frameDocument(doc).subarray(2000, 2064));
    const copies: number[] = [];
    for (let at = bytes.indexOf(window); at >= 0; at = bytes.indexOf(window, at + 1)) copies.push(at);
    expect(copies).toHaveLength(2);
    for (const at of copies) bytes[at]! ^= 0x01;
    writeFileSync(mdb, bytes);
    const repaired = await atlas(['get', hex(doc), '--store', store]);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout.equals(Buffer.from(doc))).toBe(true);

    // 17 bad bytes in one codeword (byte j is in codeword j mod 56) is beyond its 16: get and verify refuse, nothing is written.
    for (const at of copies) for (let k = 1; k <= 16; k++) bytes[at + 56 * k]! ^= 0x01;
    writeFileSync(mdb, bytes);
    const get = await atlas(['get', hex(doc), '--store', store]);
    expect(get.code).toBe(1);
    expect(get.stdout.length).toBe(0);
    expectOneLineError(get.stderr, /^atlas get: WITNESS: .*structure 0 is corrupt and unrecoverable/);
    const target = join(dir, 'corrupt.out');
    const getFile = await atlas(['get', hex(doc), '-o', target, '--store', store]);
    expect(getFile.code).toBe(1);
    expect(readdirSync(dir).filter((f) => f.startsWith('corrupt.out'))).toEqual([]); // no file, no partial file
    const verify = await atlas(['verify', '--store', store]);
    expect(verify.code).toBe(1);
    expect(verify.stdout.toString()).toMatch(/^FAILED  [0-9a-f]{64}: WITNESS/m);
  });

  it('after kill -9 mid-ingest, every reported document reads back exactly, no partial one is visible, and a rerun completes', async () => {
    const input = join(dir, 'kill');
    mkdirSync(input);
    const ids = new Map<string, Buffer>();
    for (let i = 0; i < 400; i++) {
      const bytes = Buffer.from(seededBytes(20_000 + ((i * 7919) % 50_000), 1000 + i));
      writeFileSync(join(input, `doc${String(i).padStart(3, '0')}.bin`), bytes);
      ids.set(hex(bytes), bytes);
    }
    const store = join(dir, 'kill-store');
    const child = startAtlas(['ingest', input, '--json', '--store', store, '--threads', '2']);
    let buffered = '';
    const reported: JsonLine[] = [];
    let exited = false;
    child.on('exit', () => (exited = true));
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (c: Buffer) => {
        buffered += c.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        for (const p of parts) reported.push(JSON.parse(p) as JsonLine);
        if (reported.length >= 5) resolve();
      });
      child.on('exit', () => resolve());
    });
    expect(exited).toBe(false); // the kill lands mid-run
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    expect(reported.length).toBeGreaterThanOrEqual(5);
    expect(reported.length).toBeLessThan(ids.size);

    for (const line of reported.slice(0, 5)) {
      const out = await atlas(['get', line.id, '--store', store]);
      expect(out.stdout.equals(ids.get(line.id)!)).toBe(true);
    }
    const verify = await atlas(['verify', '--json', '--store', store]);
    expect(verify.code).toBe(0);
    const visible = jsonLines(verify.stdout).map((l) => l.id);
    for (const line of reported) expect(visible).toContain(line.id);
    for (const id of visible) expect(ids.has(id)).toBe(true);
    expect(visible.length).toBeLessThan(ids.size);

    const rerun = await atlas(['ingest', input, '--json', '--store', store, '--threads', '2']);
    expect(rerun.code).toBe(0);
    const stats = JSON.parse((await atlas(['stats', '--json', '--store', store])).stdout.toString());
    expect(stats.documents).toBe(ids.size);
    const all = await atlas(['verify', '--json', '--store', store]);
    expect(all.code).toBe(0);
    expect(new Set(jsonLines(all.stdout).map((l) => l.id))).toEqual(new Set(ids.keys()));
  });

  it('two parallel ingests of overlapping inputs store each document and structure once', async () => {
    const a = join(dir, 'par-a');
    const b = join(dir, 'par-b');
    mkdirSync(a);
    mkdirSync(b);
    const docs = Array.from({ length: 30 }, (_, i) => seededBytes(10_000 + i * 3_000, 500 + i));
    docs.forEach((doc, i) => {
      if (i < 20) writeFileSync(join(a, `d${i}.bin`), doc);
      if (i >= 10) writeFileSync(join(b, `d${i}.bin`), doc);
    });
    const store = join(dir, 'par-store');
    const [ra, rb] = await Promise.all([atlas(['ingest', a, '--json', '--store', store]), atlas(['ingest', b, '--json', '--store', store])]);
    expect([ra.code, rb.code, ra.stderr, rb.stderr]).toEqual([0, 0, '', '']);
    expect(jsonLines(ra.stdout)).toHaveLength(20);
    expect(jsonLines(rb.stdout)).toHaveLength(20);
    const stats = JSON.parse((await atlas(['stats', '--json', '--store', store])).stdout.toString());
    const structures = docs.reduce((n, d) => n + frameDocument(d).length / STRUCTURE_SIZE, 0);
    expect(stats).toMatchObject({ documents: 30, structures, documentBytes: docs.reduce((n, d) => n + d.length, 0) });
    expect((await atlas(['verify', '--store', store])).code).toBe(0);
  });
});
