import { Engine } from '../engine/engine.js';
import { UsageError } from './command.js';

/** --store and --threads, accepted by every command that opens the store. */
export const ENGINE_FLAGS = {
  store: { type: 'string' },
  threads: { type: 'string' },
} as const;

export const ENGINE_USAGE = [
  '  --store DIR    the store directory (default $ATLAS_STORE, else ./atlas-store)',
  '  --threads N    worker threads (default: the available cores)',
].join('\n');

export function openEngine(values: Record<string, unknown>): Promise<Engine> {
  const raw = values.threads;
  let threads: number | undefined;
  if (raw !== undefined) {
    threads = Number(raw);
    if (!/^\d+$/.test(String(raw)) || threads < 1 || threads > 256) throw new UsageError(`--threads must be an integer in 1..256, got '${String(raw)}'`);
  }
  const store = values.store as string | undefined;
  if (store === '') throw new UsageError('--store needs a directory');
  return Engine.open({ ...(store === undefined ? {} : { store }), ...(threads === undefined ? {} : { threads }) });
}

const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * Writes to a stream, waiting for it to drain (stdout may be a slow pipe). A failed write (EPIPE when the reader has
 * gone) rejects here and becomes the command's one-line error instead of an unhandled 'error' event.
 */
export function write(stream: NodeJS.WritableStream, chunk: string | Uint8Array): Promise<void> {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on('error', () => {});
  }
  return new Promise((resolve, reject) => stream.write(chunk, (err) => (err ? reject(err) : resolve())));
}
