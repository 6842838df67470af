import type { Command } from '../command.js';
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine, write } from '../engine-flags.js';
import { LAYER_USAGE, layerFlag, parseFlags } from '../flags.js';
import { ProgressBar } from '../progress.js';
import { totalBytes } from '../../engine/sources.js';

export const ingest: Command = {
  name: 'ingest',
  summary: 'frame, classify, cluster, witness and store files and folders',
  usage: [
    'atlas ingest <path...> [--layer POLICY] [--json] [--store DIR] [--threads N]',
    '',
    'Ingests files and folders (recursively). Each document is printed once its structures and manifest are stored.',
    ...LAYER_USAGE,
    '  --json         one JSON line per document: {"path","id","bytes","structures","layer"}',
    ENGINE_USAGE,
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, layer: { type: 'string' }, ...ENGINE_FLAGS }, Infinity, 1);
    const layer = layerFlag(values);
    const total = await totalBytes(positionals); // also reports a missing or unreadable path before anything is stored
    const engine = await openEngine(values);
    const bar = io.stderr.isTTY ? new ProgressBar(io.stderr, total) : undefined;
    const started = performance.now();
    let documents = 0;
    let bytes = 0;
    try {
      const onProgress = (p: { bytes: number; documents: number }) => bar?.update(p.bytes, p.documents);
      for await (const r of engine.ingest(positionals, { onProgress, details: false, layer })) {
        documents++;
        bytes += r.length;
        const line = values.json
          ? JSON.stringify({ path: r.path, id: r.id, bytes: r.length, structures: r.structures, layer: r.layer })
          : `${r.id}  ${r.layer ?? '-'}  ${r.path}${r.stored ? '' : '  (already stored)'}`;
        bar?.finish();
        await write(io.stdout, `${line}\n`);
        bar?.update(bytes, documents, true);
      }
    } finally {
      bar?.finish();
      await engine.close();
    }
    if (!values.json) {
      const seconds = (performance.now() - started) / 1000;
      io.stderr.write(`${documents} documents, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s (${(bytes / 1e6 / seconds).toFixed(1)} MB/s)\n`);
    }
    return 0;
  },
};
