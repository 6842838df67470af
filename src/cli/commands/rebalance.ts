import type { Command } from '../command.js';
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine } from '../engine-flags.js';
import { intFlag, parseFlags } from '../flags.js';

export const rebalance: Command = {
  name: 'rebalance',
  summary: 'resize the holographic layers to their loads and re-bind them',
  usage: [
    'atlas rebalance [--total-floats N] [--json] [--store DIR|redis://...]',
    '',
    'Recomputes each layer\'s dimension D_k from the items it holds (within the store\'s total M, or a new one),',
    're-binds every stored pair into the new fields (spill shards merged), checks them on a probe sample and swaps',
    'them in at once. Reads go on meanwhile; stores wait for the swap (on Redis, in every process).',
    '  --total-floats N   the new total M (a power of two is typical; default: the store\'s own)',
    '  --json             the report as one JSON object: generation, dimensions (per layer), reserve',
    ENGINE_USAGE,
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseFlags(argv, { 'total-floats': { type: 'string' }, json: { type: 'boolean' }, ...ENGINE_FLAGS }, 0);
    const totalFloats = intFlag(values, 'total-floats', 1024, 2 ** 31);
    const engine = await openEngine(values);
    try {
      const report = await engine.rebalanceLayers(totalFloats === undefined ? {} : { totalFloats });
      io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `generation ${report.generation}: dimensions ${report.dimensions.join(' ')}, reserve ${report.reserve}\n`);
    } finally {
      await engine.close();
    }
    return 0;
  },
};
