import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine } from '../engine-flags.js';
import { parseFlags } from '../flags.js';
import { IngestQueue } from '../../../queues/ingest-queue.js';
import { requiredToken } from '../../server/auth.js';
import { buildServer } from '../../server/app.js';

export const serve: Command = {
  name: 'serve',
  summary: 'serve the monitoring dashboard and HTTP API',
  usage: [
    'atlas serve [--store DIR] [--redis URL] [--port 8096] [--host 127.0.0.1]',
    '',
    'The dashboard page at /, JSON at /api/stats, /api/layers/:name, /api/queue, /api/pool, /api/throughput,',
    '/api/documents/:id, POST /api/ingest {"path", "layer"}, and Prometheus metrics at /metrics. Runs until SIGINT/SIGTERM.',
    '  --redis URL    the BullMQ ingest queue to report on (without it the queue panel says "no queue configured")',
    '  --port N       TCP port (default 8096; 0 picks a free one, printed on start)',
    '  --host ADDR    bind address (default 127.0.0.1); any non-loopback address needs ATLAS_TOKEN, sent by clients as',
    '                 "Authorization: Bearer <token>"; a browser opens /?token=<token> once (it sets a cookie)',
    ENGINE_USAGE,
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseFlags(argv, { redis: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, ...ENGINE_FLAGS }, 0);
    const port = Number(values.port ?? 8096);
    if (!/^\d+$/.test(String(values.port ?? 8096)) || port > 65535) throw new UsageError(`--port must be an integer in 0..65535, got '${String(values.port)}'`);
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    const token = requiredToken(host, process.env.ATLAS_TOKEN);
    const engine = await openEngine(values);
    let queue: IngestQueue | undefined;
    try {
      if (values.redis !== undefined) queue = await IngestQueue.open(values.redis as string);
      const app = buildServer({ engine, ...(queue ? { queue } : {}), ...(token ? { token } : {}) });
      const address = await app.listen({ port, host });
      io.stdout.write(`atlas serve: listening on ${address}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await app.close();
    } finally {
      await queue?.close();
      await engine.close();
    }
    return 0;
  },
};
