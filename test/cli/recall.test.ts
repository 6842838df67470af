import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PAYLOAD_SIZE } from '../../src/framing/index.js';
import { seededBytes, suiteTempDir } from '../fixtures/engine/data.js';
import { atlas, jsonLines } from '../fixtures/engine/cli.js';

const dir = suiteTempDir('cli-recall');

/** One clear line on stderr, no stack trace. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('atlas recall --cue', () => {
  it('writes the original bytes of the structure a corrupted cue came from, reports the match, and refuses unrelated cues', async () => {
    const input = join(dir, 'in');
    mkdirSync(input, { recursive: true });
    const text = new TextEncoder().encode(Array.from({ length: 3000 }, (_, i) => `line ${i}: holographic recall by noisy cue ${(i * 7919) % 1000}\n`).join(''));
    const files = { 'a.bin': seededBytes(3 * PAYLOAD_SIZE - 500, 11), 'b.bin': seededBytes(2 * PAYLOAD_SIZE, 12), 'notes.md': text };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(input, name), bytes);
    const store = join(dir, 'store');
    const ingest = await atlas(['ingest', input, '--json', '--store', store, '--threads', '1']);
    expect(ingest.code).toBe(0);
    const ids = new Map(jsonLines(ingest.stdout).map((l) => [l.path.split('/').pop()!, l]));

    // Structure 2 of a.bin (its short last one) with 16 bytes changed, to stdout.
    const original = files['a.bin'].subarray(2 * PAYLOAD_SIZE);
    const cue = Uint8Array.from(original);
    for (let j = 0; j < 16; j++) cue[j * 601] ^= 0x5a;
    writeFileSync(join(dir, 'cue.bin'), cue);
    const out = await atlas(['recall', '--cue', join(dir, 'cue.bin'), '--store', store]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.equals(Buffer.from(original))).toBe(true);

    // Structure 1 of the text with 200 bytes changed, --json and -o, restricted to its layer.
    const textPart = text.subarray(PAYLOAD_SIZE, 2 * PAYLOAD_SIZE);
    const textCue = Uint8Array.from(textPart);
    for (let j = 0; j < 200; j++) textCue[(j * 61) % textCue.length] = 0x41 + (j % 26);
    writeFileSync(join(dir, 'text-cue.bin'), textCue);
    const target = join(dir, 'found.bin');
    const layer = ids.get('notes.md')!.layer!;
    const json = await atlas(['recall', '--cue', join(dir, 'text-cue.bin'), '--layer', layer, '-o', target, '--json', '--store', store]);
    expect(json.code).toBe(0);
    const match = JSON.parse(json.stdout.toString()) as Record<string, unknown>;
    expect(match).toMatchObject({ id: ids.get('notes.md')!.id, index: 1, layer, bytes: PAYLOAD_SIZE });
    expect(match.margin as number).toBeGreaterThanOrEqual(0.5);
    expect(readFileSync(target).equals(Buffer.from(textPart))).toBe(true);

    // Unrelated bytes: exit 1, one line, nothing on stdout.
    writeFileSync(join(dir, 'noise.bin'), seededBytes(PAYLOAD_SIZE, 99));
    const noise = await atlas(['recall', '--cue', join(dir, 'noise.bin'), '--store', store]);
    expect(noise.code).toBe(1);
    expect(noise.stdout.length).toBe(0);
    expectOneLineError(noise.stderr, /^atlas recall: INVALID: no stored structure matches the cue: best margin 0\.\d+ < τ 0\.5$/);

    const usage = await atlas(['recall', '--store', store]);
    expect(usage.code).toBe(2);
    expectOneLineError(usage.stderr, /^atlas recall: --cue FILE is required \(see atlas recall --help\)$/);
    const vault = await atlas(['recall', '--cue', join(dir, 'cue.bin'), '--layer', 'vault', '--store', store]);
    expect(vault.code).toBe(1);
    expectOneLineError(vault.stderr, /^atlas recall: INVALID: the vault binds nothing/);
  });
});
