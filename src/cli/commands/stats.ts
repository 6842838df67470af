import type { Command } from '../command.js';
import { LAYER_STATS_KEYS, type LayerStats } from '../../holo/telemetry.js';
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine } from '../engine-flags.js';
import { parseFlags } from '../flags.js';

export const stats: Command = {
  name: 'stats',
  summary: 'show what the store holds',
  usage: [
    'atlas stats [--json] [--settle] [--store DIR]',
    '',
    'What the store holds, and per holographic layer: D, items, bytes, predicted and measured SNR, ber, capacity,',
    'spill shards, interference, ECC repairs and failures.',
    '  --json         one JSON object: the store counts, "layers" (one entry per layer) and the "holo" summary',
    '  --settle       wait until every stored pair is bound (fields rebuilt after a crash included), so that every',
    '                 layer is probed; without it layers with pairs still queued show snr_measured null',
    ENGINE_USAGE,
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' }, settle: { type: 'boolean' }, ...ENGINE_FLAGS }, 0);
    const engine = await openEngine(values);
    try {
      const s = await engine.stats({ settle: values.settle === true });
      if (values.json) {
        io.stdout.write(`${JSON.stringify(s)}\n`);
        return 0;
      }
      const { layers, holo, ...store } = s;
      for (const [k, v] of Object.entries({ ...store, ...holo })) io.stdout.write(`${k.padEnd(15)} ${v}\n`);
      io.stdout.write(`\n${layerTable(layers)}`);
    } finally {
      await engine.close();
    }
    return 0;
  },
};

function layerTable(layers: readonly LayerStats[]): string {
  const fmt = (v: unknown): string => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v));
  const keys = LAYER_STATS_KEYS.filter((k) => k !== 'generation' && k !== 'reserve');
  const rows = [keys.map(String), ...layers.map((l) => keys.map((k) => fmt(l[k])))];
  const widths = keys.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}\n`).join('');
}
