import { IngestQueue } from '../../../queues/ingest-queue.js';
import type { BatchSummary } from '../../../queues/jobs.js';
import type { Command } from '../command.js';
import { write } from '../engine-flags.js';
import { LAYER_USAGE, layerFlag, parseFlags } from '../flags.js';
import { redisFlag } from './worker.js';

function summaryLines(s: BatchSummary): string[] {
  return [
    `batch ${s.batch}: ${s.documents} documents, ${(s.bytes / 1e6).toFixed(1)} MB: ${s.stored} stored, ${s.alreadyStored} already stored, ${s.failed.length} failed`,
    ...s.failed.map((f) => `  failed ${f.job}: ${f.reason}`),
  ];
}

export const enqueue: Command = {
  name: 'enqueue',
  summary: 'submit files and folders to the Redis ingest queue as one batch',
  usage: [
    'atlas enqueue <path...> --redis URL [--layer POLICY] [--wait] [--json]',
    'atlas enqueue --failed --redis URL',
    '',
    'Submits one batch (a BullMQ flow: one job per distinct document, by path; the workers must see the same paths).',
    'Submitting the same batch again while its jobs are retained (24 h) adds nothing. Each file is routed here; files',
    'that go to the Vault need ATLAS_VAULT_KEY here too, so that no hash of them is sent to Redis.',
    '  --redis URL   the queue\'s Redis (default $ATLAS_REDIS)',
    ...LAYER_USAGE,
    '  --wait        show progress until every document is stored, then print the batch summary (exit 1 if any failed)',
    '  --json        print the summary (or the failed jobs) as JSON',
    '  --failed      list the jobs that failed for good, with their reasons',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { redis: { type: 'string' }, layer: { type: 'string' }, wait: { type: 'boolean' }, json: { type: 'boolean' }, failed: { type: 'boolean' } }, Infinity, argv.includes('--failed') ? 0 : 1);
    const layer = layerFlag(values);
    const queue = await IngestQueue.open(redisFlag(values));
    try {
      if (values.failed) {
        const failed = await queue.failed();
        const lines = values.json ? [JSON.stringify(failed)] : failed.map((f) => `${f.job}  ${f.attempts} attempts  ${f.reason}`);
        for (const line of lines) await write(io.stdout, `${line}\n`);
        return 0;
      }
      const submitted = await queue.submit(positionals, { layer });
      io.stderr.write(`batch ${submitted.batch}: ${submitted.documents} documents, ${(submitted.bytes / 1e6).toFixed(1)} MB submitted\n`);
      if (!values.wait) {
        await write(io.stdout, values.json ? `${JSON.stringify(submitted)}\n` : `${submitted.batch}\n`);
        return 0;
      }
      const tty = io.stderr.isTTY;
      let last = '';
      const summary = await queue.wait(submitted.batch, {
        onProgress: (p) => {
          const line = `${p.done}/${p.documents} documents done, ${p.failed} failed (${p.state})`;
          if (line === last) return;
          last = line;
          io.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
        },
      });
      if (tty) io.stderr.write('\r\x1b[K');
      const lines = values.json ? [JSON.stringify(summary)] : summaryLines(summary);
      for (const line of lines) await write(io.stdout, `${line}\n`);
      return summary.failed.length > 0 ? 1 : 0;
    } finally {
      await queue.close();
    }
  },
};
