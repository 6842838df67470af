import { getApiVersion } from '../../errors.js';
import { VERSION } from '../../version.js';
import type { Command } from '../command.js';
import { parseFlags } from '../flags.js';
import { cpus } from 'node:os';
import { kernels } from '../../kernels/index.js';
import { fieldBackendSummary } from '../../gpu/index.js';

export const info: Command = {
  name: 'info',
  summary: 'show the version, the ABI version, the kernel and field (CPU/CUDA) backends and the machine',
  usage: 'atlas info [--json]\n\nPrints what this installation runs on.',
  async run(argv, io) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' } }, 0);
    const facts = {
      version: VERSION,
      apiVersion: getApiVersion(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      backend: kernels().name,
      kernelVariant: kernels().variant,
      fieldBackend: fieldBackendSummary(),
    };
    if (values.json) io.stdout.write(`${JSON.stringify(facts)}\n`);
    else for (const [k, v] of Object.entries(facts)) io.stdout.write(`${k.padEnd(13)} ${v}\n`);
    return 0;
  },
};
