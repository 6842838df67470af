import { IngestWorker } from '../../../queues/ingest-worker.js';
import { UsageError, type Command } from '../command.js';
import { intFlag, parseFlags } from '../flags.js';
import { capacityPolicyFlag } from '../engine-flags.js';

export function redisFlag(values: Record<string, unknown>): string {
  const url = (values.redis as string | undefined) || process.env.ATLAS_REDIS;
  if (!url) throw new UsageError('--redis URL is required (or set $ATLAS_REDIS)');
  return url;
}

export const worker: Command = {
  name: 'worker',
  summary: 'ingest documents from the Redis queue (BullMQ) until SIGTERM/SIGINT',
  usage: [
    'atlas worker --redis URL [--concurrency N] [--store DIR|redis://...] [--threads N] [--capacity-policy P]',
    '',
    'Takes documents submitted with `atlas enqueue` and ingests them into the store. On SIGTERM or SIGINT it stops',
    'taking jobs, lets active ones finish for --grace-ms, then hands the rest back and exits.',
    '  --redis URL        the queue\'s Redis (default $ATLAS_REDIS)',
    '  --concurrency N    documents in progress at once (default 256; they share one ingest run)',
    '  --store LOC        an LMDB directory or redis://... for the shared store (default $ATLAS_STORE, ./atlas-store)',
    '  --threads N        worker threads (default: the available cores)',
    '  --capacity-policy reject|spill|evict  a layer store beyond capacity (default spill; see atlas ingest --help)',
    '  --max-bytes N      largest document accepted (default 1 GiB)',
    '  --lock-ms N        job lock; a dead worker\'s jobs move on after this (default 30000)',
    '  --grace-ms N       shutdown deadline for active jobs (default 10000)',
    '  --verbose          one line per finished or failed job on stderr',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      redis: { type: 'string' }, concurrency: { type: 'string' }, store: { type: 'string' }, threads: { type: 'string' }, 'capacity-policy': { type: 'string' },
      'max-bytes': { type: 'string' }, 'lock-ms': { type: 'string' }, 'grace-ms': { type: 'string' }, verbose: { type: 'boolean' },
    }, 0);
    const concurrency = intFlag(values, 'concurrency', 1, 1024);
    const threads = intFlag(values, 'threads', 1, 256);
    const capacityPolicy = capacityPolicyFlag(values);
    const maxDocumentBytes = intFlag(values, 'max-bytes', 0, Number.MAX_SAFE_INTEGER);
    const lockMs = intFlag(values, 'lock-ms', 500, 3_600_000);
    const graceMs = intFlag(values, 'grace-ms', 0, 3_600_000) ?? 10_000;
    const log = (line: string) => io.stderr.write(`atlas worker: ${line}\n`);
    const w = await IngestWorker.start({
      redis: redisFlag(values),
      ...(values.store === undefined ? {} : { store: values.store as string }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(threads === undefined ? {} : { threads }),
      ...(capacityPolicy === undefined ? {} : { capacityPolicy }),
      ...(maxDocumentBytes === undefined ? {} : { maxDocumentBytes }),
      ...(lockMs === undefined ? {} : { lockMs }),
      onEvent: (e) => (values.verbose || e.startsWith('error') ? log(e) : undefined),
    });
    log(`ready (pid ${process.pid})`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    log(`${signal}: finishing active jobs (at most ${graceMs} ms)`);
    await w.close(graceMs);
    log('stopped');
    return 0;
  },
};
