import type { Command } from '../command.js';
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine } from '../engine-flags.js';
import { parseFlags } from '../flags.js';

export const stats: Command = {
  name: 'stats',
  summary: 'show what the store holds',
  usage: ['atlas stats [--json] [--store DIR]', '', '  --json         one JSON object', ENGINE_USAGE].join('\n'),
  async run(argv, io) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' }, ...ENGINE_FLAGS }, 0);
    const engine = await openEngine(values);
    try {
      const s = await engine.stats();
      if (values.json) io.stdout.write(`${JSON.stringify(s)}\n`);
      else for (const [k, v] of Object.entries(s)) io.stdout.write(`${k.padEnd(15)} ${v}\n`);
    } finally {
      await engine.close();
    }
    return 0;
  },
};
