import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Command } from '../command.js';
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine, write } from '../engine-flags.js';
import { parseFlags } from '../flags.js';

export const get: Command = {
  name: 'get',
  summary: 'write a stored document\'s exact bytes (verified) to stdout or a file',
  usage: [
    'atlas get <id> [-o FILE] [--store DIR]',
    '',
    'Every structure is checked against its SHA-256 as it is read (and repaired from its RS parity when it can be),',
    'and the whole document against its id. Vault documents (32-character ids) are decrypted with ATLAS_VAULT_KEY.',
    '  -o, --output FILE  write to FILE (created only when the whole document verified) instead of stdout',
    ENGINE_USAGE,
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { output: { type: 'string', short: 'o' }, ...ENGINE_FLAGS }, 1, 1);
    const id = positionals[0]!;
    const engine = await openEngine(values);
    try {
      const output = values.output as string | undefined;
      if (output === undefined) {
        for await (const chunk of engine.read(id)) await write(io.stdout, chunk);
        return 0;
      }
      const partial = `${output}.partial-${process.pid}`;
      const file = createWriteStream(partial);
      try {
        for await (const chunk of engine.read(id)) await write(file, chunk);
        await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
        await rename(partial, output);
      } catch (err) {
        file.destroy();
        await rm(partial, { force: true });
        throw err;
      }
      return 0;
    } finally {
      await engine.close();
    }
  },
};
