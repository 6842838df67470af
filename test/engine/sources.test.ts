import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentSources, type DocumentSource } from '../../src/engine/sources.js';
import { PAYLOAD_SIZE } from '../../src/framing/index.js';
import { seededBytes, tempDir } from '../fixtures/engine/data.js';

const SIZES = [0, 1, PAYLOAD_SIZE - 1, PAYLOAD_SIZE, PAYLOAD_SIZE + 1, 5 * PAYLOAD_SIZE + 17, 700_000];

/** Reads a source the way the pipeline does: runs of `room` payload views, until a read leaves room unfilled. */
async function drain(source: DocumentSource, room: number): Promise<{ bytes: Buffer; reads: number[] }> {
  const parts: Buffer[] = [];
  const reads: number[] = [];
  for (;;) {
    const batch = new Uint8Array(new SharedArrayBuffer(room * PAYLOAD_SIZE));
    const views = Array.from({ length: room }, (_, i) => batch.subarray(i * PAYLOAD_SIZE, (i + 1) * PAYLOAD_SIZE));
    const n = await source.read(views);
    reads.push(n);
    for (let at = 0, i = 0; at < n; at += PAYLOAD_SIZE, i++) parts.push(Buffer.from(views[i]!.subarray(0, Math.min(PAYLOAD_SIZE, n - at))));
    if (n < room * PAYLOAD_SIZE) break;
  }
  await source.close();
  return { bytes: Buffer.concat(parts), reads };
}

let dir: string;
const docs = SIZES.map((n, i) => seededBytes(n, 100 + i));
beforeAll(() => {
  dir = tempDir('sources');
  docs.forEach((doc, i) => writeFileSync(join(dir, `d${i}.bin`), doc));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('document sources', () => {
  it.each([1, 3, 256])('file and memory sources fill %i payload views per read, byte-exact, short only at the end', async (room) => {
    const fromFiles: Buffer[] = [];
    for await (const source of documentSources(dir)) {
      const { bytes, reads } = await drain(source, room);
      expect(reads.slice(0, -1).every((n) => n === room * PAYLOAD_SIZE)).toBe(true);
      fromFiles.push(bytes);
    }
    const fromMemory: Buffer[] = [];
    for await (const source of documentSources(docs)) fromMemory.push((await drain(source, room)).bytes);
    const same = (got: Buffer[]) => got.length === docs.length && got.every((b, i) => b.equals(docs[i]!));
    expect(same(fromFiles)).toBe(true);
    expect(same(fromMemory)).toBe(true);
  });
});
