import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { ErrorCode, fail } from '../../errors.js';
import { UsageError, type Command } from '../command.js';
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine, write } from '../engine-flags.js';
import { parseFlags } from '../flags.js';

export const recall: Command = {
  name: 'recall',
  summary: 'find the stored structure a noisy cue (a payload with a few bytes changed) came from',
  usage: [
    'atlas recall --cue FILE [--layer L] [-o FILE] [--json] [--store DIR]',
    '',
    'Recall by cue: FILE holds one structure\'s payload (at most 12,288 bytes), possibly with a few bytes changed. The',
    'cue index of the field layers (built from the stored structures on first use, then saved) is unbound with it and',
    'cleaned up over every stored structure; the winner must lead by the store\'s margin τ, else the command fails',
    '(exit 1). The original payload bytes come from the chunk store, verified. Vault documents take no part.',
    '  --cue FILE         the cue',
    '  --layer L          search only layer L (a name or 0..5)',
    '  -o, --output FILE  write the original bytes to FILE (and a summary line to stdout) instead of stdout',
    '  --json             print the match as one JSON object {id, index, layer, digest, score, margin, bytes}; the',
    '                     original bytes then go only to -o FILE',
    ENGINE_USAGE,
  ].join('\n'),
  async run(argv, io) {
    const flags = { cue: { type: 'string' }, layer: { type: 'string' }, output: { type: 'string', short: 'o' }, json: { type: 'boolean' }, ...ENGINE_FLAGS } as const;
    const { values } = parseFlags(argv, flags, 0);
    const path = values.cue as string | undefined;
    if (path === undefined || path === '') throw new UsageError('--cue FILE is required');
    const cue = await readFile(path).catch((err: NodeJS.ErrnoException) => fail(ErrorCode.INVALID, `cannot read ${path}: ${err.code ?? err.message}`));
    const engine = await openEngine(values);
    try {
      const match = await engine.recallByCue(cue, values.layer as string | undefined);
      const output = values.output as string | undefined;
      if (output !== undefined) {
        const partial = `${output}.partial-${process.pid}`;
        try {
          await writeFile(partial, match.bytes);
          await rename(partial, output);
        } catch (err) {
          await rm(partial, { force: true });
          throw err;
        }
      }
      const { bytes, ...where } = match;
      if (values.json) await write(io.stdout, `${JSON.stringify({ ...where, bytes: bytes.length })}\n`);
      else if (output !== undefined) await write(io.stdout, `${where.id} structure ${where.index} (${where.layer}) margin ${where.margin.toFixed(3)} score ${where.score.toFixed(3)}\n`);
      else await write(io.stdout, bytes);
      return 0;
    } finally {
      await engine.close();
    }
  },
};
