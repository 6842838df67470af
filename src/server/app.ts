import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { IngestQueue } from '../../queues/ingest-queue.js';
import type { Engine } from '../engine/engine.js';
import { AtlasError, ErrorCode } from '../errors.js';
import { resolveLayer } from '../holo/layers.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { presentedToken, TOKEN_COOKIE, tokenMatches } from './auth.js';
import { ServerMetrics } from './metrics.js';
import { queueView } from './queue-view.js';
import { ThroughputLog } from './throughput.js';

export interface ServerOptions {
  readonly engine: Engine;
  readonly queue?: IngestQueue;
  /** When set, every request needs "Authorization: Bearer <token>". */
  readonly token?: string;
  readonly throughput?: ThroughputLog;
}

const STATIC_DIR = join(PACKAGE_ROOT, 'src', 'server', 'static');
const UPLOT_DIR = join(dirname(createRequire(import.meta.url).resolve('uplot')), '..', 'dist');
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: join(STATIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/assets/dashboard.js': { file: join(STATIC_DIR, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/dashboard.css': { file: join(STATIC_DIR, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  '/assets/uPlot.iife.min.js': { file: join(UPLOT_DIR, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/uPlot.min.css': { file: join(UPLOT_DIR, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/** The dashboard's HTTP API and page over an open engine (and optionally an ingest queue); the caller listens and closes. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const { engine, queue, token } = options;
  const throughput = options.throughput ?? new ThroughputLog();
  const metrics = new ServerMetrics();
  const app = Fastify({ logger: false });

  if (token !== undefined) {
    app.addHook('onRequest', async (request, reply) => {
      const query = request.query as { token?: unknown };
      // A browser cannot send a header on the page load: `/?token=` once sets a cookie its later requests carry.
      if (request.url.startsWith('/?') && typeof query.token === 'string' && tokenMatches(query.token, token)) {
        const cookie = `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
        return reply.code(303).header('set-cookie', cookie).header('location', '/').send();
      }
      if (!tokenMatches(presentedToken(request.headers.authorization, request.headers.cookie), token)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong bearer token' });
      }
    });
  }

  app.setErrorHandler(async (err, _request, reply) => {
    if (err instanceof AtlasError) return reply.code(err.code === ErrorCode.INVALID ? 400 : 500).send({ error: err.message });
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({ error: (err as Error).message });
  });

  for (const [url, asset] of Object.entries(ASSETS)) {
    app.get(url, async (_request, reply) => reply.type(asset.type).header('cache-control', 'no-cache').send(await readFile(asset.file)));
  }

  app.get('/api/stats', async () => engine.stats());

  app.get<{ Params: { name: string } }>('/api/layers/:name', async (request, reply) => {
    let name: string;
    try {
      name = resolveLayer(request.params.name).name;
    } catch (err) {
      if (err instanceof AtlasError) return reply.code(404).send({ error: err.message });
      throw err;
    }
    const { layers } = await engine.getLayerStats();
    return layers.find((l) => l.name === name) ?? reply.code(404).send({ error: `no layer ${name}` });
  });

  app.get('/api/queue', async () => queueView(queue));
  app.get('/api/pool', async () => engine.poolStats());
  app.get('/api/throughput', async () => ({ bucketMs: throughput.bucketMs, samples: throughput.series() }));

  app.get<{ Params: { id: string } }>('/api/documents/:id', async (request, reply) => {
    const found = await engine.describe(request.params.id);
    if (!found) return reply.code(404).send({ error: `no document ${request.params.id}` });
    if (!found.manifest) return { id: request.params.id, layer: found.layer, sealed: found.layer === 'vault' };
    const { id, length, structures, witness } = found.manifest;
    const digests: string[] = [];
    for (let i = 0; i < structures.length; i += 32) digests.push(Buffer.from(structures.subarray(i, i + 32)).toString('hex'));
    return { id, layer: found.layer, length, witness, structures: digests };
  });

  app.post<{ Body: { path?: unknown; layer?: unknown } }>('/api/ingest', async (request, reply) => {
    const { path, layer = 'auto' } = request.body ?? {};
    if (typeof path !== 'string' || path === '') return reply.code(400).send({ error: 'body needs "path": a file or folder readable by the server' });
    if (typeof layer !== 'string' && typeof layer !== 'number') return reply.code(400).send({ error: '"layer" must be a layer name or number' });
    const results = engine.ingest(path, { layer, details: false, cluster: false }); // a bad layer fails here, untimed
    const done = metrics.timeIngest();
    const documents = [];
    try {
      for await (const doc of results) {
        documents.push({ id: doc.id, path: doc.path, layer: doc.layer, length: doc.length, stored: doc.stored });
        if (doc.stored) {
          metrics.ingested(doc.layer ?? 'none', doc.length);
          throughput.record(1, doc.length);
        }
      }
    } finally {
      done();
    }
    return { documents };
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.render(await engine.stats(), engine.poolStats(), await queueView(queue));
    return reply.type(metrics.registry.contentType).send(text);
  });

  return app;
}
