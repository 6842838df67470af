import { Engine } from '../engine/engine.js';
import { CAPACITY_POLICIES, type CapacityPolicy } from '../holo/allocation.js';
import { UsageError } from './command.js';
import { intFlag } from './flags.js';

/** --store, --threads and --capacity-policy, accepted by every command that opens the store. */
export const ENGINE_FLAGS = {
  store: { type: 'string' },
  threads: { type: 'string' },
  'capacity-policy': { type: 'string' },
} as const;

export const ENGINE_USAGE = [
  '  --store DIR    the store directory (default $ATLAS_STORE, else ./atlas-store)',
  '  --threads N    worker threads (default: the available cores)',
  '  --capacity-policy reject|spill|evict  a layer store beyond capacity: throw, open a spill shard (default), or',
  '                 evict the layer\'s oldest documents from its field (their bytes stay readable)',
].join('\n');

export function openEngine(values: Record<string, unknown>): Promise<Engine> {
  const threads = intFlag(values, 'threads', 1, 256);
  const store = values.store as string | undefined;
  if (store === '') throw new UsageError('--store needs a directory');
  const policy = capacityPolicyFlag(values);
  return Engine.open({
    ...(store === undefined ? {} : { store }), ...(threads === undefined ? {} : { threads }), ...(policy === undefined ? {} : { holo: { capacityPolicy: policy } }),
  });
}

/** --capacity-policy, checked: a UsageError names the flag and the choices. */
export function capacityPolicyFlag(values: Record<string, unknown>): CapacityPolicy | undefined {
  const policy = values['capacity-policy'] as CapacityPolicy | undefined;
  if (policy !== undefined && !CAPACITY_POLICIES.includes(policy)) throw new UsageError(`--capacity-policy must be ${CAPACITY_POLICIES.join(', ')}, got '${String(policy)}'`);
  return policy;
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
