import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, fail } from '../errors.js';

/** One document to ingest: read() fills `into` as far as it can and returns 0 at the end. */
export interface DocumentSource {
  readonly path?: string;
  read(into: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

export type IngestItem = string | Uint8Array;
export type IngestInput = IngestItem | Iterable<IngestItem> | AsyncIterable<IngestItem>;

function fsError(path: string, err: unknown): never {
  const e = err as NodeJS.ErrnoException;
  fail(ErrorCode.INVALID, `cannot read ${path}: ${e.code ?? e.message}`);
}

class MemorySource implements DocumentSource {
  #at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  async read(into: Uint8Array): Promise<number> {
    const n = Math.min(into.length, this.bytes.length - this.#at);
    into.set(this.bytes.subarray(this.#at, this.#at + n));
    this.#at += n;
    return n;
  }
  async close(): Promise<void> {}
}

/** Bytes read from a file per system call; structures are then copied out of this buffer (12 KiB reads are slow). */
const READ_CHUNK = 1 << 20;

/** Reads through a chunk buffer shared by the sources of one documentSources() run, which are read one at a time. */
class FileSource implements DocumentSource {
  #at = 0;
  #end = 0;

  constructor(readonly path: string, private readonly fh: FileHandle, private readonly chunk: Buffer) {}

  async read(into: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < into.length) {
      if (this.#at === this.#end && !(await this.#refill())) break;
      const n = Math.min(into.length - filled, this.#end - this.#at);
      into.set(this.chunk.subarray(this.#at, this.#at + n), filled);
      this.#at += n;
      filled += n;
    }
    return filled;
  }

  async #refill(): Promise<boolean> {
    try {
      const { bytesRead } = await this.fh.read(this.chunk, 0, this.chunk.length, null);
      this.#at = 0;
      this.#end = bytesRead;
      return bytesRead > 0;
    } catch (err) {
      fsError(this.path, err);
    }
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** The regular files under a path (itself when it is a file), depth first in name order. */
export async function* walk(path: string): AsyncGenerator<string> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    fsError(path, err);
  }
  if (info.isFile()) {
    yield path;
  } else if (info.isDirectory()) {
    let names: string[];
    try {
      names = (await readdir(path)).sort();
    } catch (err) {
      fsError(path, err);
    }
    for (const name of names) yield* walk(join(path, name));
  } else {
    fail(ErrorCode.INVALID, `cannot read ${path}: not a file or folder`);
  }
}

async function* items(input: IngestInput): AsyncGenerator<IngestItem> {
  if (typeof input === 'string' || input instanceof Uint8Array) yield input;
  else if (input !== null && typeof input === 'object' && (Symbol.asyncIterator in input || Symbol.iterator in input)) yield* input;
  else fail(ErrorCode.INVALID, 'ingest input must be a path, a Uint8Array, or an (async) iterable of them');
}

/** Expands the input into document sources, opening each file only when it is reached; read each before the next. */
export async function* documentSources(input: IngestInput): AsyncGenerator<DocumentSource> {
  let chunk: Buffer | undefined;
  for await (const item of items(input)) {
    if (item instanceof Uint8Array) {
      yield new MemorySource(item);
    } else if (typeof item === 'string') {
      for await (const path of walk(item)) {
        let fh: FileHandle;
        try {
          fh = await open(path, 'r');
        } catch (err) {
          fsError(path, err);
        }
        yield new FileSource(path, fh, (chunk ??= Buffer.allocUnsafe(READ_CHUNK)));
      }
    } else {
      fail(ErrorCode.INVALID, 'ingest items must be paths or Uint8Arrays');
    }
  }
}

/** Total bytes under the given paths (for progress ETAs). */
export async function totalBytes(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const p of paths) for await (const file of walk(p)) total += (await stat(file)).size;
  return total;
}
