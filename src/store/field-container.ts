import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { ErrorCode, fail } from '../errors.js';

/**
 * The field container (holo-store.md §5): magic, version, a JSON header, then one section per field shard holding ψ's
 * rfft bins as little-endian float32 (re then im); every section is followed by its CRC32. Written to a temp file,
 * fsynced and renamed, so a crash leaves either the old or the new container.
 */
const MAGIC = Buffer.from('ATLHOLO\0', 'latin1');
const VERSION = 1;

export interface ContainerSection {
  readonly re: Float32Array;
  readonly im: Float32Array;
}

export interface Container<H> {
  readonly header: H;
  readonly sections: ContainerSection[];
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function withCrc(bytes: Buffer): Buffer[] {
  return [bytes, u32(crc32(bytes))];
}

function requireLittleEndian(): void {
  if (endianness() !== 'LE') fail(ErrorCode.STATE, 'the field container is written on little-endian hosts only');
}

/** Writes the container atomically: temp file, fsync, rename. */
export function writeContainer<H>(path: string, header: H, sections: readonly ContainerSection[]): void {
  requireLittleEndian();
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const parts: Buffer[] = [MAGIC, u32(VERSION), u32(json.length), ...withCrc(json), u32(sections.length)];
  for (const { re, im } of sections) {
    const body = Buffer.alloc(4 + 8 * re.length);
    body.writeUInt32LE(re.length);
    Buffer.from(re.buffer, re.byteOffset, re.byteLength).copy(body, 4);
    Buffer.from(im.buffer, im.byteOffset, im.byteLength).copy(body, 4 + 4 * re.length);
    parts.push(...withCrc(body));
  }
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    for (const part of parts) writeSync(fd, part);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** Reads a container; undefined when there is none. Any bad magic, version, length or CRC32 is a STATE error. */
export function readContainer<H>(path: string): Container<H> | undefined {
  requireLittleEndian();
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let at = 0;
  const take = (n: number): Buffer => {
    if (at + n > file.length) fail(ErrorCode.STATE, `field container ${path} is truncated`);
    const part = file.subarray(at, at + n);
    at += n;
    return part;
  };
  const checked = (n: number, what: string): Buffer => {
    const part = take(n);
    if (crc32(part) !== take(4).readUInt32LE()) fail(ErrorCode.STATE, `field container ${path}: CRC32 mismatch in ${what}`);
    return part;
  };
  if (!take(MAGIC.length).equals(MAGIC)) fail(ErrorCode.STATE, `${path} is not a field container`);
  const version = take(4).readUInt32LE();
  if (version !== VERSION) fail(ErrorCode.STATE, `field container ${path} has version ${version}, expected ${VERSION}`);
  const header = JSON.parse(checked(take(4).readUInt32LE(), 'the header').toString('utf8')) as H;
  const count = take(4).readUInt32LE();
  const sections: ContainerSection[] = [];
  for (let s = 0; s < count; s++) {
    if (at + 4 > file.length) fail(ErrorCode.STATE, `field container ${path} is truncated`);
    const bins = file.readUInt32LE(at);
    const body = checked(4 + 8 * bins, `section ${s}`);
    const floats = new Float32Array(body.buffer.slice(body.byteOffset + 4, body.byteOffset + 4 + 8 * bins));
    sections.push({ re: floats.subarray(0, bins), im: floats.subarray(bins) });
  }
  if (at !== file.length) fail(ErrorCode.STATE, `field container ${path} has trailing bytes`);
  return { header, sections };
}
